"""How tpneuro's spiking network reads as NIR nodes, and back (Pedersen et al. 2024, Nat. Commun. 15:8122).

**tpneuro's spiking inference** (tpneuro.engines.brian2_engine.equations, nengo_engine.network_builder): the
inputs are regular-firing rate coders at x_j / tau_ref Hz; hidden layer i is current-based LIF,

    tau_syn dI/dt = -I + tau_ref W_i S_{i-1}(t),    tau_rc dv/dt = I + b_i - v,    spike when v > 1, v <- 0,

(S a sum of unit Dirac impulses, tau_syn = ``synapse``, tau_rc = 0.02 s, tau_ref = 0.002 s also the refractory
period, threshold current 1; tpneuro.network.lif_rate); the output is the readout r_L = I_L + b_L of layer
L's synaptic current, and the prediction is the argmax of its mean over the last ``average`` seconds of a
free phase of ``settle + average`` seconds.

**NIR's CubaLIF** (nir.CubaLIF): tau_syn dI/dt = -I + w_in S, tau_mem dv/dt = (v_leak - v) + r I, spike when
v > v_threshold, v <- v_reset. The simulators that read NIR step it with a time step dt and take a spike as a
1 in one step; snnTorch's and Spyx's importers both compute I <- alpha I + x, v <- beta v + I with
alpha = 1 - dt/tau_syn, beta = 1 - dt/tau_mem, which is forward Euler of NIR's equations with
w_in = tau_syn/dt and r = tau_mem/dt, the values their exporters write (snnTorch requires exactly these and
v_leak = 0; Spyx ignores r, w_in and v_leak). tpneuro writes its network in that convention at the engine's
dt. Dividing the soma equation by tau_rc/dt shows that it is tpneuro's with the current scaled by dt/tau_rc:

    Affine_i:   weight = W_i dt tau_ref / (tau_rc tau_syn),   bias = b_i dt^2 / (tau_rc tau_syn)   (hidden i < L)
    CubaLIF_i:  tau_syn, tau_mem = tau_rc, r = tau_rc/dt, w_in = tau_syn/dt, v_leak = 0, v_threshold = 1, v_reset = 0
    Affine_L:   weight = W_L tau_ref / dt,   bias = b_L      (its mean output over the readout steps is W_L h + b_L)

What NIR cannot say: the refractory period (NIR's neurons have none; the graph has no refractory period,
and ``metadata["refractory_period"]`` records the engine's), and a bias current straight into the soma (v_leak
is refused by snnTorch and ignored by Spyx), so b_i enters through the synapse and reaches its full size
after a few tau_syn of the settle phase. Inputs are the spike trains of the regular coders
(:func:`regular_spike_trains`), one row of spikes per step.

What a tool must add to reproduce an engine's predictions exactly (:func:`engine_differences`, written into the
graph's note): the refractory period (v held at 0 for round(tau_ref/dt) steps, the spike step included), the
engine's integration (the brian2 engine's ``lif`` neuron decays I and v exactly, by exp(-dt/tau) per step; its
``loihi_cuba`` steps forward Euler as the importers do), and the readout of the output layer's synaptic current
(the last Affine output low-passed with tau_syn) instead of the Affine output itself. Every one of them moves
spike times by a fraction of a step or a few steps; on a trained network they change only predictions that are
near ties between two classes (benchmarks/bench_nir.py measures how many).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engines.brian2_engine.options import Brian2Options
from ..engines.spiking_options import SpikingOptions
from ..network.lif_rate import TAU_RC, TAU_REF

NEURON_THRESHOLD = 1.0      # threshold current of tpneuro's LIF (tpneuro.network.lif_rate)
# the engine whose neuron model a rate-engine run is written as: brian2, whose default dt (0.1 ms) is also
# the fixed dt of snnTorch's NIR import (snntorch/import_nir.py)
RATE_RUN_ENGINE = "brian2"


@dataclass(frozen=True)
class SpikingMapping:
    """The time constants and time steps of one spiking inference: the numbers the graph is written with.

    ``dt`` (s) is the simulation step, ``settle_steps + readout_steps`` the steps of one presentation and
    ``readout_steps`` the final steps whose mean output is the prediction."""

    dt: float
    tau_syn: float
    settle_steps: int
    readout_steps: int
    tau_mem: float = TAU_RC
    tau_ref: float = TAU_REF

    @classmethod
    def from_options(cls, options: SpikingOptions | None, *, dt: float | None = None, settle: float | None = None,
                     average: float | None = None) -> "SpikingMapping":
        """The mapping of a spiking engine's validated ``options`` (None, as for a rate-engine run: brian2's
        defaults), with ``dt``, ``settle`` and ``average`` (s) overriding them."""
        opts = options if isinstance(options, SpikingOptions) else Brian2Options()
        dt = opts.dt if dt is None else dt
        settle = opts.settle if settle is None else settle
        average = opts.average if average is None else average
        return cls(dt=dt, tau_syn=opts.synapse, settle_steps=max(1, round(settle / dt)),
                   readout_steps=max(1, round(average / dt)))

    @property
    def steps(self) -> int:
        return self.settle_steps + self.readout_steps

    def hidden_scale(self) -> float:
        """Affine weight per tpneuro weight of a hidden layer: dt tau_ref / (tau_rc tau_syn)."""
        return self.dt * self.tau_ref / (self.tau_mem * self.tau_syn)

    def hidden_bias_scale(self) -> float:
        """Affine bias per tpneuro bias of a hidden layer: dt^2 / (tau_rc tau_syn)."""
        return self.dt * self.dt / (self.tau_mem * self.tau_syn)

    def output_scale(self) -> float:
        """Affine weight per tpneuro weight of the output layer: tau_ref / dt (spikes per step -> rates)."""
        return self.tau_ref / self.dt

    def layer_scales(self, i: int, n_layers: int) -> tuple[float, float]:
        """(weight scale, bias scale) of layer i of n_layers."""
        if i < n_layers:
            return self.hidden_scale(), self.hidden_bias_scale()
        return self.output_scale(), 1.0

    def neuron_parameters(self, n: int) -> dict[str, np.ndarray]:
        """The CubaLIF parameters of a hidden layer of n neurons."""
        full = lambda value: np.full(n, float(value))   # noqa: E731
        return {"tau_syn": full(self.tau_syn), "tau_mem": full(self.tau_mem), "r": full(self.tau_mem / self.dt),
                "v_leak": full(0.0), "v_threshold": full(NEURON_THRESHOLD), "v_reset": full(0.0),
                "w_in": full(self.tau_syn / self.dt)}

    def metadata(self) -> dict:
        return {"dt": self.dt, "tau_syn": self.tau_syn, "tau_mem": self.tau_mem, "settle_steps": self.settle_steps,
                "readout_steps": self.readout_steps, "refractory_period": self.tau_ref,
                "input_rate_per_unit": 1.0 / self.tau_ref}

    @classmethod
    def from_metadata(cls, meta: dict) -> "SpikingMapping":
        return cls(dt=float(meta["dt"]), tau_syn=float(meta["tau_syn"]), settle_steps=int(meta["settle_steps"]),
                   readout_steps=int(meta["readout_steps"]), tau_mem=float(meta["tau_mem"]),
                   tau_ref=float(meta["refractory_period"]))


def regular_spike_trains(x: np.ndarray, steps: int, dt: float, tau_ref: float = TAU_REF) -> np.ndarray:
    """Spikes (steps, batch, n_0) of tpneuro's input coders for inputs ``x`` (batch, n_0): each integrates
    v <- v + max(x, 0) dt / tau_ref from 0 and spikes when v > 1, then v <- v - 1 (forward Euler of
    tpneuro.engines.brian2_engine.equations.input_equations; regular firing at x / tau_ref Hz)."""
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, None)
    v = np.zeros_like(x)
    out = np.zeros((steps,) + x.shape, dtype=np.float32)
    for t in range(steps):
        v += x * (dt / tau_ref)
        fired = v > 1.0
        v -= fired
        out[t] = fired
    return out


def engine_differences(mapping: SpikingMapping, neuron_model: str) -> str:
    """What a NIR tool stepping the graph forward in time must add to reproduce the spiking engine of
    ``neuron_model`` (see the module docstring)."""
    integration = ("forward Euler, as the graph's importers step it" if neuron_model == "loihi_cuba"
                   else "exact decay of I and v, by exp(-dt/tau) per step")
    return (f"to reproduce tpneuro's spiking engines a tool must add a refractory period of {mapping.tau_ref} s "
            f"(v held at 0 for {round(mapping.tau_ref / mapping.dt)} steps, the spike step included), integrate "
            f"the hidden layers with {integration}, and read out the last Affine output low-passed with tau_syn = "
            f"{mapping.tau_syn} s (the output layer's synaptic current) before the mean over the readout steps")
