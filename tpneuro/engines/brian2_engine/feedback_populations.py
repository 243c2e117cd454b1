"""Non-linear feedback maps as populations of spiking neurons in brian2 (DESIGN.md section 4): the seed paper's
target propagation in spikes (Lee, Zhang, Fischer & Bengio 2015, arXiv 1412.7525). The nengo engine builds the
same mapping (tpneuro.engines.nengo_engine.feedback_populations, whose docstring derives it):

- per non-linear link l <- m, feedback units (one NeuronGroup ``units``, n_l rows for F+ and, for DTP, n_l for
  F-; non-spiking: the dendrite where a unit's synapses sum) hold the input current J = Q x + c of unit k of
  g_m(u) = s(Q_m u + c_m), with x the source's low-passed spikes (h_syn; the readout rf for m = L) and, for F+
  only, its difference coders' trace (d_syn: t_m - h_m in the nudged phase), both reaching the unit through the
  same synapse q (the Synapses ``links``; written as a summed variable of the presynaptic traces, equal to
  exponential current synapses for weights constant over a sample);
- ``feedback_neurons_per_unit`` LIF neurons per unit (NeuronGroups F+ and F-, all driven by their unit's J)
  fire at s(J); neuron (k, p) of F+ and F- reach neuron k of layer l's apical compartment through +1/P and
  -1/P synapses, so A_l = g(t_m) - g(h_m) in the nudged phase (DTP). TP has no F-: the neuron subtracts its own
  spikes from its apical compartment (a back-propagating action potential), A_l = g(t_m) - h_l;
- at every pathway restart each neuron of F+ takes the membrane state (v, last spike) of its partner in F-,
  whose input never carries a nudge, so the pairs fire in lockstep until the nudge drives F+;
- plasticity (Lee et al.'s layer reconstruction loss, Eq. 13, without 1/sigma^2), in the gated part of layer l's
  noise windows: unit k keeps fb_factor = -kappa_rec s'(J_k) (G(J_k) - T_k) with T_k its partner's (neuron k of
  layer l) spike trace h_fb (a one-to-one synapse, here the linked variable ``teacher``), G the LIF rate curve and
  s' the soft-LIF slope at its own current; its bias adds fb_factor dt, each synapse fb_factor x_pre dt
  (x_pre + d_syn_pre for F+) on its unit's learning event (plasticity.learn_after_post_event). Written once
  per sample like every plastic weight.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...network.lif_rate import TAU_REF
from ..spiking_schedule import FeedbackLink
from . import plasticity
from .equations import lif_rate, soft_lif_slope


@dataclass
class FeedbackPopulation:
    """The brian2 objects of one non-linear link: its units, the synapses onto them (source -> units), and F+,
    F- (F- is None for TP)."""

    link: FeedbackLink
    units: object
    synapses: object
    plus: object
    minus: object | None
    objects: list

    @property
    def copies(self) -> int:
        return 1 if self.minus is None else 2


def unit_equations() -> str:
    """A feedback unit: J = I_sum + c, with I_sum summed from its synapses; ``plus`` is 1 for F+'s units, 0 for
    F-'s; the teacher trace (linked to its partner in layer l), the rule's factor and the reconstruction totals."""
    return """
    J = I_sum + c : 1
    I_sum : 1
    c : 1
    dc : 1
    plus : 1 (constant)
    teacher : 1 (linked)
    fb_factor : 1
    rec_err : 1
    rec_n : 1
    kappa_rec : 1 (shared)
    """


def learning_code() -> str:
    """On the unit's learning event: the reconstruction error of its rate, the rule's factor, the bias change and
    the totals (F+'s units count)."""
    return f"""
    fb_factor = -kappa_rec*{soft_lif_slope('J')}*({lif_rate('J')} - teacher)
    dc += fb_factor*dt/second
    rec_err += plus*({lif_rate('J')} - teacher)**2
    rec_n += plus
    """


def build_feedback_population(b2, link: FeedbackLink, sizes, source_group, source_signal: str, layer_group,
                              copies: int, per_unit: int, learns: bool, write_q: str, sample_dt, clock, ns,
                              prefix: str, seed: int = 0) -> FeedbackPopulation:
    """The objects of one non-linear ``link`` l <- m: ``source_group`` (layer m, or the output readout) sends
    ``source_signal`` (its low-passed output) and ``d_syn`` (its difference coders' trace) to the units; the F
    neurons drive ``layer_group``'s apical compartments. ``write_q`` applies a sample's accumulated dq."""
    l, n, n_src = link.layer, sizes[link.layer], sizes[link.source]
    name = f"{prefix}_fb{l}"
    events = {"rec_learn": f"noise_on{l}(t)*learn_feedback(t) > 0.5"} if learns else {}
    units = b2.NeuronGroup(copies * n, unit_equations(), clock=clock, namespace=ns, events=events, name=f"{name}_units")
    units.plus = np.repeat([1.0, 0.0][:copies], n)
    units.teacher = b2.linked_var(layer_group, "h_fb", index=np.tile(np.arange(n), copies))
    pre = f"({source_signal}_pre + plus_post*d_syn_pre)"
    learning = {"learn": plasticity.learn_code(pre)} if learns else {}
    synapses = b2.Synapses(source_group, units, f"q : 1\ndq : 1\nI_sum_post = q*{pre} : 1 (summed)", on_post=learning,
                           on_event=dict.fromkeys(learning, "rec_learn"), clock=clock, namespace=ns, name=f"{name}_q")
    synapses.connect(i=np.repeat(np.arange(n_src), copies * n), j=np.tile(np.arange(copies * n), n_src))
    objects = [units, synapses]
    if learns:
        units.run_regularly("fb_factor = 0", when="end", order=plasticity.CLEAR, name=f"{name}_clear")
        units.run_on_event("rec_learn", learning_code(), when="end", order=plasticity.NEURON)
        plasticity.learn_after_post_event(synapses, learning)
        synapses.run_regularly(write_q, dt=sample_dt, when="end", order=plasticity.WRITE, name=f"{name}_q_write")
        units.run_regularly("c += dc\ndc = 0", dt=sample_dt, when="end", order=plasticity.WRITE, name=f"{name}_c_write")
    rng = np.random.default_rng(seed)
    start = rng.random(n * per_unit)          # the P neurons of a unit at spread phases, F+ as its partner in F-
    groups = []
    for copy in range(copies):
        sign = 1.0 - 2.0 * copy
        partner = copy == 0 and copies == 2
        eqs = """
        dv/dt = (J - v)/tau_rc : 1 (unless refractory)
        J : 1
        amplitude : 1 (constant)
        n_spikes : 1
        counted : 1
        """ + ("v_partner : 1 (linked)\nlast_partner : second (linked)\n" if partner else "")
        group = b2.NeuronGroup(n * per_unit, eqs, threshold="v > 1", reset="v = 0\nn_spikes += active(t)",
                               refractory=TAU_REF * b2.second, method="exponential_euler", clock=clock, namespace=ns,
                               name=f"{name}_{'plus' if copy == 0 else 'minus'}")
        drive = b2.Synapses(units, group, "J_post = J_pre : 1 (summed)", clock=clock, namespace=ns,
                            name=f"{name}_{'plus' if copy == 0 else 'minus'}_drive")
        drive.connect(i=copy * n + np.repeat(np.arange(n), per_unit), j=np.arange(n * per_unit))
        group.amplitude = TAU_REF / per_unit
        group.v = start
        apical = b2.Synapses(group, layer_group, on_pre=f"A_post += {sign}*amplitude_pre/n_tau_fb", clock=clock,
                             namespace=ns, name=f"{name}_{'plus' if copy == 0 else 'minus'}_apical")
        apical.connect(i=np.arange(n * per_unit), j=np.repeat(np.arange(n), per_unit))
        groups.append(group)
        objects += [group, drive, apical]
    if copies == 2:
        plus, minus = groups
        plus.v_partner = b2.linked_var(minus, "v")
        plus.last_partner = b2.linked_var(minus, "lastspike")
        plus.run_regularly("v += pathway_restart(t)*(v_partner - v)\n"
                           "lastspike += pathway_restart(t)*(last_partner - lastspike)", when="start",
                           name=f"{name}_sync")
    return FeedbackPopulation(link, units, synapses, groups[0], groups[1] if copies == 2 else None, objects)


def q_values(q: np.ndarray, copies: int) -> np.ndarray:
    """Synapse values of Q (n_l x n_source) for F+'s units and F-'s, in connect order (source neuron major)."""
    return np.vstack([q] * copies).T.ravel()


def q_from(values: np.ndarray, n: int, n_source: int, copies: int) -> np.ndarray:
    """Q as F+'s units hold it (the first n of each source neuron's copies * n synapses)."""
    return np.asarray(values).reshape(n_source, copies * n)[:, :n].T
