"""One minibatch of training, written once for every engine that runs the rules' arithmetic on arrays: the numpy
rate engine (in place on a TrainState) and the JAX engine (the same function traced into a compiled program).

Per minibatch, in the order of Meulemans et al. 2020's "parallel" schedule (DESIGN.md section 2): forward pass ->
the rule's local forward updates from the targets -> one feedback optimizer step -> forward optimizer step.

On a chip (``state.chip``, DESIGN.md section 5) every layer's activity goes through the chip's units, mismatch and
noise, and after each optimizer step every stored W_i, Q_i is written as the chip stores a change
(tpneuro.hardware.chip_weights.store_changes). With no chip nothing of that runs.

``rng`` is the source of every random draw (a numpy Generator, or the JAX engine's draws with the same two
methods: tpneuro.arrays.DrawSource); an optimizer is anything with ``step(params, grads)`` that replaces the
entries of ``params`` it updates (tpneuro.optimizers, or the JAX engine's optax steps).
"""
from __future__ import annotations

from typing import Protocol

from ..arrays import DrawSource
from ..hardware import store_changes
from ..network.forward_pass import Activity, Transmit, forward
from ..network.loss import cross_entropy_terms
from ..network.weights import Params
from .train_state import TrainState


class Stepper(Protocol):
    def step(self, params: Params, grads: Params) -> None:
        """Replace ``params[k]`` by its updated value for every key of ``grads``."""


def chip_transmit(state: TrainState, rng: DrawSource) -> Transmit | None:
    """What each layer sends on the state's chip (None: the ideal substrate)."""
    chip = state.chip
    if chip is None:
        return None
    return lambda h, layer: chip.activity(h, layer, rng)


def optimizer_step(state: TrainState, optimizer: Stepper, grads: Params, pathway: str, rng: DrawSource) -> None:
    """One optimizer step on ``pathway``'s parameters; on a chip each stored matrix's change dW is then written as
    the chip writes it, W <- chip.apply_update(W_old, dW) (update resolution and rounding, weight grid)."""
    params = state.params(pathway)
    if state.chip is None:
        optimizer.step(params, grads)
        return
    layers = state.chip_weight_layers(pathway)
    before = {k: params[k] for k in layers if k in grads}      # the step replaces these arrays, it does not write them
    optimizer.step(params, grads)
    store_changes(state.chip, before, params, layers, pathway, rng)


def train_minibatch(state: TrainState, x, y, rng: DrawSource, train_feedback: bool,
                    forward_optimizer: Stepper, feedback_optimizer: Stepper | None):
    """Forward pass, rule updates, one feedback step (if ``train_feedback`` and there is a feedback optimizer),
    forward optimizer step; ``state``'s parameter dicts get the new arrays. Returns (mean loss, number correct,
    feedback loss or None) as arrays."""
    act = forward(state.spec, state.forward_params, x, chip_transmit(state, rng))
    loss, grad_output, n_correct = cross_entropy_terms(act.output, y)
    updates = state.rule.forward_updates(state.forward_params, state.feedback_params, act, grad_output)
    rec = None
    if train_feedback and feedback_optimizer is not None:
        rec = feedback_step(state, act, rng, feedback_optimizer)
    optimizer_step(state, forward_optimizer, state.forward_gradients(updates), "forward", rng)
    return loss, n_correct, rec


def feedback_minibatch(state: TrainState, x, rng: DrawSource, feedback_optimizer: Stepper):
    """One feedback-only step (pre-training and extra feedback epochs): forward pass and feedback step; returns the
    feedback loss."""
    return feedback_step(state, forward(state.spec, state.forward_params, x, chip_transmit(state, rng)), rng,
                         feedback_optimizer)


def feedback_step(state: TrainState, act: Activity, rng: DrawSource, feedback_optimizer: Stepper):
    """The rule's feedback gradients on ``act`` and one step of the feedback optimizer; returns the feedback loss."""
    grads, rec = state.rule.feedback_gradients(state.forward_params, state.feedback_params, act, rng)
    optimizer_step(state, feedback_optimizer, grads, "feedback", rng)
    return rec
