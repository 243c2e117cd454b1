"""What a spiking engine's own counts say about a run: simulated against wall time, synaptic events per
second, spikes and energy per training sample and per inference (DESIGN.md sections 4 and 5).

A spiking engine (brian2, nengo) keeps ``totals[kind]`` for kind in train, feedback, inference, probe:
``{samples, simulated_seconds, wall_seconds, spikes: {population: n}, synaptic_events: {population: n}}``,
where a synaptic event is one spike reaching one synapse (spikes x fan-out). Energy is priced from these
real counts with :func:`tpneuro.hardware.energy_report`:

    E = N_events e_syn + N_updates e_upd + N_neuron_steps e_neu,

with N_neuron_steps = (neurons of the mapping) x (simulated time / dt), and N_updates one update of
every plastic weight per presented sample (the net change a chip's learning engine writes per sample):
all W_i and trained Q_i in a train presentation, the Q_i in a feedback presentation.
A training sample costs its train presentation plus ``extra_fb_epochs`` feedback presentations
(the per-sample schedule of the rate summary). Without a hardware profile the costs are those of the
``generic45nm`` convention (Horowitz 2014), named in the summary.
"""
from __future__ import annotations

from ..config.experiment import ExperimentConfig
from ..engines.train_state import TrainState
from ..hardware import HardwareProfile, OpCounts, energy_report, load_profile

DEFAULT_COST_PROFILE = "generic45nm"


def _per_sample(entry: dict | None) -> tuple[float, float, float]:
    """Synaptic events, spikes and simulated seconds per presented sample of one kind of call."""
    if not entry or not entry["samples"]:
        return 0.0, 0.0, 0.0
    n = entry["samples"]
    return (sum(entry["synaptic_events"].values()) / n, sum(entry["spikes"].values()) / n,
            entry["simulated_seconds"] / n)


def mapped_neurons(state: TrainState) -> int:
    """Neurons of the spiking mapping: input rate-coders, hidden populations, ON/OFF error populations."""
    sizes = state.spec.layer_sizes
    return int(sum(sizes[:-1]) + 2 * sizes[-1])


def plastic_weights(state: TrainState) -> tuple[int, int]:
    """Weights one presented sample updates: (forward W_i, trained feedback Q_i)."""
    forward = sum(v.size for k, v in state.forward_params.items() if k.startswith("W"))
    feedback = sum(state.feedback_params[k].size for k in state.rule.trained_feedback_keys() if k.startswith("Q"))
    return forward, feedback


def spiking_summary(totals: dict[str, dict], cfg: ExperimentConfig, state: TrainState, dt: float,
                    profile: HardwareProfile | None) -> dict:
    """Speed, spike and event rates, and joules per training sample and per inference (see module docstring)."""
    out: dict = {}
    simulated = sum(t["simulated_seconds"] for t in totals.values())
    wall = sum(t.get("wall_seconds", 0.0) for t in totals.values())
    events = sum(sum(t["synaptic_events"].values()) for t in totals.values())
    out["simulated_seconds"] = simulated
    out["engine_wall_seconds"] = wall
    if wall > 0:
        out["simulated_seconds_per_wall_second"] = simulated / wall
        out["synaptic_events_per_wall_second"] = events / wall
    extra = cfg.training.extra_fb_epochs if state.rule.has_trained_feedback else 0
    train_ev, train_sp, train_sim = _per_sample(totals.get("train"))
    fb_ev, fb_sp, fb_sim = _per_sample(totals.get("feedback"))
    inf_ev, inf_sp, inf_sim = _per_sample(totals.get("inference"))
    w_forward, w_feedback = plastic_weights(state)
    per = {"training_sample": (train_ev + extra * fb_ev, train_sp + extra * fb_sp, train_sim + extra * fb_sim,
                               w_forward + w_feedback * (1 + extra)),
           "inference": (inf_ev, inf_sp, inf_sim, 0)}
    costs = profile if profile is not None else load_profile(DEFAULT_COST_PROFILE)
    out["spiking_energy_costs"] = costs.name
    for what, (ev, sp, sim, updates) in per.items():
        if not sim:
            continue
        out[f"spikes_per_{what}"] = sp
        out[f"synaptic_events_per_{what}"] = ev
        out[f"simulated_seconds_per_{what}"] = sim
        counts = OpCounts(synaptic_ops=ev, synaptic_updates=float(updates),
                          neuron_updates=mapped_neurons(state) * sim / dt, timesteps=sim / dt,
                          synaptic_op_kind="event")
        report = energy_report(costs, counts)
        out[f"spiking_joules_per_{what}"] = report.joules_total
        if report.missing:
            out[f"spiking_joules_per_{what}_lower_bound"] = sum(
                j for j in report.joules_by_category.values() if j is not None)
    return out
