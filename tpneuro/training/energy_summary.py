"""Operations and energy per inference and per training sample of a trained network on a profile.

Rate mode counts dense multiply-accumulates (hardware.count_ops_dense); a training sample costs the
matrix products its rule declares (LearningRule.training_macs) plus one synaptic update per stored weight and minibatch.
A spiking chip prices synaptic events, not MACs: there a MAC is counted as one event, i.e. every
presynaptic unit spikes once per pass (the convention is written into the summary). The spiking
engines count real spikes instead.
"""
from __future__ import annotations

from dataclasses import replace

from ..config.experiment import ExperimentConfig
from ..engines.train_state import TrainState
from ..hardware import HardwareProfile, OpCounts, count_ops_dense, energy_report


def operation_counts(cfg: ExperimentConfig, state: TrainState) -> dict[str, OpCounts]:
    sizes = list(state.spec.layer_sizes)
    inference = count_ops_dense(sizes, batch=1)
    extra = cfg.training.extra_fb_epochs if state.rule.has_trained_feedback else 0
    macs = state.rule.training_macs(extra)
    stored = sum(v.size for k, v in state.forward_params.items() if k.startswith("W"))
    stored += sum(state.feedback_params[k].size for k in state.rule.trained_feedback_keys() if k.startswith("Q"))
    training = OpCounts(synaptic_ops=macs, synaptic_updates=stored / cfg.training.batch_size,
                        neuron_updates=inference.neuron_updates * (2 + extra), synaptic_op_kind="mac")
    return {"inference": inference, "training_sample": training}


def energy_summary(cfg: ExperimentConfig, state: TrainState, profile: HardwareProfile | None, *,
                   training: bool = True) -> dict:
    """Operations per inference and per training sample and, with a profile, joules for both: None where
    the profile has no cost for a category that occurs, with a lower bound from the categories it prices.
    ``training=False``: inference only (a network that comes without its training, e.g. a NIR graph)."""
    counts = operation_counts(cfg, state)
    out = {"synaptic_ops_per_inference": counts["inference"].synaptic_ops}
    if training:
        out.update(synaptic_ops_per_training_sample=counts["training_sample"].synaptic_ops,
                   synaptic_updates_per_training_sample=counts["training_sample"].synaptic_updates)
    else:
        del counts["training_sample"]
    if profile is not None:
        as_events = profile.energy.mac_joules is None and profile.energy.synaptic_op_joules is not None
        out["energy_convention"] = "one spike per unit and pass (MAC = synaptic event)" if as_events else "dense MACs"
        for name, c in counts.items():
            priced = replace(c, synaptic_op_kind="event") if as_events else c
            report = energy_report(profile, priced)
            out[f"joules_per_{name}"] = report.joules_total
            if report.missing:   # the categories with a cost still give a lower bound
                out[f"joules_per_{name}_lower_bound"] = sum(j for j in report.joules_by_category.values() if j is not None)
                out["energy_missing_costs"] = list(report.missing)
    return out
