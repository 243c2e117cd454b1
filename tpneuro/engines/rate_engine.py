"""The vectorised rate engine: the reference implementation of every rule, one numpy batch at a time.

Each minibatch is tpneuro.engines.minibatch's sequence (forward pass -> the rule's local forward updates -> one
feedback optimizer step -> forward optimizer step, with the chip's transforms on a chip) on numpy arrays, the
optimizers being tpneuro.optimizers' numpy steps. With no chip nothing of the chip runs, so the results are
bit-identical to a run without a profile.
"""
from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..network.forward_pass import forward
from .allocator import keep_temporaries_in_heap
from .minibatch import chip_transmit, feedback_minibatch, train_minibatch
from .protocol import BatchResult, Engine


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
        loss, n_correct, rec = train_minibatch(state, x, y, rng, train_feedback, state.forward_optimizer,
                                               state.feedback_optimizer)
        return BatchResult(float(loss), int(n_correct), float("nan") if rec is None else float(rec))

    def feedback_batch(self, state, x, rng):
        return float(feedback_minibatch(state, x, rng, state.feedback_optimizer))

    def predict(self, state, x, rng=None):
        """Output h_L (logits) for ``x``, in chunks to bound memory. On a chip, ``rng`` draws its noise
        and stochastic units (a fixed default stream when not given, so evaluation is reproducible)."""
        rng = rng if rng is not None else np.random.default_rng(0)
        transmit = chip_transmit(state, rng)
        chunks = [forward(state.spec, state.forward_params, x[s:s + self.eval_batch_size], transmit).output
                  for s in range(0, len(x), self.eval_batch_size)]
        return np.concatenate(chunks) if chunks else np.zeros((0, state.spec.layer_sizes[-1]))
