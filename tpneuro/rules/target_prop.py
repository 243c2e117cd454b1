"""Target propagation (Bengio 2014, arXiv 1407.7906; Lee et al. 2015, Eq. 8): t_{i-1} = g_i(t_i), feedback
trained as noisy auto-encoders of each layer."""
from __future__ import annotations

from typing import ClassVar

from .layerwise_feedback import LayerwiseFeedbackRule


class TargetProp(LayerwiseFeedbackRule):
    """Target propagation (Bengio 2014; Lee et al. 2015, Eq. 8).

    t_{i-1} = g_i(t_i) with g_i(h) = t(Q_i h + c_i), each g_i trained as a noisy auto-encoder of layer i
    (Lee et al. 2015, Eq. 13).

    Parameters
    ----------
    spec : NetworkSpec
        The network: layer sizes and activations (``tpneuro.network.NetworkSpec``).
    hyperparams : LayerwiseHyperparams, optional
        The config's ``rule:`` section less ``name`` (``beta``, ``sigma``, ``feedback_activation``, ``penultimate_step``). Without it the defaults are used
        (a field without a default must then be given).
    """

    name: ClassVar[str] = "tp"
    title: ClassVar[str] = "Target propagation"
    reference: ClassVar[str] = "Bengio 2014, arXiv 1407.7906; Lee et al. 2015, ECML-PKDD, Eq. 8"
    equation: ClassVar[str] = "t_{i-1} = g_i(t_i),  g_i(h) = t(Q_i h + c_i)"
    difference_correction: ClassVar[bool] = False

    def feedback_gradients(self, fwd, fb, act, rng):
        return self.reconstruction_gradients(fwd, fb, act, rng)
