"""The vectorised rate engine: the reference implementation of every rule, one numpy batch at a time.

Per minibatch, in the order of Meulemans et al. 2020's "parallel" schedule (DESIGN.md section 2):
forward pass -> rule's local forward updates from the targets -> one feedback optimizer step ->
forward optimizer step.

On a chip (``state.chip``, DESIGN.md section 5) every layer's activity goes through the chip's units, mismatch and
noise, and after each optimizer step every stored W_i, Q_i is written as the chip stores a change
(tpneuro.hardware.chip_weights.store_changes). With no chip nothing of that runs, so the results are
bit-identical to a run without a profile.
"""
from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..hardware import store_changes
from ..network.forward_pass import Transmit, forward
from ..network.loss import cross_entropy
from ..optimizers import Optimizer
from .allocator import keep_temporaries_in_heap
from .protocol import BatchResult, Engine
from .train_state import TrainState


def chip_transmit(state: TrainState, rng: np.random.Generator) -> Transmit | None:
    """What each layer sends on the state's chip (None: the ideal substrate)."""
    chip = state.chip
    if chip is None:
        return None
    return lambda h, layer: chip.activity(h, layer, rng)


def optimizer_step(state: TrainState, optimizer: Optimizer, grads: dict, pathway: str,
                   rng: np.random.Generator) -> None:
    """One optimizer step on ``pathway``'s parameters; on a chip each stored matrix's change dW is then written as
    the chip writes it, W <- chip.apply_update(W_old, dW) (update resolution and rounding, weight grid)."""
    params = state.params(pathway)
    if state.chip is None:
        optimizer.step(params, grads)
        return
    layers = state.chip_weight_layers(pathway)
    before = {k: params[k].copy() for k in layers if k in grads}
    optimizer.step(params, grads)
    store_changes(state.chip, before, params, layers, pathway, rng)


class RateEngine(Engine):
    name: ClassVar[str] = "rate"
    eval_batch_size: int = 2000

    def __init__(self):
        super().__init__()
        keep_temporaries_in_heap()

    @classmethod
    def averages_passes(cls, profile):
        """Passes differ on a chip with stochastic units or per-pass activity noise."""
        features = profile.features() if profile is not None else {}
        return "units.stochastic_binary" in features or "activity_noise" in features

    def train_batch(self, state, x, y, rng, train_feedback):
        act = forward(state.spec, state.forward_params, x, chip_transmit(state, rng))
        res = cross_entropy(act.output, y)
        updates = state.rule.forward_updates(state.forward_params, state.feedback_params, act, res.grad_output)
        rec = float("nan")
        if train_feedback and state.feedback_optimizer is not None:
            rec = self._feedback_step(state, act, rng)
        optimizer_step(state, state.forward_optimizer, state.forward_gradients(updates), "forward", rng)
        return BatchResult(res.loss, res.n_correct, rec)

    def _feedback_step(self, state, act, rng) -> float:
        grads, rec = state.rule.feedback_gradients(state.forward_params, state.feedback_params, act, rng)
        optimizer_step(state, state.feedback_optimizer, grads, "feedback", rng)
        return rec

    def feedback_batch(self, state, x, rng):
        return self._feedback_step(state, forward(state.spec, state.forward_params, x, chip_transmit(state, rng)), rng)

    def predict(self, state, x, rng=None):
        """Output h_L (logits) for ``x``, in chunks to bound memory. On a chip, ``rng`` draws its noise
        and stochastic units (a fixed default stream when not given, so evaluation is reproducible)."""
        rng = rng if rng is not None else np.random.default_rng(0)
        transmit = chip_transmit(state, rng)
        chunks = [forward(state.spec, state.forward_params, x[s:s + self.eval_batch_size], transmit).output
                  for s in range(0, len(x), self.eval_batch_size)]
        return np.concatenate(chunks) if chunks else np.zeros((0, state.spec.layer_sizes[-1]))
