"""The local learning rules as brian2 code (DESIGN.md section 4; Meulemans et al. 2020, arXiv 2006.14331).

Forward rule, in the forward synapses W_i (pre j -> post i), active in the nudged phase only:

    dW_ij/dt = kappa s'(J_i) A_i h_j,       A_i = (Q_i (t_L - r_L))_i = t_i - h_i   (Eq. 5 of the paper: the
                                            gradient of ||t_i - h_i||^2 with the target held fixed)

written event-driven: the post neuron keeps post_factor = s'(J) A in the nudged phase and 0 otherwise (its own
current and apical signal),
and every presynaptic spike of amplitude a (a = tau_ref: the integral of h_j over the spike) adds
kappa post_factor a to the synapse's accumulator dw, so sum over spikes = kappa int s' A h_j dt. The bias of a
neuron accumulates kappa int post_factor dt. For the output readout s' = 1 and A = t_L - r_L.

Feedback rule, in the feedback synapses Q_i (coder neuron j -> neuron i of layer i), in the gated part of
layer i's noise windows: the difference reconstruction loss with the network's own noise (Sec. 3.3; normalised
LMS, e.g. Haykin, Adaptive Filter Theory, ch. 7). Written for direct feedback; with layer-wise feedback (DRL)
the presynaptic channels are layer i + 1's difference coders, whose signed trace is A_{i+1} = -Q_{i+2} ... Q_L
dr_L (the difference chain of DRL's loss, Eq. 11, for linear g), and the same code minimises
||u_i - Q_{i+1} Q_{i+2} ... Q_L dr_L||^2 over Q_{i+1}. The apical compartment sums its synapses,
A_i = sum_j q_ij s_j, with s_j = polarity_j tr_j the signed trace of presynaptic coder j (+ for the ON, - for
the OFF neuron of an error channel; in the noise phase the coders carry e = acc - rf = -dr_L), and each
synapse follows the gradient of (u_i + A_i)^2 with respect to its own weight::

    dq_ij/dt = -(kappa_fb / P_i) g (u_i + A_i) s_j,
    u_i = G(J_i) - G(J_i - n_i)                     (the rate deviation the neuron's own noise current n_i
                                                    causes, G the LIF rate curve),

so that u_i + A_i = u_i - Q_i dr_L is the reconstruction error; P_i is the running power (time constant
power_tau of gated time) of the neuron's presynaptic signals, sum_j s_j^2, a sum over the neuron's own feedback
synapses as A_i is (``feedback_normaliser`` "neuron"; "layer" sums it once per coder population and links the
one value to every neuron of the layer, which is the same number in all-to-all wiring but is a broadcast, not
something a neuron holds). The neuron computes fb_factor = -(kappa_fb / P_i)(u_i + A_i) in its gated steps
and the synapse adds fb_factor s_j dt.

The gated steps are the neuron's learning event (FEEDBACK_EVENT), and the synapse's part runs on that event
only, as postsynaptic pathways moved to the end of the time step (``learn_after_post_event``): in one step
the synapses add their s_j^2 to P_i (``power`` pathway), the neuron computes its factor, the synapses add
fb_factor s_j dt (``learn`` pathway). Outside the windows the feedback synapses only transmit, so their
learning costs the simulation nothing there (it is a loop over every feedback synapse per step).

ON and OFF synapses of a channel (``feedback_pairs`` "untied", the default) each hold their own weight and see
only their own coder's trace, so A_i = Q_on max(e, 0) - Q_off max(-e, 0): the rule is local to each synapse, and as the
reconstruction target is linear in dr_L both halves have the same fixed point. "tied" keeps them equal: both
synapses read the pair's summed signed trace es = tr_on - tr_off (which the OFF synapse cannot see on its own)
and the ON half is written over the OFF half after every run, a non-local shortcut kept for comparison (under
stochastic rounding the two halves otherwise drift apart by grid steps).

Linearised, the fixed point is Q_i = C J_i^T (J_i C J_i^T + Sigma)^{-1}, C the covariance of u_i and Sigma that
of the spiking fluctuation in dr_L (the damped pseudo-inverse of Theorem 6 for isotropic C).

Untied halves drift apart: with q_on = q + d and q_off = q - d a pair delivers A = q e + d |e|, and the rule moves
d along -(u + A)|e|, so d fits whatever part of the residual goes with |e| (the coders' rectification and spike
counts make one), and in the nudged phase d |e| pushes the apical signal the same way for either sign of the
error. Push-pull coders (``coder_baseline`` b, in the noise windows only: equations.error_equations) keep them
together with a local rule: both halves then see every sample, s_on = b + e/2 and s_off = -(b - e/2), so
A = q e + 2 b d, and the same synapse code moves d along -(u + A) b, which pulls d to the value that cancels the
mean residual (about 0), while q follows -(u + A) e/2, the tied rule at half the step. The baseline's power is in
P, so it slows the learning of q by about e^2 / (4 b^2) of the noise-phase signal; in the nudged phase the
coders are rectified again, as the baseline's spikes would add their count noise to the apical signal the
forward rule integrates.
"""
from __future__ import annotations

