"""The phase schedule of one compiled run: per-time-step gate arrays that brian2 reads through TimedArrays.

A run has a fixed number of time steps (``steps_per_run``, set at build time) and holds up to ``slots`` sample
presentations. Everything that differs between calls (which phases, which samples, which noise) is in the
values of TimedArrays, so a compiled cpp_standalone binary runs any schedule through ``device.run(run_args=...)``
without recompiling, and no ``network_operation`` is needed (DESIGN.md section 4). Modes and their sample layout:

- ``train``:    settle | average | noise windows (one hidden layer at a time) | resettle | nudge
                (exactly ``sample_steps`` long, so the weight-writing clock ticks at the end of every sample);
- ``feedback``: settle | average | noise windows                   (packed; Q changes written at the ticks);
- ``eval``:     settle | average                                   (packed, no learning);
- ``rates``:    settle | count window                              (packed, spikes counted per slot).

The row ``slots`` of every per-sample TimedArray is all zeros: idle time after the last sample reads it. At the
first step of every noise window and nudge (gate ``pathway_restart``) the error pathway starts afresh: the apical
compartments are cleared and the ON/OFF coders take fresh start phases (row ``phase_row`` of the runtime's phase
array; see plasticity.APICAL_RESTART and Runtime._coder_tables).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .options import Brian2Options

GATES = ("active", "average", "average_start", "grab", "grab_counts", "noise_phase", "learn_feedback", "nudge",
         "count", "slot_start", "pathway_restart")


@dataclass(frozen=True)
class Layout:
    """Step counts of the phases of one sample presentation and of one compiled run."""

    options: Brian2Options
    n_hidden: int                 # hidden layers (L - 1)
    noise_in_train: bool          # training samples have a noise phase (the rule trains its feedback)

    @property
    def free_steps(self) -> int:
        o = self.options
        return o.steps(o.settle) + o.steps(o.average)

    @property
    def window_steps(self) -> int:
        o = self.options
        return o.steps(o.noise_settle) + o.steps(o.noise_learn)

    @property
    def noise_steps(self) -> int:
        return self.n_hidden * self.options.noise_windows * self.window_steps

    @property
    def sample_steps(self) -> int:
        """Length of one training sample: the period of the clock that writes the accumulated weight changes."""
        o = self.options
        noise = self.noise_steps if self.noise_in_train else 0
        return self.free_steps + noise + o.steps(o.resettle) + o.steps(o.nudge)

    @property
    def steps_per_run(self) -> int:
        """Training samples per run times their length (at least one sample of every mode), plus one step for
        the last weight write."""
        longest = max(self.mode_steps(m) for m in ("feedback", "eval", "rates"))
        return max(self.options.samples_per_run * self.sample_steps, longest) + 1

    def mode_steps(self, mode: str) -> int:
        o = self.options
        if mode == "train":
            return self.sample_steps
        if mode == "feedback":
            return self.free_steps + self.noise_steps + 1
        if mode == "eval":
            return self.free_steps + 1
        if mode == "rates":
            return o.steps(o.settle) + o.steps(o.rate_window) + 1
        raise ValueError(f"unknown mode {mode!r}")

    def capacity(self, mode: str) -> int:
        """Samples one run holds in ``mode``."""
        return (self.steps_per_run - 1) // self.mode_steps(mode)

    def phase_spans(self) -> list[tuple[str, int, int]]:
        """The phases of one training sample as (label, first step, end step): settle, average, each noise window
        (layer, draw) if training samples have them, resettle, nudge."""
        o, spans, cursor = self.options, [], 0
        parts = [("settle", o.steps(o.settle)), ("average", o.steps(o.average))]
        if self.noise_in_train:
            parts += [(f"noise L{layer} #{k + 1}", self.window_steps) for layer in range(1, self.n_hidden + 1)
                      for k in range(o.noise_windows)]
        parts += [("resettle", o.steps(o.resettle)), ("nudge", o.steps(o.nudge))]
        for label, n in parts:
            spans.append((label, cursor, cursor + n))
            cursor += n
        return spans

    @property
    def slots(self) -> int:
        """Rows of the per-sample TimedArrays (the largest capacity of any mode)."""
        return max(self.capacity(m) for m in ("train", "feedback", "eval", "rates"))

    @property
    def windows(self) -> int:
        """Rows of the per-window noise TimedArrays."""
        return max(self.capacity("train"), self.capacity("feedback")) * self.n_hidden * self.options.noise_windows

    @property
    def phase_rows(self) -> int:
        """Rows of the error coders' start-phase TimedArray: one per noise window and per nudged phase."""
        return self.windows + max(self.capacity("train"), self.capacity("feedback"))


