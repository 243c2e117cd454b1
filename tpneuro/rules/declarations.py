"""What a learning rule declares about itself, so that engines, the energy summary and the preflight decide from
data on the rule class and never from its name (DESIGN.md section 8, "capabilities, not names").

- ``feedback_wiring``: where the hidden layers' learning signal comes from. ``none``: no feedback pathway (BP
  uses the forward weights themselves, GNT the forward Jacobians); ``direct``: from the output to every hidden
  layer through Q_i in R^{n_i x n_L} (DFA, Noekland 2016; DDTP, Meulemans et al. 2020 Sec. 4); ``layerwise``:
  from layer i to layer i - 1 through Q_i in R^{n_{i-1} x n_i} (FA, Lillicrap et al. 2016; TP/DTP, Lee et al.
  2015 Eq. 8; DRL, Meulemans et al. 2020 Eq. 11).
- ``feedback_training``: how the feedback parameters learn. ``none``: there are none; ``fixed``: random and never
  trained (FA, DFA); ``layer_reconstruction``: each g_i reconstructs its own layer from a noisy copy (Lee et al.
  2015, Eq. 13); ``difference_reconstruction``: the difference reconstruction loss (Meulemans et al. 2020,
  Eq. 11), whose linearised minimiser gives damped Gauss-Newton targets.
- ``locality``: which pieces of the rule need quantities that are not present at the synapse or neuron they
  change (:class:`Locality`).
- ``difference_correction``: whether a hidden target is corrected by the feedback of the layer's own activity,
  t_i = h_i + g(t) - g(h) (DTP, DRL, DDTP, DFA), or is g(t) alone (TP, Lee et al. 2015 Eq. 8).
- On the instance: the output step (``LearningRule.output_step``), whether the feedback map is linear
  (``LearningRule.feedback_map``) and, if not, its activations (``LearningRule.feedback_activations``), the matrices a chip stores on its feedback weight grid
  (``LearningRule.feedback_weight_layers``) and the multiply-accumulates of one training sample
  (``LearningRule.training_macs``).
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

FeedbackWiring = Literal["none", "direct", "layerwise"]
FeedbackTraining = Literal["none", "fixed", "layer_reconstruction", "difference_reconstruction"]
FeedbackMap = Literal["none", "linear", "nonlinear"]

FEEDBACK_WIRINGS: tuple[str, ...] = ("none", "direct", "layerwise")
FEEDBACK_TRAININGS: tuple[str, ...] = ("none", "fixed", "layer_reconstruction", "difference_reconstruction")


@dataclass(frozen=True)
class Locality:
    """For each piece of a rule, ``None`` when it is local, else what non-local quantity it needs.

    A piece is local when it uses only quantities present at the synapse it changes or at the neuron that
    synapse belongs to (DESIGN.md section 1: a weight change is a postsynaptic signal times a presynaptic
    activity). The forward weight change itself is always the two-factor LocalUpdate; what can be non-local is
    how the postsynaptic signal is computed (``hidden_signal``) and how the feedback parameters learn
    (``feedback_training``).
    """

    hidden_signal: str | None = None
    feedback_training: str | None = None

    @property
    def is_local(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    def needs(self) -> str:
        """What the non-local pieces need, as one phrase ('' for a local rule)."""
        return "; ".join(f"its {f.name.replace('_', ' ')} needs {getattr(self, f.name)}"
                         for f in fields(self) if getattr(self, f.name) is not None)
