"""Settings of the nengo engine: time step, synapses, phase durations and the in-simulation learning rates.

In-simulation plasticity replaces the Adam optimizers of the rate engine (``optimizer`` and
``feedback_optimizer`` of a config are not used by this engine):

- forward weights: each presented sample is one SGD step of size ``learning_rate / beta`` on the local
  losses ||t_i - h_i||^2 (Meulemans et al. 2020, arXiv 2006.14331, Eq. 5; t_i - h_i scales with beta, so
  ``learning_rate`` is the paper's effective step lr/beta), spread over the nudged phase:
  dW_i/dt = (2 learning_rate / (beta T)) s'(J_i) (t_i - h_i) h_{i-1}^T with T = nudge_integral() (about the
  nudged phase less the rise time of the apical trace);
  the default 0.1 is half the brian2 engine's 0.2: on digits (64-64-10, benchmarks/bench_nengo.py, seed 0)
  0.2 peaked at 70.8 % test accuracy after 2 epochs and fell to 53-57 % by epochs 4-6 (presumably per-sample
  steps near the LMS stability limit of the readout; not measured), 0.1 reached 85.6 % after 3 epochs, 0.05
  rose to ~80 % and stayed there (74-81 % over epochs 4-7);
- feedback weights: dQ_i/dt = (feedback_learning_rate / p) (u_i - Q_i dr_L) dr_L^T in the gated part of the
  noise phase, where u_i is the rate deviation the noise current causes in layer i and p the running power
  ||dr_L||^2 (normalised LMS; see feedback_rule.py).
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

from ...errors import ConfigError
from ..spiking_schedule import apical_rise_integral


@dataclass(frozen=True)
class NengoOptions:
    """All durations in seconds of simulated time."""

    dt: float = 0.001                    # nengo's default time step
    synapse: float = 0.005               # forward synapses (lowpass tau) and the presynaptic traces of the forward rule
    feedback_synapse: float = 0.01       # error pathway -> apical compartments, and the feedback rule's traces
    readout_synapse: float = 0.01        # smoothing of the output readout before the error nodes
    settle: float = 0.04                 # free phase before anything is measured
    average: float = 0.02                # free-phase output averaged for the loss and the target t_L
    nudge: float = 0.03                  # nudged phase: error pathway on, forward plasticity on
    noise_windows: int = 2               # noise windows per hidden layer and sample, each with a fresh draw
    noise_settle: float = 0.015          # start of each noise window, feedback plasticity still off
    noise_learn: float = 0.02            # rest of each noise window, feedback plasticity on
    resettle: float = 0.015              # after the noise phase, before the nudged phase
    rate_window: float = 0.3             # spike-count window of the rates() probe
    learning_rate: float = 0.1           # SGD step per sample on the local losses, times beta (replaces Adam)
    feedback_learning_rate: float = 3.0  # per second, normalised rate of the feedback (Q) rule
    power_tau: float = 0.1               # s of gated time, averaging of the error power that normalises it
    noise_current: float = 0.5           # std of the noise current (threshold current = 1)
    error_rate: float = 1000.0           # Hz of an ON/OFF error neuron per unit of |t_L - r_L| / beta
    progress_bar: bool = False           # nengo's progress bars (build; samples per call): False, True or a ProgressBar

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type in ("float", "int") and not value > 0:
                raise ConfigError("nengo engine", f.name, f"must be > 0 (got {value!r})", "give a positive number")
        for name in ("settle", "average", "nudge", "noise_settle", "noise_learn", "resettle", "rate_window"):
            if getattr(self, name) < self.dt:
                raise ConfigError("nengo engine", name, f"{getattr(self, name)} s is shorter than dt = {self.dt} s",
                                  "make every phase at least one time step long")

    def nudge_integral(self) -> float:
        """Integral over the nudged phase of the apical trace's rise 1 - exp(-t / feedback_synapse): the
        effective duration over which the forward rules see the full apical signal."""
        return apical_rise_integral(self.nudge, self.feedback_synapse)

    def steps(self, seconds: float) -> int:
        """Number of time steps of a phase."""
        return max(1, int(round(seconds / self.dt)))

    def with_dt(self, dt: float | None) -> NengoOptions:
        return self if dt is None or dt == self.dt else replace(self, dt=dt)