@dataclass
class Schedule:
    """Gate arrays (one value per time step), the slot of every step, and per hidden layer its noise gate and
    the window index of every step; ``free_end[k]`` is the step after sample k's averaging window."""

    layout: Layout
    mode: str
    n_samples: int
    gates: dict[str, np.ndarray] = field(default_factory=dict)
    slot: np.ndarray = None
    window: np.ndarray = None
    phase_row: np.ndarray = None
    layer_noise: list[np.ndarray] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    active_steps: int = 0
    end_step: int = 0             # steps a runtime target needs to simulate (the last weight write included)


def build_schedule(layout: Layout, mode: str, n_samples: int, learn_feedback: bool = True) -> Schedule:
    """The per-step arrays of a run showing ``n_samples`` (<= layout.capacity(mode)) samples in ``mode``.
    ``learn_feedback`` False keeps a training sample's noise windows silent (same length, no noise, no Q change)."""
    o = layout.options
    if n_samples > layout.capacity(mode):
        raise ValueError(f"{n_samples} samples exceed the capacity {layout.capacity(mode)} of a {mode} run")
    total = layout.steps_per_run
    sched = Schedule(layout, mode, n_samples)
    sched.gates = {g: np.zeros(total) for g in GATES}
    sched.slot = np.full(total, float(layout.slots))          # idle: the all-zero row
    sched.window = np.full(total, float(layout.windows))
    sched.phase_row = np.full(total, float(layout.phase_rows))
    sched.layer_noise = [np.zeros(total) for _ in range(layout.n_hidden)]
    g = sched.gates
    per = layout.mode_steps(mode)
    settle, average = o.steps(o.settle), o.steps(o.average)
    window_index = phase_index = 0

    def restart_error_pathway(step: int) -> None:
        """The error pathway restarts at ``step`` (the first step of a noise window or a nudge)."""
        nonlocal phase_index
        g["pathway_restart"][step] = 1.0
        sched.phase_row[step] = phase_index
        phase_index += 1

    for k in range(n_samples):
        s0 = k * per
        sched.starts.append(s0)
        sched.slot[s0:s0 + per] = k
        g["active"][s0:s0 + per] = 1.0
        g["slot_start"][s0] = 1.0
        if mode == "rates":
            count = o.steps(o.rate_window)
            g["count"][s0 + settle:s0 + settle + count] = 1.0
            g["grab"][s0 + settle + count] = 1.0
            g["grab_counts"][s0 + settle + count] = 1.0
            continue
        a0 = s0 + settle
        g["average"][a0:a0 + average] = 1.0
        g["average_start"][a0] = 1.0
        g["grab"][a0 + average] = 1.0
        if mode == "eval":
            continue
        cursor = a0 + average
        if mode == "feedback" or layout.noise_in_train:
            ns, nl = o.steps(o.noise_settle), o.steps(o.noise_learn)
            for layer in range(layout.n_hidden):
                for _ in range(o.noise_windows):
                    if learn_feedback:
                        restart_error_pathway(cursor)
                        sched.layer_noise[layer][cursor:cursor + ns + nl] = 1.0
                        g["noise_phase"][cursor:cursor + ns + nl] = 1.0
                        g["learn_feedback"][cursor + ns:cursor + ns + nl] = 1.0
                        sched.window[cursor:cursor + ns + nl] = window_index
                    window_index += 1
                    cursor += ns + nl
        if mode == "train":
            cursor += o.steps(o.resettle)
            restart_error_pathway(cursor)
            g["nudge"][cursor:cursor + o.steps(o.nudge)] = 1.0
    sched.active_steps = int(g["active"].sum())
    tick = layout.sample_steps
    sched.end_step = min(total, -(-(n_samples * per) // tick) * tick + 1)
    return sched
