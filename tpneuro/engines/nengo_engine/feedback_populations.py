"""Non-linear feedback maps as populations of spiking neurons (DESIGN.md section 4): the seed paper's target
propagation in spikes (Lee, Zhang, Fischer & Bengio 2015, arXiv 1412.7525).

DTP sets t_l = g_m(t_m) + h_l - g_m(h_m) (Eq. 15; m = l + 1), plain TP t_l = g_m(t_m) (Eq. 8), with
g_m(u) = s(Q_m u + c_m). A population of LIF neurons driven by the current Q u + c fires at s(Q u + c), s the LIF
rate curve (the rate engine's soft_lif), so each non-linear feedback link l <- m
(tpneuro.engines.spiking_schedule.FeedbackLink) is built of populations of n_l neurons, neuron k of each paired
with neuron k of layer l:

- F+ receives, through synapses Q and a bias c, the *multiplexed* output of the source m: its spikes (rate h_m;
  for m = L the output readout r_L) and its ON/OFF difference coders (t_m - h_m, in the nudged phase only; for
  m = L the output error's coders), summed at the synapse, as the two kinds of spikes of one neuron reach one
  synapse (events and bursts, Payeur et al. 2021, Nat. Neurosci. 24:1010). So F+ fires at g(h_m) in the free
  and noise phases and at g(t_m) in the nudged phase.
- F- (DTP only) receives the source's spikes alone through synapses of its own: it fires at g(h_m) throughout.
- Layer l's apical compartment receives F+ through +1 and F- through -1 one-to-one synapses: A_l = g(t_m) -
  g(h_m) = t_l - h_l in the nudged phase, the change of the feedback population's drive between the free and
  the nudged phase (DTP's difference correction). For TP there is no F-: the compartment subtracts the neuron's
  own spike train instead (a back-propagating action potential), A_l = g(t_m) - h_l.

The synapses onto F+ and F- and their plasticity are one Node per link (:class:`FeedbackSynapses`: a Node because
nengo's learning rules need a neural presynaptic object, and the readout and the multiplexed output are not):
it holds their weights, Q+ and Q- and biases c+ and c-, and sends F+ and F- their input currents. F+ and F-
receive the same input outside the nudge and learn by the same local rule from the same signals, so their
weights stay equal; the runtime resets their membranes at every pathway restart (simulator_io.reset_neurons),
so they fire in lockstep until the nudge changes F+'s drive.

Plasticity: Lee et al.'s layer reconstruction loss (Eq. 13, without its 1/sigma^2) with the network's own noise.
In the gated part of the noise windows of layer l a noise current makes its rates h~_l, the source answers with
h~_m = f_m(h~_l), and F's neuron k learns to fire at the rate of its partner, neuron k of layer l, which it
receives through a one-to-one synapse (the teacher trace T_k, the partner's spike train low-passed). Plain SGD:

    dQ_kj/dt = -kappa g s'(J_k) (G(J_k) - T_k) x_j,      dc_k/dt = -kappa g s'(J_k) (G(J_k) - T_k),

with J_k the F neuron's input current (what the Node sends it), G the LIF rate curve (its rate;
tpneuro.network.lif_rate.lif_rate, as the noise reconstruction rule reads its neurons' rates), s' the soft-LIF
slope (as the forward rule), x_j the synapse's low-passed presynaptic signal, g in {0, 1} the plasticity gate of
layer l's noise windows and kappa = 2 reconstruction_learning_rate / (noise_windows noise_learn): one sample's
gated time is one SGD step of size reconstruction_learning_rate on the loss. On a chip (``store``) the change of a
sample's noise phase is summed and Q written once through the chip's weight store when the gate is shut and the
hold flag drops (as the noise reconstruction rule does); c is a bias, not on the grid.
"""
from __future__ import annotations

import nengo
import numpy as np

from ...network.lif_rate import TAU_RC, TAU_REF, lif_rate, soft_lif_derivative, soft_lif_rate
from ..spiking_schedule import FeedbackLink


