"""Lines the commands print about a run's summary."""
from __future__ import annotations

from ..formatting import joules


def summary_joules(summary: dict, what: str) -> str:
    """Joules per ``what`` (inference, training_sample) of a summary: exact, a lower bound, or unknown."""
    return joules(summary.get(f"joules_per_{what}"), summary.get(f"joules_per_{what}_lower_bound"))


def energy_line(summary: dict) -> str:
    """``X J per inference, Y J per training sample`` when the summary prices anything, else ''."""
    if "joules_per_inference" not in summary or summary_joules(summary, "inference") == "unknown":
        return ""
    return (f"{summary_joules(summary, 'inference')} per inference, "
            f"{summary_joules(summary, 'training_sample')} per training sample")
