"""A built nengo model and its simulator, and the phases of one sample presentation (DESIGN.md section 4):
free phase (settle, then average the output) -> noise phase (feedback learning) -> nudged phase (forward
learning). The model is built once and reused: samples, errors and noise enter through the Presentation."""
from __future__ import annotations

import nengo
import numpy as np

from ...network.lif_rate import TAU_REF
from ...hardware import modeled_chip
from ..spike_totals import call_counts
from ..train_state import TrainState
from .network_builder import build_nengo_network
from .options import NengoOptions
from .presentation import Phase, Presentation
from .simulator_io import (
    forward_weights,
    read_params,
    copy_neuron_state,
    take_reconstruction_totals,
    write_params,
)


def runtime_key(state: TrainState, options: NengoOptions) -> tuple:
    """What the built model depends on besides its learned weights: shapes, rule, options, fixed feedback, fixed
    hidden layers (options.frozen_hidden), chip."""
    rule = state.rule
    fixed = () if rule.has_trained_feedback else tuple(
        state.feedback_params[k].tobytes() for k in sorted(state.feedback_params))
    if options.frozen_hidden:
        L = state.spec.n_layers
        fixed += tuple(state.forward_params[f"{p}{i}"].tobytes() for i in range(1, L) for p in ("W", "b"))
    chip = modeled_chip(state.chip)
    return (state.spec, type(rule), rule.output_step(), rule.has_trained_feedback, options, fixed,
            () if chip is None else chip.key)


