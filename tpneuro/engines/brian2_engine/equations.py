"""Neuron and synapse equations of the brian2 engine, as brian2 strings (DESIGN.md section 4).

Units are dimensionless where the rate engine's are (currents in units of the threshold current, activities
as normalised rates h = r tau_ref); time in seconds. Hidden neurons are LIF with tau_rc = 0.02 s, tau_ref =
0.002 s, threshold current 1 (tpneuro.network.lif_rate, the convention of nengo.LIF):

    tau_rc dv/dt = J - v,   J = I + b + n,   spike when v > 1, then v = 0 for tau_ref,

where I is the forward synaptic current (each presynaptic spike of normalised amplitude a adds w a / tau_syn,
then I decays with tau_syn: an exponential current-based synapse, so I = sum_j w_ij h_j on average), b the
bias and n the held noise current of the noise phase. Integration is exact for constant J
(exponential Euler). ``loihi_cuba`` is the discrete-time current-based LIF of Loihi (Davies et al. 2018, IEEE
Micro 38(1), Eq. 1-2: u[t] = u[t-1](1 - du) + sum w s, v[t] = v[t-1](1 - dv) + u[t] + bias), here as forward
Euler steps of the same two equations, so the rate curve is quantised to whole time steps (see
``loihi_rate``).

The apical compartment A of each neuron integrates the feedback pathway (A = Q_i (t_L - r_L) = t_i - h_i in the
nudged phase) and never reaches the soma.
"""
from __future__ import annotations

import numpy as np

from ...network.lif_rate import SMOOTHING, TAU_RC, TAU_REF

CONSTANTS = {"tau_rc": TAU_RC, "tau_ref": TAU_REF, "smooth": SMOOTHING}


def soft_lif_slope(j: str) -> str:
    """s'(J) of the soft LIF (tpneuro.network.lif_rate.soft_lif_derivative, Hunsberger & Eliasmith 2015,
    arXiv 1510.08829, Eq. 3): h^2 (tau_rc / tau_ref) / (p (p + 1)) sigmoid(x), x = (J - 1)/s, the sigmoid as
    (1 + tanh(x/2))/2 as in the rate engine (exactly 0 below x = -38, where the rate engine's slope is 0), with
    p = s log(1 + e^x) written as ``s (log1p(e^{-|x|}) + max(x, 0))`` so that it keeps its size s e^x far below
    threshold (log(1 + e^x) rounds to 0 there, and h^2 / p would overflow)."""
    x = f"(({j} - 1)/smooth)"
    p = f"clip(smooth*(log1p(exp(-abs({x}))) + clip({x}, 0, inf)), 1e-300, inf)"
    h = f"(tau_ref/(tau_ref + tau_rc*log1p(1/{p})))"
    return f"({h}**2*(tau_rc/tau_ref)/({p}*({p} + 1))*0.5*(1 + tanh(0.5*{x})))"


def lif_rate(j: str) -> str:
    """Normalised rate of the hard LIF at current J (tpneuro.network.lif_rate.lif_rate)."""
    return f"(int({j} > 1)*tau_ref/(tau_ref + tau_rc*log(1 + 1/clip({j} - 1, 1e-12, inf))))"


def loihi_rate(j: np.ndarray, dt: float) -> np.ndarray:
    """Normalised rate of the ``loihi_cuba`` neuron at constant current J: the spike step resets v to 0 and
    starts the refractory period of n_ref = round(tau_ref/dt) steps (the spike step included, brian2's
    convention), then v_k = J (1 - (1 - dt/tau_rc)^k) until v_k > 1, which takes
    k = floor(log(1 - 1/J) / log(1 - dt/tau_rc)) + 1 steps; rate = tau_ref / ((n_ref - 1 + k) dt)."""
    j = np.asarray(j, dtype=np.float64)
    out = np.zeros_like(j)
    on = j > 1.0
    k = np.floor(np.log(1.0 - 1.0 / j[on]) / np.log(1.0 - dt / TAU_RC)) + 1.0
    out[on] = TAU_REF / ((round(TAU_REF / dt) - 1 + k) * dt)
    return out


