"""Target propagation (Bengio 2014, arXiv 1407.7906; Lee et al. 2015, Eq. 8): t_{i-1} = g_i(t_i), feedback
trained as noisy auto-encoders of each layer."""
from __future__ import annotations

from typing import ClassVar

from .layerwise_feedback import LayerwiseFeedbackRule


class TargetProp(LayerwiseFeedbackRule):
    name: ClassVar[str] = "tp"
    title: ClassVar[str] = "Target propagation"
    reference: ClassVar[str] = "Bengio 2014, arXiv 1407.7906; Lee et al. 2015, ECML-PKDD, Eq. 8"
    equation: ClassVar[str] = "t_{i-1} = g_i(t_i),  g_i(h) = t(Q_i h + c_i)"
    difference_correction: ClassVar[bool] = False

    def feedback_gradients(self, fwd, fb, act, rng):
        return self.reconstruction_gradients(fwd, fb, act, rng)
