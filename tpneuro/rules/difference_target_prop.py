"""Difference target propagation (Lee et al. 2015, ECML-PKDD, Eq. 15):
t_{i-1} = g_i(t_i) + h_{i-1} - g_i(h_i); feedback trained by the noisy reconstruction loss (Eq. 13)."""
from __future__ import annotations

from typing import ClassVar

from .layerwise_feedback import LayerwiseFeedbackRule


class DifferenceTargetProp(LayerwiseFeedbackRule):
    """Difference target propagation (Lee, Zhang, Fischer & Bengio 2015, Eq. 15).

    t_{i-1} = g_i(t_i) + h_{i-1} - g_i(h_i): the difference correction makes the target exact when g_i
    inverts f_i; g_i(h) = t(Q_i h + c_i) is trained by the noisy reconstruction loss (ibid. Eq. 13).

    Parameters
    ----------
    spec : NetworkSpec
        The network: layer sizes and activations (``tpneuro.network.NetworkSpec``).
    hyperparams : LayerwiseHyperparams, optional
        The config's ``rule:`` section less ``name`` (``beta``, ``sigma``, ``feedback_activation``, ``penultimate_step``). Without it the defaults are used
        (a field without a default must then be given).
    """

    name: ClassVar[str] = "dtp"
    title: ClassVar[str] = "Difference target propagation"
    reference: ClassVar[str] = "Lee, Zhang, Fischer & Bengio 2015, ECML-PKDD, arXiv 1412.7525, Eq. 15"
    equation: ClassVar[str] = "t_{i-1} = g_i(t_i) + h_{i-1} - g_i(h_i)"

    def feedback_gradients(self, fwd, fb, act, rng):
        return self.reconstruction_gradients(fwd, fb, act, rng)
