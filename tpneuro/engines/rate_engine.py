"""The vectorised rate engine: the reference implementation of every rule, one numpy batch at a time.

Per minibatch, in the order of Meulemans et al. 2020's "parallel" schedule (DESIGN.md section 2):
forward pass -> rule's local forward updates from the targets -> one feedback optimizer step ->
forward optimizer step.
"""
from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..network.forward_pass import forward
from ..network.loss import cross_entropy, softmax
from .allocator import keep_temporaries_in_heap
from .on_chip import chip_transmit, optimizer_step
from .protocol import BatchResult, Evaluation
from .train_state import TrainState


class RateEngine:
    name: ClassVar[str] = "rate"
    eval_batch_size: int = 2000

    def __init__(self):
        keep_temporaries_in_heap()

    def check_supported(self, state: TrainState) -> None:
        """The rate engine runs every rule."""

    def train_batch(self, state, x, y, rng, train_feedback):
        act = forward(state.spec, state.forward_params, x, chip_transmit(state.chip, rng))
        res = cross_entropy(act.output, y)
        updates = state.rule.forward_updates(state.forward_params, state.feedback_params, act, res.grad_output)
        rec = float("nan")
        if train_feedback and state.feedback_optimizer is not None:
            rec = self._feedback_step(state, act, rng)
        optimizer_step(state.forward_optimizer, state.forward_params, state.forward_gradients(updates),
                       state.chip, "forward", rng)
        return BatchResult(res.loss, res.n_correct, rec)

    def _feedback_step(self, state, act, rng) -> float:
        grads, rec = state.rule.feedback_gradients(state.forward_params, state.feedback_params, act, rng)
        optimizer_step(state.feedback_optimizer, state.feedback_params, grads, state.chip, "feedback", rng)
        return rec

    def feedback_batch(self, state, x, rng):
        return self._feedback_step(state, forward(state.spec, state.forward_params, x, chip_transmit(state.chip, rng)), rng)

    def predict(self, state: TrainState, x: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        """Output h_L (logits) for ``x``, in chunks to bound memory. On a chip, ``rng`` draws its noise
        and stochastic units (a fixed default stream when not given, so evaluation is reproducible)."""
        rng = rng if rng is not None else np.random.default_rng(0)
        transmit = chip_transmit(state.chip, rng)
        chunks = [forward(state.spec, state.forward_params, x[s:s + self.eval_batch_size], transmit).output
                  for s in range(0, len(x), self.eval_batch_size)]
        return np.concatenate(chunks) if chunks else np.zeros((0, state.spec.layer_sizes[-1]))

    def evaluate(self, state, x, y, rng=None, passes: int = 1):
        """Loss and accuracy; ``passes`` > 1 averages the softmax over stochastic passes (Lee et al. 2015)."""
        if passes == 1:
            res = cross_entropy(self.predict(state, x, rng), y)
            return Evaluation(res.loss, res.n_correct / max(len(y), 1))
        rng = rng if rng is not None else np.random.default_rng(0)
        probs = np.mean([softmax(self.predict(state, x, rng)) for _ in range(passes)], axis=0)
        picked = np.maximum(probs[np.arange(len(y)), y], np.finfo(probs.dtype).tiny)
        return Evaluation(float(-np.mean(np.log(picked))), float(np.mean(probs.argmax(axis=1) == y)))
