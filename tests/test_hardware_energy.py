"""Operation counts and energy on a tiny network computed by hand."""
import pytest

from tpneuro.hardware import OpCounts, count_ops_dense, energy_report, load_profile

SIZES = [2, 3, 1]   # synapses 2*3 + 3*1 = 9, non-input units 3 + 1 = 4


def test_rate_mode_counts_and_45nm_energy():
    """Batch 2: MACs = 2 * 9 = 18, neuron updates = 2 * 4 = 8, weight updates (include_updates) 18.
    generic45nm: 18 * 4.6 pJ = 82.8 pJ for the MACs, 18 * 4.6 pJ for the updates, neurons 0 J:
    total 165.6 pJ."""
    counts = count_ops_dense(SIZES, batch=2, include_updates=True)
    assert counts == OpCounts(18.0, 18.0, 8.0, 0.0, "mac")
    report = energy_report(load_profile("generic45nm"), counts)
    assert report.joules_by_category["synaptic_ops"] == pytest.approx(82.8e-12, rel=1e-12)
    assert report.joules_total == pytest.approx(165.6e-12, rel=1e-12)
    assert report.missing == () and report.seconds is None


def test_spike_mode_counts_and_chip_energies():
    """Input units emit 2 spikes, hidden units 0.5, over T = 10 steps, batch 2:
    events = 2 * (2 * 2 * 3 + 0.5 * 3 * 1) = 27; neuron updates = 2 * 10 * 4 = 80; timesteps = 20.
    generic45nm: 27 * 0.9 pJ = 24.3 pJ. spinnaker1: 27 * 43 nJ + 80 * 100 nJ = 9161 nJ, 20 * 1 ms = 20 ms.
    loihi1: 27 * 23.6 pJ = 637.2 pJ for the events; no neuron-update cost, so the total is unknown."""
    counts = count_ops_dense(SIZES, batch=2, spikes_per_unit=[2.0, 0.5], timesteps=10)
    assert counts == OpCounts(27.0, 0.0, 80.0, 20.0, "event")
    assert energy_report(load_profile("generic45nm"), counts).joules_total == pytest.approx(24.3e-12)
    spinnaker = energy_report(load_profile("spinnaker1"), counts)
    assert spinnaker.joules_total == pytest.approx(9161e-9) and spinnaker.seconds == pytest.approx(0.02)
    loihi = energy_report(load_profile("loihi1"), counts)
    assert loihi.joules_by_category["synaptic_ops"] == pytest.approx(637.2e-12)
    assert loihi.joules_by_category["neuron_updates"] is None
    assert loihi.joules_total is None and loihi.missing == ("neuron_updates",)
    assert "unknown (no cost in the profile)" in loihi.describe()


def test_no_cost_is_invented():
    """A MAC count on a chip priced per synaptic event has no cost; zero operations cost 0 J."""
    report = energy_report(load_profile("loihi1"), count_ops_dense(SIZES, batch=1))
    assert report.joules_by_category["synaptic_ops"] is None and report.joules_total is None
    ideal = energy_report(load_profile("ideal"), OpCounts())
    assert ideal.joules_total == 0.0


def test_opcounts_add_and_scale():
    a = OpCounts(1.0, 2.0, 3.0, 4.0, "event")
    b = OpCounts(10.0, 20.0, 30.0, 40.0, "event")
    assert a + b == OpCounts(11.0, 22.0, 33.0, 44.0, "event")
    assert 2 * a == a * 2 == OpCounts(2.0, 4.0, 6.0, 8.0, "event")
    assert OpCounts(synaptic_updates=5.0) + OpCounts(3.0, synaptic_op_kind="mac") == \
        OpCounts(3.0, 5.0, 0.0, 0.0, "mac")
    with pytest.raises(ValueError, match="cannot add 'event' and 'mac' synaptic ops"):
        a + OpCounts(1.0, synaptic_op_kind="mac")


def test_bad_spike_rates_are_refused():
    with pytest.raises(ValueError, match=r"spikes_per_unit needs one number or one per sending layer 0..L-1 "
                                         r"\(2 values\)"):
        count_ops_dense(SIZES, batch=1, spikes_per_unit=[1.0, 2.0, 3.0])
