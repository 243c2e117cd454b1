"""What every spiking engine shares: the feedback pathway of a rule's declared wiring, and the scaling of
in-simulation plasticity (which rules an engine maps is declared in its capabilities, tpneuro.engines.protocol).

Both spiking engines (nengo, brian2; DESIGN.md section 4) run hidden layers of LIF neurons and a linear output
readout, and deliver each hidden layer's target difference t_i - h_i to an apical compartment of its neurons
through a separate feedback pathway:

- direct feedback (a rule's ``feedback_wiring`` "direct": DDTP-linear with learned Q_i, DFA with fixed Q_i):
  from the output error t_L - r_L to every hidden layer, t_i - h_i = Q_i (t_L - r_L) (Meulemans et al. 2020, arXiv 2006.14331, Eq. 13);
- layer-wise feedback ("layerwise": DRL; brian2 only): from layer i + 1's difference to layer i,
  t_i - h_i = Q_{i+1} (t_{i+1} - h_{i+1}), which is DTP's difference-corrected target (Lee et al. 2015, Eq. 15)
  t_i = g_{i+1}(t_{i+1}) + h_i - g_{i+1}(h_{i+1}) for a linear g_{i+1}(u) = Q_{i+1} u + c_{i+1} (c cancels).

Per sample: free phase -> noise phase (feedback learning) -> nudged phase (forward learning).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..network.loss import cross_entropy


@dataclass(frozen=True)
class FeedbackLink:
    """The feedback into the apical compartments of hidden layer ``layer``: sent by the ON/OFF difference coders
    of layer ``source`` (the output error when source = L) through the rule's matrix Q_``matrix``
    (n_layer x n_source; its layer on a chip's feedback weight grid)."""

    layer: int
    source: int
    matrix: int

    @property
    def key(self) -> str:
        """The matrix's name among the rule's feedback parameters."""
        return f"Q{self.matrix}"


def feedback_links(n_layers: int, layerwise: bool) -> tuple[FeedbackLink, ...]:
    """One link per hidden layer 1..L-1: Q_i from the output (direct) or Q_{i+1} from layer i + 1 (layer-wise)."""
    L = n_layers
    if layerwise:
        return tuple(FeedbackLink(i, i + 1, i + 1) for i in range(1, L))
    return tuple(FeedbackLink(i, L, i) for i in range(1, L))


def output_error(free_output: np.ndarray, label: int, beta: float) -> np.ndarray:
    """t_L - r_L^free = -beta dL/dh_L = beta (onehot(y) - softmax(r_L^free)) for one sample (Meulemans et al.
    2020, arXiv 2006.14331, Eq. 4 with batch size 1)."""
    return -beta * cross_entropy(np.asarray(free_output)[None], np.array([label])).grad_output[0]


def apical_rise_integral(duration: float, tau: float, stages: int = 1) -> float:
    """Integral over [0, duration] of the step response of ``stages`` first-order synapses of time constant
    ``tau`` in series, 1 - e^{-x} sum_{k<stages} x^k / k! (x = t / tau, the Erlang distribution function): the
    effective time over which a rule sees the full apical signal when it arrives through that many synapses.
    Term by term, int_0^T e^{-t/tau} (t/tau)^k / k! dt = tau P(k + 1, T/tau), P the regularised lower incomplete
    gamma function; stages = 1 gives T - tau (1 - e^{-T/tau})."""
    x = duration / tau
    total, term, partial = 0.0, 1.0, 0.0
    for k in range(stages):
        partial += term                      # sum_{j<=k} x^j / j!
        total += 1.0 - math.exp(-x) * partial
        term *= x / (k + 1)
    return duration - tau * total


def forward_rate_constant(learning_rate: float, beta: float, effective_duration: float) -> float:
    """kappa of dW_i/dt = kappa s'(J_i) (t_i - h_i) h_{i-1}^T such that one nudged phase is one SGD step of
    size learning_rate / beta on ||t_i - h_i||^2 (Meulemans et al. 2020 Eq. 5: grad = 2 s' (h - t) h^T; t - h
    scales with beta, so ``learning_rate`` is the paper's effective step lr / beta)."""
    return 2.0 * learning_rate / (beta * effective_duration)
