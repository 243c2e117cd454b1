"""Angle between two updates in degrees, from the Frobenius inner product (Meulemans et al. 2020, Sec. 5)."""
from __future__ import annotations

import numpy as np


def angle_degrees(a: np.ndarray, b: np.ndarray) -> float:
    """arccos(<a, b>_F / (||a||_F ||b||_F)) in degrees; nan when either update is zero.

    Evaluated as 2 atan2(||u - v||, ||u + v||) with u, v the unit vectors (Kahan's formula), which stays
    accurate near 0 and 180 degrees where arccos loses half the digits.
    """
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0.0 or nb == 0.0:
        return float("nan")
    u, v = a / na, b / nb
    return float(np.degrees(2.0 * np.arctan2(np.linalg.norm(u - v), np.linalg.norm(u + v))))
