"""The settings both spiking engines share (DESIGN.md section 4): time step, synapses, the durations of the
phases of one sample (free -> noise -> nudged), the in-simulation learning rates, the noise current and the
error pathway's rate, with their validation. Each engine's options dataclass extends this one with its
own settings and defaults (tpneuro.engines.brian2_engine.options, tpneuro.engines.nengo_engine.options).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import ClassVar

from ..errors import ConfigError
from .spiking_schedule import apical_rise_integral, apical_time_constants

# settings that must last at least one time step
STEP_BOUNDED: tuple[str, ...] = ("settle", "average", "nudge", "noise_settle", "noise_learn", "resettle", "rate_window")


@dataclass(frozen=True)
class SpikingOptions:
    """All durations in seconds of simulated time."""

    source: ClassVar[str] = "spiking engine"      # named in errors, e.g. "brian2 engine"
    step_bounded: ClassVar[tuple[str, ...]] = STEP_BOUNDED

    dt: float = 0.001                    # simulation time step
    synapse: float = 0.005               # forward synapses and the presynaptic traces of the forward rule
    feedback_synapse: float = 0.01       # error pathway -> apical compartments, and the feedback rule's traces
    readout_synapse: float = 0.01        # smoothing of the output readout before the error populations
    settle: float = 0.04                 # free phase before anything is measured
    average: float = 0.02                # free-phase output averaged for the loss and the target t_L
    nudge: float = 0.03                  # nudged phase: error pathway on, forward plasticity on
    noise_windows: int = 2               # noise windows per hidden layer and sample, each with a fresh draw
    noise_settle: float = 0.015          # start of each noise window, feedback plasticity still off
    noise_learn: float = 0.02            # rest of each noise window, feedback plasticity on
    resettle: float = 0.015              # after the noise phase, before the nudged phase
    rate_window: float = 0.3             # spike-count window of the rates() probe
    learning_rate: float = 0.1           # SGD step per sample on the local losses, times beta (replaces Adam)
    hidden_learning_rate: float | None = None   # the same for the hidden layers' W_i, b_i (None: learning_rate)
    feedback_learning_rate: float = 3.0  # per second of gated time, normalised rate of the feedback (Q) rule
    power_tau: float = 0.1               # s of gated time, averaging of the error power that normalises it
    reconstruction_learning_rate: float = 1.0   # SGD step per sample on a non-linear feedback population's layer
                                                # reconstruction loss (Lee et al. 2015, Eq. 13; TP and DTP)
    feedback_neurons_per_unit: int = 16  # LIF neurons per unit of a non-linear feedback map g (each of F+ and F-),
                                         # at spread phases: their mean rate change resolves g(t) - g(h)
    noise_current: float = 0.5           # std of the noise current (threshold current = 1)
    error_rate: float = 1000.0           # Hz of an ON/OFF error neuron per unit of |t_L - r_L| / beta
    frozen_hidden: bool = False          # control: only the readout W_L, b_L learns (hidden W_i, b_i and Q_i fixed,
                                         # no noise phase): what the hidden layers' learning adds is the margin over it

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            optional = f.type.endswith(" | None")
            kind = f.type.removesuffix(" | None")
            if value is None and optional:
                continue
            unset = ", or leave it unset" if optional else ""
            if kind in ("float", "int"):
                number = isinstance(value, int) if kind == "int" else isinstance(value, (int, float))
                if isinstance(value, bool) or not number or not math.isfinite(value):
                    raise ConfigError(self.source, f.name, f"must be a finite {'whole number' if kind == 'int' else 'number'}"
                                      f" (got {value!r})", f"give a positive {'whole ' if kind == 'int' else ''}number{unset}")
                if not value > 0:
                    raise ConfigError(self.source, f.name, f"must be > 0 (got {value!r})", f"give a positive number{unset}")
            elif kind == "str" and not isinstance(value, str):
                raise ConfigError(self.source, f.name, f"must be text (got {value!r})", "give the setting as text")
        if not isinstance(self.frozen_hidden, bool):
            raise ConfigError(self.source, "frozen_hidden", f"must be true or false (got {self.frozen_hidden!r})",
                              "give true or false")
        for name in self.step_bounded:
            if getattr(self, name) < self.dt:
                raise ConfigError(self.source, name, f"{getattr(self, name)} s is shorter than dt = {self.dt} s",
                                  "make every phase and time constant at least one time step long")

    def nudge_integral(self, time_constants: tuple[float, ...] | None = None) -> float:
        """Effective duration of the nudged phase: its length less the rise of the apical trace through synapses
        of ``time_constants`` in series (tpneuro.engines.spiking_schedule.apical_rise_integral; None: one feedback
        synapse, as for direct feedback; layer i of a layer-wise chain gets the synapses of its links,
        :meth:`apical_time_constants`)."""
        return apical_rise_integral(self.nudge, time_constants or (self.feedback_synapse,))

    def apical_time_constants(self, layer: int, links) -> tuple[float, ...]:
        """The synapses in series from the output error to layer ``layer``'s apical compartment along the
        feedback ``links`` (tpneuro.engines.spiking_schedule.apical_time_constants)."""
        return apical_time_constants(layer, links, self.synapse, self.feedback_synapse)

    def steps(self, seconds: float) -> int:
        """Number of time steps of a phase."""
        return max(1, int(round(seconds / self.dt)))

    def layer_learning_rate(self, i: int, n_layers: int) -> float:
        """The SGD step per sample of layer i's W_i and b_i: ``learning_rate`` for the output layer
        (i = n_layers), ``hidden_learning_rate`` (if set) for the hidden layers. A per-layer step stands in for
        the per-parameter step normalisation that Adam gives the rate engine (nengo_engine/options.py has the
        digits runs that motivated it)."""
        if i < n_layers and self.hidden_learning_rate is not None:
            return self.hidden_learning_rate
        return self.learning_rate

    def scaled_learning_rates(self, factor: float):
        """These options with every learning rate times ``factor`` (the epoch's training.lr_schedule factor,
        TrainState.lr_scale); these options when ``factor`` is 1."""
        if factor == 1.0:
            return self
        hidden = None if self.hidden_learning_rate is None else self.hidden_learning_rate * factor
        return replace(self, learning_rate=self.learning_rate * factor, hidden_learning_rate=hidden,
                       feedback_learning_rate=self.feedback_learning_rate * factor,
                       reconstruction_learning_rate=self.reconstruction_learning_rate * factor)

    def with_dt(self, dt: float | None):
        """The same options at time step ``dt`` (these options when ``dt`` is None or unchanged)."""
        return self if dt is None or dt == self.dt else replace(self, dt=dt)
