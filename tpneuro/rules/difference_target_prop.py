"""Difference target propagation (Lee et al. 2015, ECML-PKDD, Eq. 15):
t_{i-1} = g_i(t_i) + h_{i-1} - g_i(h_i); feedback trained by the noisy reconstruction loss (Eq. 13)."""
from __future__ import annotations

from typing import ClassVar

from .layerwise_feedback import LayerwiseFeedbackRule


class DifferenceTargetProp(LayerwiseFeedbackRule):
    name: ClassVar[str] = "dtp"
    title: ClassVar[str] = "Difference target propagation"
    reference: ClassVar[str] = "Lee, Zhang, Fischer & Bengio 2015, ECML-PKDD, arXiv 1412.7525, Eq. 15"
    equation: ClassVar[str] = "t_{i-1} = g_i(t_i) + h_{i-1} - g_i(h_i)"

    def feedback_gradients(self, fwd, fb, act, rng):
        return self.reconstruction_gradients(fwd, fb, act, rng)
