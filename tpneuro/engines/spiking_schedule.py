"""What every spiking engine shares: which states it can map, and the scaling of in-simulation plasticity.

Both spiking engines (nengo, brian2; DESIGN.md section 4) run the same mapping: hidden layers of LIF neurons,
a linear output readout, and direct feedback from the output error t_L - r_L to an apical compartment of every
hidden layer (DDTP-linear with learned Q_i, DFA with fixed Q_i). Per sample: free phase -> noise phase (feedback
learning) -> nudged phase (forward learning).
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import UnsupportedByEngine
from ..network.loss import cross_entropy

MAPPED_RULES: tuple[str, ...] = ("ddtp_linear", "dfa")

_NOT_LOCAL = "{engine} engine: rule {name!r} is not local (it needs {why}); fix: use --engine rate"
_NO_MAPPING = ("{engine} engine: rule {name!r} has no spiking mapping in this engine (it maps ddtp_linear and dfa: "
               "direct feedback from the output error); fix: use --engine rate, or rule ddtp_linear")


def check_spiking_mapping(engine: str, state) -> None:
    """Raise a one-line UnsupportedByEngine for a rule or network the spiking mapping cannot run:
    non-local rules (BP needs the transposed forward weights, GNT Jacobian products), rules without a direct
    feedback mapping, hidden activations without a LIF counterpart, a non-linear output."""
    rule, spec = state.rule, state.spec
    if not rule.is_local:
        why = "the transposed forward weights" if rule.name == "bp" else "non-local Jacobian products"
        raise UnsupportedByEngine(_NOT_LOCAL.format(engine=engine, name=rule.name, why=why))
    if rule.name not in MAPPED_RULES:
        raise UnsupportedByEngine(_NO_MAPPING.format(engine=engine, name=rule.name))
    if spec.n_layers > 1 and spec.hidden_activation != "soft_lif":
        raise UnsupportedByEngine(f"{engine} engine: network.activation {spec.hidden_activation!r} has no LIF "
                                  "counterpart; fix: set network.activation: soft_lif")
    if spec.output_activation != "linear":
        raise UnsupportedByEngine(f"{engine} engine: network.output_activation {spec.output_activation!r}: the "
                                  "output is a linear readout of synaptic currents; fix: use linear")


def output_error(free_output: np.ndarray, label: int, beta: float) -> np.ndarray:
    """t_L - r_L^free = -beta dL/dh_L = beta (onehot(y) - softmax(r_L^free)) for one sample (Meulemans et al.
    2020, arXiv 2006.14331, Eq. 4 with batch size 1)."""
    return -beta * cross_entropy(np.asarray(free_output)[None], np.array([label])).grad_output[0]


def apical_rise_integral(duration: float, tau: float) -> float:
    """Integral over [0, duration] of 1 - exp(-t / tau): the effective time over which a rule sees the full
    apical signal when it rises through a first-order synapse of time constant ``tau``."""
    return duration - tau * (1.0 - math.exp(-duration / tau))


def forward_rate_constant(learning_rate: float, beta: float, effective_duration: float) -> float:
    """kappa of dW_i/dt = kappa s'(J_i) (t_i - h_i) h_{i-1}^T such that one nudged phase is one SGD step of
    size learning_rate / beta on ||t_i - h_i||^2 (Meulemans et al. 2020 Eq. 5: grad = 2 s' (h - t) h^T; t - h
    scales with beta, so ``learning_rate`` is the paper's effective step lr / beta)."""
    return 2.0 * learning_rate / (beta * effective_duration)