from .equations import lif_rate, soft_lif_slope


# a presynaptic spike in the nudged phase, as a brian2 custom event of the input and LIF populations: the forward
# synapses' learning pathway runs on it only (v > 1 only on a spike step: a LIF neuron is held at v = 0 while
# refractory), so the many input spikes of the other phases cost no accumulator update
NUDGED_SPIKE_EVENT = "v > 1 and nudge(t) > 0.5"


# At the first step of every noise window and nudged phase (gate ``pathway_restart``, schedule.py) the error pathway
# starts afresh, before anything else of the step: every apical compartment A is cleared, so that the nudged
# phase's A rises from 0 as the forward rate constant assumes (SpikingOptions.nudge_integral) and carries no
# trace of the noise phase's output deviations into the forward rule (without it, on Fashion-MNIST 784-256-10,
# the readout's weights grew exponentially once the noise phase was on, and not with it off), and the ON/OFF
# coders take fresh start phases (Runtime._coder_tables: the expected spike count of a small error is then
# exact, not rounded down).
APICAL_RESTART = "A *= 1 - pathway_restart(t)"


def coder_restart(phases: str) -> str:
    """At a pathway restart, an ON/OFF coder's v takes its start phase from row phase_row(t) of TimedArray
    ``phases``."""
    return f"v += pathway_restart(t)*({phases}(phase_row(t)*second, i) - v)"


def forward_propagate() -> str:
    """On every presynaptic spike: the synaptic current."""
    return "I_post += w*amplitude_pre/n_tau_syn"


def forward_learn() -> str:
    """On a presynaptic spike in the nudged phase (NUDGED_SPIKE_EVENT; on every spike of Poisson units, whose
    spike is a random draw that an event condition cannot repeat, and whose post factor is 0 outside the nudge):
    the forward rule's accumulator."""
    return "dw += kappa_post*post_factor_post*amplitude_pre"


# brian2 custom events of a hidden neuron: the plastic phases. Their code runs only on the steps where the
# event happens (the slope and the LIF rate curve cost a few transcendental functions per neuron)
NUDGE_EVENT = "nudge(t) > 0.5"
FEEDBACK_EVENT = "noise_gate*learn_feedback(t) > 0.5"

# the plasticity code's order within the "end" slot of a time step: the neurons clear their factors, the
# feedback synapses of a learning neuron add their power, the neurons compute their factors (event code), the
# synapses of a learning neuron apply them, and the sample's accumulated changes are written into the weights
CLEAR, POWER, NEURON, SYNAPSE, WRITE = range(5)


def hidden_clear_code(feeds_population: bool = False, sums_power: bool = False) -> str:
    """Every time step, before the event code: no plastic phase, no post factors, and (``sums_power``: the
    neuron's own feedback synapses sum P in its learning steps) no power; a layer that feeds a non-linear
    feedback link sends its apical signal to its difference coders in the nudged phase only."""
    return ("post_factor = 0\nfb_factor = 0" + ("\nP = 0" if sums_power else "")
            + ("\nA_sent = nudge(t)*A" if feeds_population else ""))


