"""What every spiking engine shares: the feedback pathway of a rule's declared wiring, and the scaling of
in-simulation plasticity (which rules an engine maps is declared in its capabilities, tpneuro.engines.protocol).

Both spiking engines (nengo, brian2; DESIGN.md section 4) run hidden layers of LIF neurons and a linear output
readout, and deliver each hidden layer's target difference t_i - h_i to an apical compartment of its neurons
through a separate feedback pathway:

- direct feedback (a rule's ``feedback_wiring`` "direct": DDTP-linear with learned Q_i, DFA with fixed Q_i):
  from the output error t_L - r_L to every hidden layer, t_i - h_i = Q_i (t_L - r_L) (Meulemans et al. 2020, arXiv 2006.14331, Eq. 13);
- layer-wise feedback ("layerwise": DRL): from layer i + 1's difference to layer i,
  t_i - h_i = Q_{i+1} (t_{i+1} - h_{i+1}), which is DTP's difference-corrected target (Lee et al. 2015, Eq. 15)
  t_i = g_{i+1}(t_{i+1}) + h_i - g_{i+1}(h_{i+1}) for a linear g_{i+1}(u) = Q_{i+1} u + c_{i+1} (c cancels);
- non-linear feedback maps g(u) = s(Q u + c) with s the LIF rate curve (TP and DTP with the soft_lif feedback
  activation): feedback populations of LIF neurons realise g, and the change of their rate between the free and
  the nudged phase, g(t_{i+1}) - g(h_{i+1}), is layer i's apical signal (t_i - h_i for DTP; for TP the neuron
  subtracts its own rate instead of g(h_{i+1})).

Per sample: free phase -> noise phase (feedback learning) -> nudged phase (forward learning).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.linalg import expm


@dataclass(frozen=True)
class FeedbackLink:
    """The feedback into the apical compartments of hidden layer ``layer`` from layer ``source`` (the output when
    source = L) through the rule's matrix Q_``matrix`` (n_layer x n_source; its layer on a chip's feedback weight
    grid). Linear: the source's ON/OFF difference coders (the output error's when source = L) drive the apical
    compartments through Q, which then hold Q (t_source - h_source). ``nonlinear``: the source drives feedback
    populations of LIF neurons whose rate curve is g's activation, and their change between the free and the
    nudged phase, g(t_source) - g(h_source), reaches the apical compartments (one synapse more in series)."""

    layer: int
    source: int
    matrix: int
    nonlinear: bool = False

    @property
    def key(self) -> str:
        """The matrix's name among the rule's feedback parameters."""
        return f"Q{self.matrix}"

    def time_constants(self, synapse: float, feedback_synapse: float) -> tuple[float, ...]:
        """The synapses in series from the source's difference to the apical compartments: a feedback synapse;
        for a non-linear link first the synapse into the feedback population (``synapse``, as a forward
        synapse: the population receives its source's spikes as a layer does)."""
        return (synapse, feedback_synapse) if self.nonlinear else (feedback_synapse,)


def feedback_links(n_layers: int, layerwise: bool, nonlinear: bool = False) -> tuple[FeedbackLink, ...]:
    """One link per hidden layer 1..L-1: Q_i from the output (direct) or Q_{i+1} from layer i + 1 (layer-wise);
    through feedback populations when the feedback map is ``nonlinear``."""
    L = n_layers
    if layerwise:
        return tuple(FeedbackLink(i, i + 1, i + 1, nonlinear) for i in range(1, L))
    return tuple(FeedbackLink(i, L, i, nonlinear) for i in range(1, L))


def rule_links(rule) -> tuple[FeedbackLink, ...]:
    """The feedback links of a rule (tpneuro.rules.base.LearningRule), from its declared wiring and feedback map."""
    return feedback_links(rule.spec.n_layers, rule.feedback_wiring == "layerwise", rule.feedback_map == "nonlinear")


def apical_time_constants(layer: int, links: tuple[FeedbackLink, ...], synapse: float,
                          feedback_synapse: float) -> tuple[float, ...]:
    """The time constants of the synapses in series that the output error passes on its way to layer ``layer``'s
    apical compartment (the output's own: one feedback synapse): those of every link of the chain from the
    output down to the layer (FeedbackLink.time_constants)."""
    into = {link.layer: link for link in links}
    taus: tuple[float, ...] = ()
    while layer in into:
        taus += into[layer].time_constants(synapse, feedback_synapse)
        layer = into[layer].source
    return taus or (feedback_synapse,)


def apical_rise_integral(duration: float, time_constants: Sequence[float]) -> float:
    """Integral over [0, duration] of the step response of first-order synapses of the given time constants in
    series: the effective time over which a rule sees the full apical signal when it arrives through them.
    The cascade dx_1/dt = (1 - x_1)/tau_1, dx_k/dt = (x_{k-1} - x_k)/tau_k from x = 0, with I' = x_n, is a linear
    system s' = M s; its exact solution s(T) = expm(M T) s(0) gives I(T). For n equal time constants tau the
    response is the Erlang distribution function, and the integral is T - tau sum_{k<n} P(k + 1, T/tau) (P the
    regularised lower incomplete gamma function); one synapse gives T - tau (1 - e^{-T/tau})."""
    n = len(time_constants)
    m = np.zeros((n + 2, n + 2))           # state: x_1..x_n, the integral I, the constant input 1
    for k, tau in enumerate(time_constants):
        m[k, k] = -1.0 / tau
        m[k, k - 1 if k else n + 1] = 1.0 / tau
    m[n, n - 1] = 1.0
    start = np.zeros(n + 2)
    start[n + 1] = 1.0
    return float((expm(m * duration) @ start)[n])


def forward_rate_constant(learning_rate: float, beta: float, effective_duration: float) -> float:
    """kappa of dW_i/dt = kappa s'(J_i) (t_i - h_i) h_{i-1}^T such that one nudged phase is one SGD step of
    size learning_rate / beta on ||t_i - h_i||^2 (Meulemans et al. 2020 Eq. 5: grad = 2 s' (h - t) h^T; t - h
    scales with beta, so ``learning_rate`` is the paper's effective step lr / beta)."""
    return 2.0 * learning_rate / (beta * effective_duration)
