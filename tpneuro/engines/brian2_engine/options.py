"""Settings of the brian2 engine: code-generation target, neuron model, time step, phase durations and the
in-simulation learning rates.

In-simulation plasticity replaces the Adam optimizers of the rate engine (a config's ``optimizer`` and
``feedback_optimizer`` are not used by this engine):

- forward weights: one nudged phase is one SGD step of size ``learning_rate / beta`` on the local loss
  ||t_i - h_i||^2 (Meulemans et al. 2020, arXiv 2006.14331, Eq. 5; ``learning_rate`` is the paper's effective
  step lr/beta): dW_i/dt = kappa s'(J_i) (t_i - h_i) h_{i-1}^T with kappa = 2 learning_rate / (beta T) and
  T = nudge_integral() (tpneuro.engines.spiking_schedule.forward_rate_constant);
- feedback weights: dQ_i/dt = (feedback_learning_rate / p) (u_i - Q_i dr_L) dr_L^T in the gated part of the
  noise windows (normalised LMS on the difference reconstruction loss; see plasticity.py).

The weight changes accumulate in the synapses and are written once per sample (a chip's learning epoch),
rounded onto the chip's grid when a hardware profile is set.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

from ...errors import ConfigError
from ..spiking_schedule import apical_rise_integral

TARGETS = ("cpp_standalone", "cython", "numpy")
NEURON_MODELS = ("auto", "lif", "loihi_cuba")

_SOURCE = "brian2 engine"


@dataclass(frozen=True)
class Brian2Options:
    """All durations in seconds of simulated time."""

    target: str = "cpp_standalone"       # brian2 code generation: cpp_standalone | cython | numpy
    neuron_model: str = "auto"           # lif | loihi_cuba | auto (loihi_cuba on a profile named loihi*, else lif)
    dt: float = 1e-4                     # s; LIF spike times are quantised to dt
    synapse: float = 0.005               # forward synapses (exponential current) and presynaptic traces
    feedback_synapse: float = 0.01       # error pathway -> apical compartments, error traces
    readout_synapse: float = 0.01        # smoothing of the output readout before the error populations
    settle: float = 0.04                 # free phase before anything is measured
    average: float = 0.02                # free-phase output averaged for the loss and the target t_L
    nudge: float = 0.03                  # nudged phase: error pathway on, forward plasticity on
    noise_windows: int = 2               # noise windows per hidden layer and sample, each with a fresh draw
    noise_settle: float = 0.015          # start of each noise window, feedback plasticity still off
    noise_learn: float = 0.02            # rest of each noise window, feedback plasticity on
    resettle: float = 0.015              # after the noise phase, before the nudged phase
    rate_window: float = 0.3             # spike-count window of the rates() probe
    learning_rate: float = 0.2           # SGD step per sample on the local losses, times beta
    feedback_learning_rate: float = 3.0  # per second of gated time, normalised rate of the Q rule
    power_tau: float = 0.1               # s of gated time, running error power that normalises the Q rule
    noise_current: float = 0.5           # std of the noise current (threshold current = 1)
    error_rate: float = 1000.0           # Hz of an ON/OFF error neuron per unit of |t_L - r_L| / beta
    samples_per_run: int = 32            # training samples per compiled run (the binary's capacity)
    directory: str = ""                  # cpp_standalone project root ("" = a temporary directory)

    def __post_init__(self):
        if self.target not in TARGETS:
            raise ConfigError(_SOURCE, "target", f"unknown target {self.target!r}", f"use one of {', '.join(TARGETS)}")
        if self.neuron_model not in NEURON_MODELS:
            raise ConfigError(_SOURCE, "neuron_model", f"unknown neuron model {self.neuron_model!r}",
                              f"use one of {', '.join(NEURON_MODELS)}")
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type in ("float", "int") and not value > 0:
                raise ConfigError(_SOURCE, f.name, f"must be > 0 (got {value!r})", "give a positive number")
        for name in ("settle", "average", "nudge", "noise_settle", "noise_learn", "resettle", "rate_window",
                     "synapse", "feedback_synapse", "readout_synapse"):
            if getattr(self, name) < self.dt:
                raise ConfigError(_SOURCE, name, f"{getattr(self, name)} s is shorter than dt = {self.dt} s",
                                  "make every phase and time constant at least one time step long")
        if self.error_rate * self.dt > 0.5:
            raise ConfigError(_SOURCE, "error_rate", f"{self.error_rate} Hz fires more than once per two steps "
                              f"at dt = {self.dt} s", "lower error_rate or dt")

    def build_options(self) -> Brian2Options:
        """These options less the ones that are values of a run (learning rates, noise size, project root):
        builds that differ only in those share one compiled program."""
        return replace(self, learning_rate=1.0, feedback_learning_rate=1.0, noise_current=1.0, directory="")

    def nudge_integral(self) -> float:
        """Effective duration of the nudged phase: its length less the rise of the apical trace."""
        return apical_rise_integral(self.nudge, self.feedback_synapse)

    def steps(self, seconds: float) -> int:
        """Number of time steps of a phase."""
        return max(1, int(round(seconds / self.dt)))

    def with_dt(self, dt: float | None) -> Brian2Options:
        return self if dt is None or dt == self.dt else replace(self, dt=dt)
