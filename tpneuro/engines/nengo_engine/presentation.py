"""What the running network is shown: the current sample, its label, the phase and the noise currents; and the
Node functions that compute inside the simulation from what it shows (the output unit's error, the apical
compartments' restarts).

The nengo model is built once; the engine changes inputs between ``Simulator.run_steps`` calls by setting
the fields of a :class:`Presentation`, which the model's Nodes read every time step, as brian2 reads its
TimedArray gates (DESIGN.md section 4, phases per sample: free -> noise (feedback learning) -> nudged
(forward learning)).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import partial

import numpy as np

from ...network.architecture import NetworkSpec
from ...network.loss import softmax


class Phase(Enum):
    FREE = "free"        # forward pass only, error pathway silent, no plasticity
    NOISE = "noise"      # noise current in one hidden layer, error pathway carries r_L^free - r_L(t)
    NUDGE = "nudge"      # error pathway carries the held t_L - r_L^free, forward plasticity on


@dataclass
class Presentation:
    """Mutable state read by the model's Nodes; one instance per built model."""

    spec: NetworkSpec
    x: np.ndarray = None
    label: np.ndarray = None             # onehot(y) of the sample, read by the output unit in the nudged phase
    phase: Phase = Phase.FREE
    restarts: int = 0                    # pathway restarts so far (start of every noise window and nudge)
    noise: list[np.ndarray] = None       # noise current per hidden layer (index i-1 for layer i)
    noise_gate: float = 0.0              # feedback plasticity on (1) or off (0)
    noise_hold: float = 0.0              # 1 through a noise phase: a chip commits Q_i when it drops to 0
    averaging: bool = False              # output readout accumulated for the free-phase average
    counting: bool = False               # spikes counted into the measurement window
    recording: bool = False              # spike trains recorded for raster plots
    chip_current: list[np.ndarray] = None   # per layer 1..L: a chip's offset and noise current (chip_noise.py)
    monitors: dict = field(default_factory=dict)

    def __post_init__(self):
        sizes = self.spec.layer_sizes
        self.x = np.zeros(sizes[0])
        self.label = np.zeros(sizes[-1])
        self.noise = [np.zeros(n) for n in sizes[1:-1]]
        self.chip_current = [np.zeros(n) for n in sizes[1:]]

    # -- Node functions -----------------------------------------------------------------------------
    def stimulus(self, t):
        """Input node: the current sample x."""
        return self.x

    def label_source(self, t):
        """Label node: onehot(y) of the current sample."""
        return self.label

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
    def restart_pathway(self) -> None:
        """The error pathway starts afresh from the next step (the first step of a noise window or a nudge):
        the apical compartments drop what their filters still hold (:class:`ApicalCompartment`)."""
        self.restarts += 1

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


class OutputUnit:
    """The output layer's error unit (a Node function; brian2's output group computes the same): from the smoothed
    readout rf and the label input it keeps the free-phase average acc of rf (over the steps the presentation
    is ``averaging``) and sends the error pathway

    - t_L - r_L^free = beta (label - softmax(acc)) in the nudged phase (Meulemans et al. 2020, arXiv 2006.14331,
      Eq. 4 with batch size 1: -beta dL/dh_L of the cross-entropy at the free-phase output),
    - acc - rf = -dr_L in the noise phase (the output deviation that the noise current causes), when
      ``noise_error`` (the rule trains its feedback by the difference reconstruction loss); else 0,
    - 0 in the free phase.

    Its input is [rf, label] (2 n_L); ``acc`` is what the engine reads as the sample's free-phase output.
    """

    def __init__(self, presentation: Presentation, n: int, beta: float, noise_error: bool = True):
        self.presentation, self.n, self.beta, self.noise_error = presentation, n, beta, noise_error
        self.acc = np.zeros(n)
        self._sum, self._steps, self._averaging = np.zeros(n), 0, False

    def __call__(self, t, x):
        p, rf, label = self.presentation, x[:self.n], x[self.n:]
        if p.averaging:
            if not self._averaging:              # a new averaging window starts
                self._sum[:], self._steps = 0.0, 0
            self._sum += rf
            self._steps += 1
            self.acc = self._sum / self._steps
        self._averaging = p.averaging
        if p.phase is Phase.NUDGE:
            return self.beta * (label - softmax(self.acc[None])[0])
        if p.phase is Phase.NOISE and self.noise_error:
            return self.acc - rf
        return np.zeros(self.n)


class ApicalCompartment:
    """The apical compartment of one layer (a Node function on the lowpass-filtered feedback input): it starts
    afresh at every pathway restart (the first step of a noise window or a nudge), as brian2 clears its apical
    variable there (tpneuro.engines.brian2_engine.plasticity.APICAL_RESTART), and it opens the forward rules'
    gate in the nudged phase only. Output [A, g A] (2 n): A, the compartment's signal since the restart, for the
    layer's difference coders (layer-wise feedback); g A with g = 1 in the nudged phase, else 0, for the forward
    rules.

    The filter is linear and nengo's Lowpass is exact for piecewise constant input (x_{k+1} = a x_k + (1 - a)
    u_k, a = exp(-dt / tau)), so the free decay of what it held at the restart, a^k x_restart at step k after
    it, is subtracted exactly; what is left rises from 0 as the forward rate constant assumes
    (SpikingOptions.nudge_integral). Without the restart the noise phase's output deviations leaked into the
    forward rule and broke the cross-entropy invariant sum_k dW_L[k, :] = 0."""

    def __init__(self, presentation: Presentation, n: int, decay: float):
        self.presentation, self.n, self.decay = presentation, n, decay
        self.before, self.last = np.zeros(n), np.zeros(n)
        self.factor, self.restarts = 0.0, presentation.restarts
        self.recorded: list[np.ndarray] = []      # the compartment's signal A per step while presentation.recording

    def __call__(self, t, filtered):
        p = self.presentation
        if p.restarts != self.restarts:
            self.restarts = p.restarts
            self.before[:] = self.last
            self.factor = 1.0
        self.last[:] = filtered
        self.factor *= self.decay
        apical = filtered - self.factor * self.before if self.factor > 0.0 else filtered.copy()
        if p.recording:
            self.recorded.append(apical.copy())
        return np.concatenate([apical, apical if p.phase is Phase.NUDGE else np.zeros(self.n)])