def learn_after_post_event(synapses, pathways) -> None:
    """Schedule the postsynaptic ``pathways`` (names) of ``synapses``, which run on the post neuron's learning
    event (``on_post`` with ``on_event``), in the "end" slot of the same time step: POWER for ``power``,
    SYNAPSE for the others. brian2 runs pathways in its "synapses" slot, before the neuron's event code of that
    step has computed its factor."""
    for name in pathways:
        pathway = getattr(synapses, name)
        pathway.when, pathway.order = "end", POWER if name == "power" else SYNAPSE


def hidden_nudge_code() -> str:
    """On NUDGE_EVENT, at the neuron: the forward rule's post factor s'(J) A and the bias change."""
    return f"""
    post_factor = {soft_lif_slope('J')}*A
    db += kappa*post_factor*dt/second
    """


def hidden_feedback_code() -> str:
    """On FEEDBACK_EVENT (the gated part of the layer's noise windows), at the neuron: the rate deviation u its
    own noise causes, the running power pbar of its presynaptic feedback signals (P, summed over its
    synapses), the reconstruction totals and the feedback rule's post factor -(kappa_fb / pbar) (u + A); skipped
    until pbar is known (P = 0 until a coder of the pathway has spiked), and pbar is floored at 1 % of one
    spike's trace amplitude squared."""
    return f"""
    u = {lif_rate('J')} - {lif_rate('(J - noise_current)')}
    pbar += int(pbar > 0)*(P - pbar)*dt/power_tau + int(pbar <= 0)*P
    rec_err += (u + A)**2
    rec_dev += u**2
    fb_factor = -int(pbar > 0)*kappa_fb/clip(pbar, p_floor, inf)*(u + A)
    """


def output_step_code(noise_error: bool = True) -> str:
    """Per time step, at the output readout: the free-phase average, the error sent to the ON/OFF populations
    (held beta (onehot(y) - softmax(acc)) when nudged; acc - rf in the noise phase when ``noise_error``, the
    output deviation the noise reconstruction rule reads) and the post factor."""
    noise = " + noise_phase(t)*(acc - rf)" if noise_error else ""
    return f"""
    acc = (1 - average_start(t))*acc + average(t)*(I + b)/n_avg
    err_out = nudge(t)*beta*(label(slot(t)*second, i) - 1/Z){noise}
    post_factor = nudge(t)*A
    db += kappa*post_factor*dt/second
    """


FEEDBACK_PAIRS = ("untied", "tied")
FEEDBACK_NORMALISERS = ("neuron", "layer")


def feedback_signal(pairs: str) -> str:
    """The presynaptic signal s_j of a feedback synapse: its own coder's signed trace (untied), or the pair's
    summed signed trace es (tied; the same for the ON and the OFF synapse of a channel)."""
    return "polarity_pre*trace_pre" if pairs == "untied" else "es_pre"


def feedback_power(pairs: str) -> str:
    """One synapse's term of the power P = sum_j s_j^2 of its neuron's presynaptic feedback signals (tied: one
    term per channel, from its ON synapse)."""
    return "trace_pre**2" if pairs == "untied" else "int(polarity_pre > 0)*es_pre**2"


def feedback_pathways(pairs: str, sums_power: bool) -> dict[str, str]:
    """The feedback synapse's postsynaptic pathways on its neuron's FEEDBACK_EVENT (learn_after_post_event):
    ``learn`` adds the neuron's factor times the presynaptic signal, ``power`` (``sums_power``) adds the
    synapse's term of P first."""
    pathways = {"learn": learn_code(feedback_signal(pairs))}
    if sums_power:
        pathways["power"] = f"P_post += {feedback_power(pairs)}"
    return pathways


def learn_code(signal: str) -> str:
    """At a feedback synapse, on its post neuron's learning event: the neuron's factor times the presynaptic
    ``signal``."""
    return f"dq += fb_factor_post*{signal}*dt/second"
