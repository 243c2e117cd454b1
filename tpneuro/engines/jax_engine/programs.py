"""The compiled programs of the JAX engine: an epoch of minibatches as one ``jax.lax.scan`` of the shared minibatch
code (tpneuro.engines.minibatch), vmapped over networks, and inference.

A program is fixed by a :class:`ProgramSpec` (network, rule and its hyper-parameters, chip profile, optimizers,
input noise, random number generator) and built once per process; what differs between the networks it runs side
by side is data: parameters and optimizer states (the carry), learning rates, the chip's own numbers (frozen
mismatch, grid steps: ChipInstance.numbers), a seed for the epoch's draws, and the minibatch indices.

The minibatches of an epoch come from the trainer's shuffle: the full ones run in the scan, a last smaller one
after it, in the same program.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from ...hardware import ChipInstance, HardwareProfile
from ...network.architecture import NetworkSpec
from ...network.forward_pass import forward
from ...rules.base import LearningRule, RuleHyperparams
from ..minibatch import chip_transmit, feedback_minibatch, train_minibatch
from ..train_state import TrainState
from .draws import JaxDraws
from .optimizers import OptaxStep, OptimizerSpec

PRNG_IMPLS = {"threefry": "threefry2x32", "rbg": "rbg"}
KINDS = ("train", "train_forward_only", "feedback")


@dataclass(frozen=True)
class ProgramSpec:
    """What one compiled program fixes; networks whose states give equal specs run in one program."""

    spec: NetworkSpec
    rule_type: type[LearningRule]
    hyperparams: RuleHyperparams
    profile: HardwareProfile | None
    forward_optimizer: OptimizerSpec | None
    feedback_optimizer: OptimizerSpec | None
    input_noise: float = 0.0
    prng: str = "threefry"

    @classmethod
    def of(cls, state: TrainState, input_noise: float = 0.0, prng: str = "threefry") -> ProgramSpec:
        fwd = state.forward_optimizer
        fb = state.feedback_optimizer
        return cls(state.spec, type(state.rule), state.rule.hp, state.chip.profile if state.chip is not None else None,
                   OptimizerSpec.of(fwd, state.forward_params) if fwd is not None else None,
                   OptimizerSpec.of(fb, state.rule.trained_feedback_keys()) if fb is not None else None,
                   float(input_noise), prng)

    def rule(self) -> LearningRule:
        return self.rule_type(self.spec, self.hyperparams)


def chip_template(profile: HardwareProfile | None, spec: NetworkSpec) -> ChipInstance | None:
    """A chip of ``profile`` for ``spec``, whose numbers each network replaces by its own chip's
    (ChipInstance.with_numbers); None without a profile."""
    return None if profile is None else ChipInstance(profile, spec.layer_sizes, seed=0)


def prng_key(seed, prng: str) -> jax.Array:
    """The typed ``jax.random`` key of ``seed`` for the generator ``prng`` (JaxOptions.prng)."""
    return jax.random.key(seed, impl=PRNG_IMPLS[prng])


def _network(program: ProgramSpec, rule: LearningRule, template: ChipInstance | None, carry: dict,
             net: dict) -> TrainState:
    """One network's state inside the program: the traced parameters, on its own chip."""
    chip = template.with_numbers(net["chip"]) if template is not None else None
    return TrainState(program.spec, rule, dict(carry["fwd"]), dict(carry["fb"]), None, None, chip)


def _float64(value) -> jax.Array:
    return jnp.asarray(jnp.nan if value is None else value, dtype=jnp.float64)


def train_step(program: ProgramSpec, rule: LearningRule, template: ChipInstance | None, train_feedback: bool,
               carry: dict, net: dict, xb, yb, draws) -> tuple[dict, tuple]:
    """One network's training minibatch inside a program: the new carry, and (loss, number correct, feedback
    loss) as arrays. ``draws`` is the minibatch's source of random draws (tpneuro.arrays.DrawSource)."""
    state = _network(program, rule, template, carry, net)
    if program.input_noise:
        xb = xb + program.input_noise * draws.standard_normal(xb.shape, xb.dtype)
    forward_step = OptaxStep(program.forward_optimizer, carry["opt_f"], net["lr_f"])
    feedback_step = (OptaxStep(program.feedback_optimizer, carry["opt_b"], net["lr_b"])
                     if program.feedback_optimizer is not None else None)
    loss, n_correct, rec = train_minibatch(state, xb, yb, draws, train_feedback, forward_step, feedback_step)
    new = {"fwd": state.forward_params, "fb": state.feedback_params, "opt_f": forward_step.state,
           "opt_b": feedback_step.state if feedback_step is not None else carry["opt_b"]}
    return new, (_float64(loss), jnp.asarray(n_correct, jnp.int64), _float64(rec))