def hidden_equations(neuron_model: str, noise_bank: str, noise_on: str, learns_feedback: bool,
                     normaliser: str = "neuron", feeds_population: bool = False,
                     teaches_population: bool = False) -> str:
    """State of a hidden LIF neuron: soma v, forward current I, apical compartment A, bias b, the held noise
    current of its noise windows (TimedArrays ``noise_bank`` per window, ``noise_on`` per step), and the
    per-neuron terms of the local rules (see plasticity.py). With a feedback pathway trained by the noise
    reconstruction rule (``learns_feedback``), P is the power of its presynaptic feedback signals: summed over
    its own feedback synapses (normaliser "neuron"), or linked to one sum per coder population (normaliser
    "layer"). A layer that ``feeds_population`` (the source of a non-linear feedback link,
    feedback_populations.py) keeps its spike trace h_syn (time constant tau_syn), its apical signal in the
    nudged phase A_sent (what its difference coders send) and the coders' trace d_syn (summed from them); a
    layer that ``teaches_population`` (the layer such a link feeds) keeps its spike trace h_fb (time constant
    tau_fb), the teacher of the feedback units."""
    soma = ("dv/dt = (J - v)/tau_rc : 1 (unless refractory)" if neuron_model != "poisson" else "v : 1")
    power = ("P : 1 (linked)" if normaliser == "layer" else "P : 1") if learns_feedback else ""
    source = "dh_syn/dt = -h_syn/tau_syn : 1\nA_sent : 1\nd_syn : 1" if feeds_population else ""
    teacher = "dh_fb/dt = -h_fb/tau_fb : 1" if teaches_population else ""
    return f"""
    {soma}
    {source}
    {teacher}
    dI/dt = -I/tau_syn : 1
    dA/dt = -A/tau_fb : 1
    J = I + b + noise_gate*noise_current : 1
    noise_current = {noise_bank}(window(t)*second, i) : 1
    noise_gate = {noise_on}(t) : 1
    {power}
    b : 1
    db : 1
    post_factor : 1
    fb_factor : 1
    pbar : 1
    rec_err : 1
    rec_dev : 1
    amplitude : 1 (constant)
    n_spikes : 1
    counted : 1
    kappa : 1 (shared)
    kappa_fb : 1 (shared)
    """


def input_equations() -> str:
    """Regular-firing rate coders (deterministic, like nengo.SpikingRectifiedLinear): x_j / tau_ref Hz for the
    sample in the current slot (TimedArray ``stim`` indexed by slot)."""
    return """
    dv/dt = x/tau_ref : 1
    x = clip(stim(slot(t)*second, i), 0, inf) : 1
    amplitude : 1 (constant)
    n_spikes : 1
    counted : 1
    """


def output_equations(feeds_population: bool = False) -> str:
    """Linear readout r = I + b of layer L's synaptic current, its smoothed copy rf, the free-phase average
    acc, the softmax normaliser Z (summed over the outputs), the error e fed to the ON/OFF populations and the
    apical signal A (t_L - r_L through the error pathway); when it ``feeds_population`` (a non-linear feedback
    link from the output), its error coders' trace d_syn (summed from them)."""
    return ("d_syn : 1" if feeds_population else "") + """
    dI/dt = -I/tau_syn : 1
    dA/dt = -A/tau_fb : 1
    drf/dt = (I + b - rf)/tau_readout : 1
    b : 1
    db : 1
    acc : 1
    Z : 1
    err_out : 1
    post_factor : 1
    kappa : 1 (shared)
    """


def error_equations(feeds_population: bool = False, baseline: str | None = None) -> str:
    """ON/OFF error coders: neuron k (ON) fires at gain max(e_k, 0), neuron n_L + k (OFF) at gain max(-e_k, 0);
    each spike has amplitude 1/gain, so tr_on - tr_off = e filtered; ``es`` is that signed trace of the
    neuron's channel (summed from its ON/OFF pair). Coders that feed a non-linear feedback link's units also keep
    a trace with the forward synapse's time constant tau_syn (feedback_populations.py).

    Push-pull coders (``baseline``, the TimedArray of the channels' baseline factors per noise window): in the noise
    windows (gate noise_phase) both coders of a channel fire at the channel's baseline b = coder_base times its
    factor for the window (b in units of the signal) and move apart around it, ON at gain max(e, b + e/2, 0), OFF at
    gain max(-e, b - e/2, 0): their difference is still e for every e, and for |e| <= 2b both are active, with sum
    2b (plasticity.py: what that does to the feedback rule); rectified as above in the other phases."""
    drive = "polarity*e_in"
    if baseline is not None:        # max(x, b + x/2) = x + clip(b - x/2, 0, inf)
        b = f"coder_base*{baseline}(phase_row(t)*second, i)"
        drive = f"{drive} + noise_phase(t)*clip({b} - polarity*e_in/2, 0, inf)"
    fast = "dtrace_syn/dt = -trace_syn/tau_syn : 1" if feeds_population else ""
    return f"""
    dv/dt = gain*clip({drive}, 0, inf) : 1
    e_in : 1 (linked)
    polarity : 1 (constant)
    dtrace/dt = -trace/tau_fb : 1
    es : 1
    {fast}
    n_spikes : 1
    counted : 1
    """
