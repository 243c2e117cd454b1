"""A training run on every spiking engine writes what a rate run writes, plus the spiking summary (simulated
time, events, energy from real spike counts) and spike raster and rate plots; engine settings come from the
config's ``engine_options`` and a misspelt one is refused before anything runs."""
from __future__ import annotations

import json

import pytest

from tpneuro.config import validate_config
from tpneuro.hardware import OpCounts, energy_report, load_profile
from tpneuro.training import Trainer
from tpneuro.training.spiking_summary import mapped_neurons

from spiking_networks import spiking_engines_slow_on


def spiking_config(engine: str) -> dict:
    return {"name": f"spiking_{engine}", "seed": 0, "engine": engine,
            "dataset": {"name": "digits", "train_subset": 12, "test_subset": 6, "validation_size": 4},
            "network": {"hidden": [10], "activation": "soft_lif"},
            "rule": {"name": "ddtp_linear", "beta": 0.2, "sigma": 0.1},
            "optimizer": {"lr": 1e-3}, "feedback_optimizer": {"lr": 1e-3},
            "training": {"epochs": 1, "batch_size": 4, "epochs_fb": 0, "extra_fb_epochs": 1}}


@pytest.mark.parametrize("engine", spiking_engines_slow_on("brian2"))     # brian2: 75 s of compiles
def test_spiking_run_writes_summary_and_spike_plots(engine, tmp_path):
    trainer = Trainer(validate_config(spiking_config(engine)), tmp_path / "run", progress=False)
    result = trainer.run()
    s = json.loads((tmp_path / "run" / "summary.json").read_text())
    totals = trainer.engine.totals
    train, n = totals["train"], len(trainer.data.y_train)
    assert train["samples"] == n and s["spikes_per_training_sample"] > 0
    # events per training sample = one train presentation + extra_fb_epochs (1) feedback presentations
    fb = totals["feedback"]
    want = sum(train["synaptic_events"].values()) / n + sum(fb["synaptic_events"].values()) / fb["samples"]
    assert s["synaptic_events_per_training_sample"] == pytest.approx(want)
    assert s["simulated_seconds_per_wall_second"] > 0 and s["synaptic_events_per_wall_second"] > 0
    # energy recomputed by hand from the generic45nm costs (no profile in the config)
    costs = load_profile("generic45nm")
    sim = s["simulated_seconds_per_training_sample"]
    dt = trainer.engine.options.dt
    weights = 10 * 64 + 10 * 10 + 2 * 10 * 10          # W1, W2 per train presentation; Q1 twice
    by_hand = energy_report(costs, OpCounts(want, weights, mapped_neurons(result.state) * sim / dt, sim / dt))
    assert s["spiking_energy_costs"] == "generic45nm"
    assert s["spiking_joules_per_training_sample"] == pytest.approx(by_hand.joules_total)
    assert s["spiking_joules_per_training_sample"] > want * costs.energy.synaptic_op_joules.value
    for plot in ("learning_curves", "spike_raster", "spike_rates"):
        assert (tmp_path / "run" / "plots" / f"{plot}.png").stat().st_size > 1000


def test_progress_turns_on_an_engines_own_progress_bar_unless_the_config_says_no():
    from tpneuro.runs import preflight
    from tpneuro.runs.assembly import engine_options

    def options(cfg: dict, progress: bool) -> dict:
        return engine_options(preflight(validate_config(cfg)), progress)

    assert options(spiking_config("nengo"), progress=True)["progress_bar"] is True
    assert "progress_bar" not in options(spiking_config("nengo"), progress=False)
    quiet = {**spiking_config("nengo"), "engine_options": {"progress_bar": False}}
    assert options(quiet, progress=True)["progress_bar"] is False
    assert options({**spiking_config("nengo"), "engine": "rate"}, progress=True) == {}
