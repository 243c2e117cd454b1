"""Step a NIR chain (tpneuro.interchange.nir_import.NirNetwork) in discrete time, a batch of inputs at once.

Each step t takes the input row x_t (a spike or a current per input) through the chain. A dense stage gives
y = W x + b (+ a chip current); a neuron stage integrates y by forward Euler of its nir 1.0 equation with
time step dt, then fires and resets:

- CubaLIF: I <- I + (dt / tau_syn)(w_in y - I);  v <- v + (dt / tau_mem)(v_leak - v + r I)
- LIF:     v <- v + (dt / tau)(v_leak - v + r y)
- IF:      v <- v + dt r y

then s = [v > v_threshold], v <- v_reset where s = 1, and s (times the chip's spike amplitude, if any) goes
on in the same step. With r = tau_mem/dt and w_in = tau_syn/dt (the convention of snnTorch's NIR exporter)
CubaLIF is snnTorch's ``Synaptic`` with reset to zero, I <- alpha I + y, v <- beta v + I, alpha = 1 - dt/tau_syn,
beta = 1 - dt/tau_mem, and LIF is its ``Leaky`` (snntorch/import_nir.py reads them so).

The result is the mean of the last node's output over the last ``readout_steps`` steps (a linear readout, or
the spike rate of a spiking output layer) and every layer's spike count.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .nir_import import NeuronStage, NirNetwork


@dataclass
class SimulationResult:
    """``output`` (batch, n_L): mean output over the readout steps; ``spikes[i - 1]`` (batch, n_i): spikes of
    neuron layer i over all steps (None for a non-spiking output layer); ``input_events``: nonzero inputs
    (spikes, or graded inputs) over all steps."""

    output: np.ndarray
    spikes: list[np.ndarray | None]
    input_events: np.ndarray


class _NeuronState:
    def __init__(self, stage: NeuronStage, batch: int, dt: float):
        p, n = stage.params, np.size(stage.params["v_threshold"])
        self.kind, self.dt = stage.kind, dt
        self.v = np.zeros((batch, n))
        self.i = np.zeros((batch, n)) if stage.kind == "CubaLIF" else None
        self.threshold, self.reset = p["v_threshold"], p["v_reset"]
        if stage.kind == "CubaLIF":
            self.syn_rate, self.w_in = dt / p["tau_syn"], p["w_in"]
            self.mem_rate, self.leak, self.r = dt / p["tau_mem"], p["v_leak"], p["r"]
        elif stage.kind == "LIF":
            self.mem_rate, self.leak, self.r = dt / p["tau"], p["v_leak"], p["r"]
        else:
            self.r = p["r"]

    def step(self, y: np.ndarray) -> np.ndarray:
        if self.kind == "CubaLIF":
            self.i += self.syn_rate * (self.w_in * y - self.i)
            self.v += self.mem_rate * (self.leak - self.v + self.r * self.i)
        elif self.kind == "LIF":
            self.v += self.mem_rate * (self.leak - self.v + self.r * y)
        else:
            self.v += self.dt * self.r * y
        fired = self.v > self.threshold
        self.v = np.where(fired, self.reset, self.v)
        return fired.astype(np.float64)


def simulate(net: NirNetwork, drive: np.ndarray, dt: float, readout_steps: int, *,
             amplitudes: list[np.ndarray | None] | None = None,
             currents: list[np.ndarray | None] | None = None) -> SimulationResult:
    """Run ``net`` on ``drive`` (steps, batch, n_0), the input of every step.

    ``amplitudes[i - 1]`` (n_i,) scales the spikes neuron layer i sends on (a chip's gain mismatch);
    ``currents[i - 1]`` (batch, n_i) is added to dense stage i's output at every step (a chip's offsets and
    noise reaching layer i, tpneuro.engines.nengo_engine.chip_noise). Both default to none.
    """
    steps, batch = drive.shape[0], drive.shape[1]
    if not 1 <= readout_steps <= steps:
        raise ValueError(f"readout_steps must be in 1..{steps}, got {readout_steps}")
    states = [None if n is None else _NeuronState(n, batch, dt) for n in net.neurons]
    spikes = [None if n is None else np.zeros((batch, d.weight.shape[0])) for d, n in zip(net.dense, net.neurons)]
    readout = np.zeros((batch, net.dense[-1].weight.shape[0]))
    input_events = np.zeros(batch)
    weights_t = [d.weight.T.copy() for d in net.dense]
    for t in range(steps):
        x = drive[t]
        input_events += np.count_nonzero(x, axis=1)
        for i, (d, state) in enumerate(zip(net.dense, states)):
            y = x @ weights_t[i] + d.bias
            if currents is not None and currents[i] is not None:
                y = y + currents[i]
            if state is None:
                x = y
                continue
            s = state.step(y)
            spikes[i] += s
            x = s if amplitudes is None or amplitudes[i] is None else s * amplitudes[i]
        if t >= steps - readout_steps:
            readout += x
    return SimulationResult(readout / readout_steps, spikes, input_events)