class FeedbackSynapses:
    """The plastic synapses onto one link's F+ (and F-) as a Node function. Input [x (n_s), d (n_s), T (n), g,
    hold]: the low-passed source signal, the low-passed difference coders (on - off), the teacher traces, the
    plasticity gate and the hold flag; output the input currents [J+ (n), J- (n)] (J- for DTP only)."""

    def __init__(self, q: np.ndarray, c: np.ndarray, copies: int, learning_rate: float | None, dt: float,
                 store=None):
        self.n, self.n_source = q.shape
        self.q = np.array([q] * copies, dtype=float)           # per copy (F+, F-): its own weights
        self.c = np.array([c] * copies, dtype=float)
        self.scale = None if learning_rate is None else learning_rate * dt
        self.store = store
        self.pending = np.zeros_like(self.q) if store is not None else None
        self.totals = np.zeros(3)                              # [sum of err^2, number of terms, gated steps]
        self._open = False

    def load(self, q: np.ndarray, c: np.ndarray) -> None:
        self.q[...] = q
        self.c[...] = c

    def __call__(self, t, signals):
        n, ns = self.n, self.n_source
        x, d, teacher, gate, hold = signals[:ns], signals[ns:2 * ns], signals[2 * ns:2 * ns + n], signals[-2], signals[-1]
        pre = np.stack([x + d, x][:len(self.q)])
        current = np.einsum("pkj,pj->pk", self.q, pre) + self.c
        if self.scale is not None:
            if gate != 0.0:
                self._learn(current, pre, teacher, gate)
            elif self._open and hold == 0.0:        # the noise phase is over: write the sample's change
                self._commit()
        return current.ravel()

    def _learn(self, current, pre, teacher, gate) -> None:
        error = lif_rate(current) - teacher
        self.totals += gate * np.array([float(np.sum(error[0] ** 2)), self.n, 1.0])
        post = -self.scale * gate * soft_lif_derivative(current, soft_lif_rate(current)) * error
        self.c += post
        change = post[:, :, None] * pre[:, None, :]
        if self.store is None:
            self.q += change
        else:
            self.pending += change
            self._open = True

    def _commit(self) -> None:
        for p in range(len(self.q)):
            self.q[p] = self.store.commit(self.q[p], self.pending[p])
        self.pending[...] = 0.0
        self._open = False

    def take_totals(self) -> np.ndarray:
        totals, self.totals = self.totals, np.zeros(3)
        return totals


def build_feedback_population(net: nengo.Network, link: FeedbackLink, q: np.ndarray, c: np.ndarray,
                              learning_rate: float | None, synapse: nengo.synapses.Synapse,
                              feedback_synapse: nengo.synapses.Synapse, difference_correction: bool, dt: float,
                              store=None, per_unit: int = 1) -> None:
    """Build the populations of one non-linear ``link`` l <- m (inside ``with net``): from the source's output
    (``net.layers[m].neurons``, or ``net.readout`` for m = L) and difference coders (``net.coders[m]``) through a
    :class:`FeedbackSynapses` Node (learning when ``learning_rate``, per second, is set; teacher from layer l,
    gate and hold from its noise node) into F+ (and F- when ``difference_correction``), and from them into
    ``net.apical[l - 1]``. The Node function is appended to ``net.feedback_synapses`` as (link, function), the
    populations (F+, F-) to ``net.feedback_populations``."""
    l, m, n, n_source = link.layer, link.source, q.shape[0], q.shape[1]
    copies = 2 if difference_correction else 1
    lif = nengo.LIF(tau_rc=TAU_RC, tau_ref=TAU_REF, amplitude=TAU_REF)
    synapses = FeedbackSynapses(q, c, copies, learning_rate, dt, store)
    node = nengo.Node(synapses, size_in=2 * n_source + n + 2, size_out=copies * n, label=f"feedback synapses {m}->{l}")
    source = net.readout if m == len(net.layers) else net.layers[m].neurons
    nengo.Connection(source, node[:n_source], synapse=synapse)
    nengo.Connection(net.coders[m].neurons, node[n_source:2 * n_source],
                     transform=np.hstack([np.eye(n_source), -np.eye(n_source)]), synapse=synapse)
    nengo.Connection(net.layers[l].neurons, node[2 * n_source:2 * n_source + n], synapse=synapse)
    nengo.Connection(net.noise_nodes[l - 1][-2:], node[-2:], synapse=None)
    spread = np.repeat(np.eye(n), per_unit, axis=0)        # unit k -> its per_unit neurons
    populations = []
    for copy, sign in enumerate((1.0, -1.0)[:copies]):
        ens = nengo.Ensemble(n * per_unit, 1, neuron_type=lif, gain=np.ones(n * per_unit), bias=np.zeros(n * per_unit),
                             label=f"feedback {'+-'[copy]} {m}->{l}")
        nengo.Connection(node[copy * n:(copy + 1) * n], ens.neurons, transform=spread, synapse=None)
        nengo.Connection(ens.neurons, net.apical[l - 1], transform=sign * spread.T / per_unit, synapse=feedback_synapse)
        populations.append(ens)
    net.feedback_populations.append(tuple(populations))
    if not difference_correction:       # TP: the neuron's own spike train, subtracted in its apical compartment
        nengo.Connection(net.layers[l].neurons, net.apical[l - 1], transform=-np.eye(n), synapse=feedback_synapse)
    net.feedback_synapses.append((link, synapses))
