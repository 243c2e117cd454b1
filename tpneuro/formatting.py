"""Numbers as text, one way everywhere: the command line's tables, the sweep reports."""
from __future__ import annotations

import math


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def percent(mean, std=None, missing: str = "-") -> str:
    """A fraction as a percentage with two decimals, with ``± std`` when given: ``91.23 ± 0.45``."""
    if _missing(mean):
        return missing
    return f"{100 * mean:.2f}" + ("" if _missing(std) else f" ± {100 * std:.2f}")


def seconds(mean, std=None, missing: str = "-") -> str:
    """Seconds with one decimal, with ``± std`` when given."""
    if _missing(mean):
        return missing
    return f"{mean:.1f}" + ("" if _missing(std) else f" ± {std:.1f}")


def joules(exact, lower_bound=None, missing: str = "unknown") -> str:
    """Energy with three significant digits; ``>=`` a lower bound where a profile prices only some operations."""
    if not _missing(exact):
        return f"{exact:.3g} J"
    return f">= {lower_bound:.3g} J" if lower_bound else missing


def text_table(rows: list[list], header: list[str]) -> str:
    """A right-aligned plain-text table with a rule under the header."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    line = lambda cells: "  ".join(str(c).rjust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])
