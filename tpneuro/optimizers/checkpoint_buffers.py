"""Reading an optimizer's buffers back from checkpoint arrays keyed ``{head}{parameter key}``."""
from __future__ import annotations

import numpy as np


def buffers_under(arrays: dict[str, np.ndarray], head: str) -> dict[str, np.ndarray]:
    """Copies of the arrays whose key starts with ``head``, keyed by the rest of the key."""
    return {k[len(head):]: np.array(v) for k, v in arrays.items() if k.startswith(head)}
