"""The nengo spiking engine: nengo's own validation of learning-rule sizes, the user-facing network builder and
progress bars. The checks every engine shares (refusals, profiles, LIF rates, nudged update, pseudo-inverse,
spike counts) are in tests/engine_contract_suite.py and tests/spiking_agreement_suite.py.

The network is 8-12-3 with LIF hidden units whose input currents J = W_1 x + b_1 span about 1..4 (firing
range); every fast test builds at most a few tiny nengo models."""
from __future__ import annotations

import nengo
import numpy as np
import pytest

from tpneuro.engines.nengo_engine import LocalTargetRule, NengoEngine, NengoOptions, build_nengo_network
from tpneuro.errors import ConfigError

from spiking_networks import digits_online_accuracy, firing_state



@pytest.fixture(scope="module")
def engine():
    return NengoEngine()


def test_neuron_to_neuron_rule_takes_one_error_entry_per_post_neuron():
    """nengo's size_in="post_state" on a Neurons -> Neurons connection is the post *ensemble's* dimension (1
    here), so an apical signal with one entry per post neuron cannot be connected; "post" gives n_post."""
    class PostStateRule(nengo.learning_rules.LearningRuleType):
        modifies = "weights"

        def __init__(self):
            super().__init__(1.0, size_in="post_state")

    with nengo.Network():
        pre = nengo.Ensemble(4, 1)
        post = nengo.Ensemble(5, 1)
        apical = nengo.Node(np.zeros(5))
        good = nengo.Connection(pre.neurons, post.neurons, transform=np.zeros((5, 4)), learning_rule_type=LocalTargetRule())
        bad = nengo.Connection(pre.neurons, post.neurons, transform=np.zeros((5, 4)), learning_rule_type=PostStateRule())
        assert good.learning_rule.size_in == 5
        assert bad.learning_rule.size_in == 1
        nengo.Connection(apical, good.learning_rule)
        with pytest.raises(nengo.exceptions.ValidationError, match=r"Transform output size \(5\) not equal to connection output size \(1\)"):
            nengo.Connection(apical, bad.learning_rule)


def test_options_reject_a_phase_shorter_than_the_time_step():
    with pytest.raises(ConfigError, match=r"nengo engine: nudge: 0.0001 s is shorter than dt = 0.001 s; fix: "):
        NengoOptions(nudge=1e-4)


def test_build_nengo_network_returns_a_probeable_network():
    """The user-facing builder returns a nengo.Network; in the free phase the forward rules' delta is exactly 0
    (plasticity gated off) and the apical signal is 0; after a nudge with label 0 the apical signal is Q_1 times
    the error the output unit computed inside the simulation, beta (onehot(0) - softmax(acc)) with acc its
    free-phase average of the smoothed readout (the readout probe's mean over the averaging window, to 1e-12)."""
    from tpneuro.engines.nengo_engine import Phase
    from tpneuro.network.loss import softmax

    state, x, _ = firing_state()
    net = build_nengo_network(state)
    assert isinstance(net, nengo.Network)
    assert [e.n_neurons for e in net.layers] == [8, 12] and net.readout.size_in == 3
    with net:
        delta = nengo.Probe(net.forward_connections[0].learning_rule, "delta")
        apical = nengo.Probe(net.apical[0])
        readout = nengo.Probe(net.readout, synapse=nengo.Lowpass(0.01))
    p = net.presentation
    p.x[:] = x[0]
    with np.errstate(divide="ignore"), nengo.Simulator(net, progress_bar=False) as sim:
        sim.run(0.04)
        p.averaging = True
        sim.run(0.01)
        p.averaging = False
        free_steps = len(sim.trange())
        p.label[:] = [1.0, 0.0, 0.0]
        p.restart_pathway()
        p.phase = Phase.NUDGE
        sim.run(0.03)
    acc = sim.data[readout][40:50].mean(axis=0)
    np.testing.assert_allclose(net.output_unit.acc, acc, rtol=0, atol=1e-12)
    assert np.all(sim.data[delta][:free_steps] == 0.0) and np.all(sim.data[apical][:free_steps] == 0.0)
    assert np.abs(sim.data[delta][-1]).max() > 0.0
    q, error = state.feedback_params["Q1"], state.rule.output_step() * ([1.0, 0.0, 0.0] - softmax(acc[None])[0])
    np.testing.assert_allclose(sim.data[apical][-1], q @ error, atol=0.05 * np.abs(q).sum(axis=1).max())


def test_nengo_progress_bar_is_off_by_default_and_shows_a_call_when_asked():
    """options.progress_bar takes what nengo.Simulator takes (False, True, a nengo ProgressBar): the build and
    every engine call report through it (the call's bar counts samples); off by default, so tests are quiet."""
    from nengo.utils.progress import ProgressBar

    class Recorder(ProgressBar):
        def __init__(self):
            super().__init__()
            self.finished = []

        def update(self, progress):
            if progress.finished:
                self.finished.append((progress.name_after, progress.n_steps))

    assert NengoOptions().progress_bar is False
    bar = Recorder()
    state, x, _ = firing_state()
    NengoEngine(progress_bar=bar).predict(state, x[:3])
    assert ("Inference", 3) in bar.finished and any(name == "Build" for name, _ in bar.finished)


def test_spike_trains_are_exactly_the_counted_spikes(engine):
    """nengo simulates only the free phase of a spike-train call, so the recorded trains hold every spike it
    counted (brian2's runs are longer than their free phases: the shared suite checks <=)."""
    state, x, _ = firing_state()
    trains = engine.spike_trains(state, x[:2]).samples
    assert sum(int(t["layer 1"].sum()) for t in trains) == engine.last_counts["spikes"]["layer 1"] > 0


@pytest.mark.slow
def test_digits_training_beats_the_frozen_hidden_control():
    """Two online epochs on 400 digits (64 LIF hidden units, Xavier gain 3 so that the hidden layer fires before
    it learns, default options, no feedback pre-training) against the same run with the hidden layer frozen
    (engine_options.frozen_hidden: only the readout learns; same initial weights and data order): test accuracy
    more than 15 points above the control's. Measured: 68.61 % against 32.78 % (nengo's default readout step is a
    quarter of brian2's, so its readout alone learns slowly). A rule whose hidden updates vanish scores the
    control's accuracy. benchmarks/bench_spiking_controls.py runs the full comparison."""
    accuracy = digits_online_accuracy(NengoEngine(), train_subset=400, init_gain=3.0)
    control = digits_online_accuracy(NengoEngine(frozen_hidden=True), train_subset=400, init_gain=3.0)
    assert accuracy - control > 0.15, f"test accuracy {accuracy:.3f}, frozen-hidden control {control:.3f}"