def feedback_step(program: ProgramSpec, rule: LearningRule, template: ChipInstance | None, carry: dict, net: dict,
                  xb, yb, draws) -> tuple[dict, jax.Array]:
    """One network's feedback-only minibatch inside a program: the new carry and the feedback loss."""
    state = _network(program, rule, template, carry, net)
    step = OptaxStep(program.feedback_optimizer, carry["opt_b"], net["lr_b"])
    rec = feedback_minibatch(state, xb, draws, step)
    return {**carry, "fb": state.feedback_params, "opt_b": step.state}, _float64(rec)


def _epoch(program: ProgramSpec, step: Callable, carry, net, x, y, idx_full, idx_rest):
    """One network's epoch: the scan over the full minibatches, then the last smaller one (``idx_rest``)."""
    n_full = idx_full.shape[0]
    keys = jax.random.split(prng_key(net["seed"], program.prng), n_full + 1)

    def body(c, inputs):
        idx, k = inputs
        return step(c, net, x[idx], y[idx], JaxDraws(k))

    carry, outs = jax.lax.scan(body, carry, (idx_full, keys[:n_full]))
    if idx_rest is not None:
        carry, last = step(carry, net, x[idx_rest], y[idx_rest], JaxDraws(keys[n_full]))
        outs = jax.tree.map(lambda a, b: jnp.concatenate([a, b[None]]), outs, last)
    return carry, outs


@lru_cache(maxsize=64)
def epoch_program(program: ProgramSpec, kind: str, shared_data: bool) -> Callable:
    """The jitted epoch of ``kind`` (train, train_forward_only, feedback) for N networks:
    ``(carry, net, x, y, idx_full, idx_rest) -> (carry, per-batch outputs)``, every argument stacked over the
    networks on axis 0 except the data when ``shared_data`` (one training set for all)."""
    rule, template = program.rule(), chip_template(program.profile, program.spec)
    if kind == "feedback":
        step = partial(feedback_step, program, rule, template)
    else:
        step = partial(train_step, program, rule, template, kind == "train")
    data_axis = None if shared_data else 0
    batched = jax.vmap(partial(_epoch, program, step), in_axes=(0, 0, data_axis, data_axis, 0, 0))
    return jax.jit(batched)


@lru_cache(maxsize=64)
def predict_program(spec: NetworkSpec, profile: HardwareProfile | None, prng: str) -> Callable:
    """The jitted forward pass ``(params, chip numbers, x, seed) -> h_L`` of one network, on its chip."""
    template = chip_template(profile, spec)

    def run(params, numbers, x, seed):
        state = TrainState(spec, None, params, {}, None, None,
                           template.with_numbers(numbers) if template is not None else None)
        return forward(spec, params, x, chip_transmit(state, JaxDraws(prng_key(seed, prng)))).output

    return jax.jit(run)


def carry_of(program: ProgramSpec, state: TrainState) -> dict:
    """One network's parameters and optimizer states as numpy arrays (the compiled program's carry)."""
    fwd, fb = state.forward_params, state.feedback_params
    return {"fwd": dict(fwd), "fb": dict(fb),
            "opt_f": program.forward_optimizer.state_from(state.forward_optimizer, fwd)
            if program.forward_optimizer is not None else {},
            "opt_b": program.feedback_optimizer.state_from(state.feedback_optimizer, fb)
            if program.feedback_optimizer is not None else {}}


def network_inputs(state: TrainState, seed: int) -> dict:
    """What else differs between networks of one program: learning rates, the chip's numbers, and the seed of the
    epoch's draws."""
    return {"lr_f": np.float64(state.forward_optimizer.lr if state.forward_optimizer is not None else 0.0),
            "lr_b": np.float64(state.feedback_optimizer.lr if state.feedback_optimizer is not None else 0.0),
            "chip": state.chip.numbers() if state.chip is not None else {},
            "seed": np.int64(seed)}


def write_back(program: ProgramSpec, state: TrainState, carry: dict) -> None:
    """Put a network's carry (numpy arrays) into its TrainState: parameters and the optimizers' buffers."""
    state.forward_params.update(carry["fwd"])
    state.feedback_params.update(carry["fb"])
    if program.forward_optimizer is not None:
        program.forward_optimizer.write_back(state.forward_optimizer, carry["opt_f"])
    if program.feedback_optimizer is not None:
        program.feedback_optimizer.write_back(state.feedback_optimizer, carry["opt_b"])
