"""The local learning rules as brian2 code (DESIGN.md section 4; Meulemans et al. 2020, arXiv 2006.14331).

Forward rule, in the forward synapses W_i (pre j -> post i), active in the nudged phase only:

    dW_ij/dt = kappa s'(J_i) A_i h_j,       A_i = (Q_i (t_L - r_L))_i = t_i - h_i   (Eq. 5 of the paper: the
                                            gradient of ||t_i - h_i||^2 with the target held fixed)

written event-driven: the post neuron keeps post_factor = nudge s'(J) A (its own current and apical signal),
and every presynaptic spike of amplitude a (a = tau_ref: the integral of h_j over the spike) adds
kappa post_factor a to the synapse's accumulator dw, so sum over spikes = kappa int s' A h_j dt. The bias of a
neuron accumulates kappa int post_factor dt. For the output readout s' = 1 and A = t_L - r_L.

Feedback rule, in the feedback synapses Q_i (error channel k -> neuron i of layer i), in the gated part of
layer i's noise windows: the difference reconstruction loss with the network's own noise (Sec. 3.3; normalised
LMS, e.g. Haykin, Adaptive Filter Theory, ch. 7):

    dQ_ik/dt = -(kappa_fb / p) g (u_i + A_i) e_k,   e = acc - rf = -dr_L (the error the ON/OFF pair carries,
                                                    read as the pair's signed trace es),
    u_i = G(J_i) - G(J_i - n_i)                     (the rate deviation the neuron's own noise current n_i
                                                    causes, G the LIF rate curve),

so that u_i + A_i = u_i - Q_i dr_L is the reconstruction error; p is the running error power ||es||^2 (time
constant power_tau of gated time), summed at the neuron from its feedback synapses. The ON and the OFF synapse
of a channel make the same change (both read the pair's signed trace), so they keep +q / -q.
Linearised, the fixed point is Q_i = C J_i^T (J_i C J_i^T)^{-1}, C the covariance of u_i (the damped
pseudo-inverse of Theorem 6 for isotropic C).
"""
from __future__ import annotations

from .equations import soft_lif_slope


def forward_on_pre() -> str:
    return "I_post += w*amplitude_pre/n_tau_syn\ndw += kappa_post*post_factor_post*amplitude_pre"


def hidden_step_code() -> str:
    """Per time step, at the neuron: the forward rule's post factor and bias change, the feedback rule's
    error power and reconstruction totals."""
    return f"""
    post_factor = nudge(t)*{soft_lif_slope('J')}*A
    db += kappa*post_factor*dt/second
    fb_gate = noise_gate*learn_feedback(t)
    pbar += fb_gate*(int(pbar > 0)*(P - pbar)*dt/power_tau + int(pbar <= 0)*P)
    rec_err += fb_gate*(u + A)**2
    rec_dev += fb_gate*u**2
    rec_n += fb_gate
    """


def output_step_code() -> str:
    """Per time step, at the output readout: the free-phase average, the error sent to the ON/OFF populations
    (held beta (onehot(y) - softmax(acc)) when nudged, acc - rf in the noise phase) and the post factor."""
    return """
    acc = (1 - average_start(t))*acc + average(t)*(I + b)/n_avg
    err_out = nudge(t)*beta*(label(slot(t)*second, i) - 1/Z) + noise_phase(t)*(acc - rf)
    post_factor = nudge(t)*A
    db += kappa*post_factor*dt/second
    """


def feedback_step_code() -> str:
    """Per time step, at the synapse; skipped until the neuron's error power p is known (it is summed from the
    traces of the previous step, so the first spike of a window would otherwise meet p = 0), and p is floored
    at 1 % of one spike's trace amplitude squared."""
    return ("dq += -int(pbar_post > 0)*kappa_fb_post/clip(pbar_post, p_floor, inf)*noise_gate_post*learn_feedback(t)"
            "*(u_post + A_post)*es_pre*dt/second")
