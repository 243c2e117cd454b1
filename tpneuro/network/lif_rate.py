"""The rate curve of a leaky integrate-and-fire neuron, so that spiking engines and the rate engine share
one activation (DESIGN.md section 4).

LIF with membrane time constant tau_rc, refractory period tau_ref and threshold current 1 fires at
r(J) = 1 / (tau_ref + tau_rc log(1 + 1/(J - 1))) for J > 1, else 0 (e.g. Eliasmith & Anderson 2003;
the convention of nengo.LIF). The soft LIF of Hunsberger & Eliasmith 2015 (arXiv 1510.08829, Eq. 3)
replaces J - 1 by p(J - 1) with p(x) = s log(1 + e^{x/s}), which is smooth at threshold and tends to
the LIF curve as s -> 0. Activities are normalised rates h = r * tau_ref in [0, 1), so that
h = 1 is the maximum rate 1/tau_ref.
"""
from __future__ import annotations

import numpy as np

from ..arrays import namespace
from .activations import ACTIVATIONS, Activation

TAU_RC = 0.02       # s, nengo.LIF default
TAU_REF = 0.002     # s, nengo.LIF default
SMOOTHING = 0.05    # s of the soft LIF


def _smooth_excess(j: np.ndarray) -> np.ndarray:
    """p(J - 1) = s log(1 + exp((J - 1)/s)), evaluated without overflow."""
    return SMOOTHING * namespace(j).logaddexp(0.0, (j - 1.0) / SMOOTHING)


def soft_lif_rate(j: np.ndarray) -> np.ndarray:
    """Normalised soft-LIF rate tau_ref / (tau_ref + tau_rc log(1 + 1/p(J - 1)))."""
    xp = namespace(j)
    p = xp.maximum(_smooth_excess(j), np.finfo(np.float64).tiny)
    return TAU_REF / (TAU_REF + TAU_RC * xp.log1p(1.0 / p))


def soft_lif_derivative(j: np.ndarray, h: np.ndarray) -> np.ndarray:
    """dh/dJ = h^2 (tau_rc / tau_ref) / (p (p + 1)) * sigmoid((J - 1)/s)."""
    xp = namespace(j)
    p = xp.maximum(_smooth_excess(j), np.finfo(np.float64).tiny)
    gate = 0.5 * (1.0 + xp.tanh(0.5 * (j - 1.0) / SMOOTHING))
    return h * h * (TAU_RC / TAU_REF) / (p * (p + 1.0)) * gate


def lif_rate(j: np.ndarray) -> np.ndarray:
    """Normalised rate of the (hard) LIF neuron: the curve a spiking LIF population follows."""
    excess = np.maximum(j - 1.0, 0.0)
    out = np.zeros_like(j, dtype=np.result_type(j, np.float64))
    on = excess > 0
    out[on] = TAU_REF / (TAU_REF + TAU_RC * np.log1p(1.0 / excess[on]))
    return out


ACTIVATIONS["soft_lif"] = Activation("soft_lif", soft_lif_rate, soft_lif_derivative)
