"""Where two configs (nested mappings of plain data) differ, by dotted field."""
from __future__ import annotations

from typing import Any


def first_difference(a: Any, b: Any, prefix: str = "") -> str | None:
    """The first dotted field where two nested mappings differ (None if equal)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            where = first_difference(a.get(key), b.get(key), f"{prefix}{key}.")
            if where is not None:
                return where
        return None
    return None if a == b else prefix.rstrip(".")


def field_value(data: Any, field: str) -> Any:
    """The value at dotted ``field`` of a nested mapping (None where a part is missing)."""
    for key in field.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