class Runtime:
    """One built model, its simulator and the phase schedule."""

    def __init__(self, state: TrainState, options: NengoOptions, seed: int = 0):
        self.options = options
        self.key = runtime_key(state, options)
        self.presentation = Presentation(state.spec)
        self.net = build_nengo_network(state, options, self.presentation, seed=seed)
        with np.errstate(divide="ignore"):     # nengo reports max rates of gain-1, bias-0 neurons via log1p(1/0)
            self.sim = nengo.Simulator(self.net, dt=options.dt, progress_bar=options.progress_bar, seed=seed)
        self.simulated_steps = 0

    # -- parameters ----------------------------------------------------------------------------------
    def load(self, state: TrainState) -> None:
        write_params(self.sim, self.net, state.forward_params, state.feedback_params)

    def store(self, state: TrainState) -> None:
        read_params(self.sim, self.net, state.forward_params, state.feedback_params)

    def seed_rounding(self, rng: np.random.Generator) -> None:
        """Give every weight store its own generator for this call's stochastic rounding, seeded from ``rng``
        in store order (nengo may run the rule operators in any order; drawing the seeds advances ``rng``, so
        a resumed run continues the stream). No chip: ``rng`` is not touched."""
        stores = self.net.weight_stores
        if stores:
            for store, seed in zip(stores, rng.integers(0, 2 ** 63, size=len(stores))):
                store.rng = np.random.default_rng(int(seed))

    def reconstruction_loss(self) -> float:
        """Sum over hidden layers of mean(err^2) / mean(u^2) in the gated noise windows since the last call
        (1 for Q_i = 0, 0 for a perfect reconstruction); NaN if no feedback learning ran."""
        totals = [t for t in take_reconstruction_totals(self.sim, self.net) if t[2] > 0]
        return float(sum(t[0] / t[1] for t in totals)) if totals else float("nan")

    # -- phases --------------------------------------------------------------------------------------
    def run(self, seconds: float) -> None:
        steps = self.options.steps(seconds)
        self.sim.run_steps(steps, progress_bar=False)
        self.simulated_steps += steps

    def free_phase(self, x: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        """Show ``x``, let the network settle, return the mean output readout r_L^free (logits). On a chip
        with activity noise or offsets, a fresh noise sample from ``rng`` is held for this sample."""
        p = self.presentation
        p.x[:] = x
        if self.net.chip_noise is not None:
            weight = lambda i: forward_weights(self.sim, self.net, i)  # noqa: E731
            p.chip_current[:] = self.net.chip_noise.currents(rng, weight)
        p.phase = Phase.FREE
        self.run(self.options.settle)
        p.averaging = True
        self.run(self.options.average)
        p.averaging = False
        return self.net.output_unit.acc.copy()

    def noise_phase(self, rng: np.random.Generator) -> None:
        """``noise_windows`` windows per hidden layer, one layer at a time: a fresh noise current in that layer,
        the error pathway restarted, feedback plasticity on after the settle part of the window; the output
        unit sends the deviation from its free-phase average. Then the noise stops and the network settles back
        (on a chip the rules commit Q_i in the first step of that, and the next applies it)."""
        p = self.presentation
        p.phase = Phase.NOISE
        p.noise_hold = 1.0
        for noise in [n for n in p.noise for _ in range(self.options.noise_windows)]:
            noise[:] = self.options.noise_current * rng.standard_normal(noise.shape)
            self.restart_pathway()
            p.noise_gate = 0.0
            self.run(self.options.noise_settle)
            p.noise_gate = 1.0
            self.run(self.options.noise_learn)
            p.silence_noise()
        p.noise_hold = 0.0
        p.phase = Phase.FREE
        self.run(max(self.options.resettle, 2 * self.options.dt) if self.net.weight_stores else self.options.resettle)

    def nudged_phase(self, label: int) -> None:
        """The label is shown, the error pathway restarts and carries t_L - r_L^free, which the output unit
        computes from its free-phase average and the label; the forward rules learn. One closing step with the
        gate shut applies the weight change computed in the phase's last step (nengo adds a rule's delta to
        the weights one step after computing it), so no change is left pending when the weights are read;
        on a chip the rules commit the window's change in that step, and a second step applies it."""
        p = self.presentation
        p.label[:] = 0.0
        p.label[int(label)] = 1.0
        self.restart_pathway()
        p.phase = Phase.NUDGE
        self.run(self.options.nudge)
        p.phase = Phase.FREE
        self.run(self.options.dt * (2 if self.net.weight_stores else 1))

    def restart_pathway(self) -> None:
        """The error pathway starts afresh from the next step: the apical compartments drop what they hold
        (Presentation.restart_pathway), and every neuron of a non-linear feedback map's F+ takes the membrane state
        of its partner in F- (whose input never carries a nudge), so that the pairs fire in lockstep until the
        nudge drives F+ (feedback_populations.py)."""
        self.presentation.restart_pathway()
        for pair in self.net.feedback_populations:
            if len(pair) == 2:
                copy_neuron_state(self.sim, pair[1], pair[0])

    def hidden_rates(self, x: np.ndarray) -> list[np.ndarray]:
        """Normalised rates (spike count * tau_ref / window) of the hidden layers for one input, no learning
        (chip noise, if any, held at its last sample)."""
        p = self.presentation
        p.x[:] = x
        p.phase = Phase.FREE
        self.run(self.options.settle)
        monitors = [self.net.monitors[f"layer {i}"] for i in range(1, len(self.net.layers))]
        for m in monitors:
            m.window[:] = 0.0
        p.counting = True
        self.run(self.options.rate_window)
        p.counting = False
        steps = self.options.steps(self.options.rate_window)
        return [m.spikes(m.window) * TAU_REF / (steps * self.options.dt) for m in monitors]

    # -- spike accounting ----------------------------------------------------------------------------
    def reset_counts(self) -> None:
        for m in self.net.monitors.values():
            m.total[:] = 0.0
        self.simulated_steps = 0

    def counts(self, n_samples: int) -> dict:
        """Spikes and synaptic events (spikes x fan-out) per population since reset_counts()."""
        spikes = {name: int(round(m.spikes(m.total).sum())) for name, m in self.net.monitors.items()}
        sizes = self.net.presentation.spec.layer_sizes
        return call_counts(sizes, spikes, n_samples, self.simulated_steps * self.options.dt, self.net.links,
                           self.net.difference_correction)
