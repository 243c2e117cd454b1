"""What the running network is shown: the current sample, the phase, the output error and the noise currents.

The nengo model is built once; the engine changes inputs between ``Simulator.run_steps`` calls by setting
the fields of a :class:`Presentation`, which the model's Nodes read every time step (DESIGN.md section 4,
phases per sample: free -> noise (feedback learning) -> nudged (forward learning)).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import partial

import numpy as np

from ...network.architecture import NetworkSpec


class Phase(Enum):
    FREE = "free"        # forward pass only, error pathway silent, no plasticity
    NOISE = "noise"      # noise current in one hidden layer, error pathway carries r_L^free - r_L(t)
    NUDGE = "nudge"      # error pathway carries the held t_L - r_L^free, forward plasticity on


@dataclass
class Presentation:
    """Mutable state read by the model's Nodes; one instance per built model."""

    spec: NetworkSpec
    x: np.ndarray = None
    phase: Phase = Phase.FREE
    error: np.ndarray = None             # t_L - r_L^free, held during the nudged phase
    baseline: np.ndarray = None          # r_L^free, the reference of the noise phase
    noise: list[np.ndarray] = None       # noise current per hidden layer (index i-1 for layer i)
    noise_gate: float = 0.0              # feedback plasticity on (1) or off (0)
    noise_hold: float = 0.0              # 1 through a noise phase: a chip commits Q_i when it drops to 0
    averaging: bool = False              # output readout accumulated for the free-phase average
    counting: bool = False               # spikes counted into the measurement window
    recording: bool = False              # spike trains recorded for raster plots
    output_sum: np.ndarray = None
    output_steps: int = 0
    chip_current: list[np.ndarray] = None   # per layer 1..L: a chip's offset and noise current (chip_noise.py)
    monitors: dict = field(default_factory=dict)

    def __post_init__(self):
        sizes = self.spec.layer_sizes
        self.x = np.zeros(sizes[0])
        self.error = np.zeros(sizes[-1])
        self.baseline = np.zeros(sizes[-1])
        self.noise = [np.zeros(n) for n in sizes[1:-1]]
        self.output_sum = np.zeros(sizes[-1])
        self.chip_current = [np.zeros(n) for n in sizes[1:]]

    # -- Node functions -----------------------------------------------------------------------------
    def stimulus(self, t):
        """Input node: the current sample x."""
        return self.x

    def error_source(self, t, readout):
        """Error node: t_L - r_L (held in the nudged phase, live in the noise phase, 0 when free); also
        accumulates the readout for the free-phase average."""
        if self.averaging:
            self.output_sum += readout
            self.output_steps += 1
        if self.phase is Phase.NUDGE:
            return self.error
        if self.phase is Phase.NOISE:
            return self.baseline - readout
        return np.zeros_like(readout)

    def noise_source(self, layer: int):
        """Noise node of hidden layer ``layer``: its noise current, the feedback plasticity gate and the hold
        flag (a partial of a method, so a built network pickles)."""
        return partial(self._noise_and_gate, layer)

    def _noise_and_gate(self, layer: int, t):
        return np.append(self.noise[layer - 1], (self.noise_gate, self.noise_hold))

    def chip_source(self, layer: int):
        """Chip-noise node of layer ``layer`` (1..L): the current its offsets and noise add to its input."""
        return partial(self._chip_current, layer)

    def _chip_current(self, layer: int, t):
        return self.chip_current[layer - 1]

    # -- engine side ----------------------------------------------------------------------------------
    def start_average(self) -> None:
        self.output_sum[:] = 0.0
        self.output_steps = 0
        self.averaging = True

    def stop_average(self) -> np.ndarray:
        """The mean readout since start_average()."""
        self.averaging = False
        return self.output_sum / max(self.output_steps, 1)

    def silence_noise(self) -> None:
        for n in self.noise:
            n[:] = 0.0
        self.noise_gate = 0.0


class SpikeMonitor:
    """Node function counting one population's spikes (nengo spikes are amplitude / dt per step)."""

    def __init__(self, presentation: Presentation, n_neurons: int, amplitude: float, dt: float):
        self.presentation = presentation
        self.per_spike = amplitude / dt
        self.total = np.zeros(n_neurons)          # all spikes since reset_total()
        self.window = np.zeros(n_neurons)         # spikes while presentation.counting
        self.trains: list[np.ndarray] = []        # per-step spike counts while presentation.recording

    def __call__(self, t, output):
        self.total += output
        if self.presentation.counting:
            self.window += output
        if self.presentation.recording:
            self.trains.append(np.rint(output / self.per_spike).astype(np.int16))

    def spikes(self, which: np.ndarray) -> np.ndarray:
        """Spike counts from an accumulator (``self.total`` or ``self.window``)."""
        return which / self.per_spike


class NudgeGate:
    """Forward plasticity gate of one layer (a Node function): the apical signal reaches the forward rules only
    in the nudged phase, and only the part the nudged phase's own error put there.

    The apical signal is a lowpass-filtered (time constant tau) spike train, so at the start of a nudge it still
    holds the noise phase's output deviations. The filter is linear and nengo's Lowpass is exact for piecewise
    constant input (x_{k+1} = a x_k + (1 - a) u_k, a = exp(-dt / tau)), so the free decay of what it held,
    a^(k+1) A_before at nudge step k, is subtracted exactly; what is left rises from 0 as the forward rate
    constant assumes (SpikingOptions.nudge_integral). Without it the held deviations leaked into the forward
    rule and broke the cross-entropy invariant sum_k dW_L[k, :] = 0 (tpneuro.engines.brian2_engine.plasticity
    clears its apical compartments instead)."""

    def __init__(self, presentation: Presentation, n: int, decay: float):
        self.presentation, self.decay = presentation, decay
        self.before = np.zeros(n)
        self.steps = 0
        self.recorded: list[np.ndarray] = []      # the apical signal per step while presentation.recording

    def __call__(self, t, apical):
        if self.presentation.recording:
            self.recorded.append(apical.copy())
        if self.presentation.phase is not Phase.NUDGE:
            self.before[:] = apical
            self.steps = 0
            return np.zeros_like(apical)
        self.steps += 1
        return apical - self.decay ** self.steps * self.before
