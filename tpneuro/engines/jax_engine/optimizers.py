"""The optimizers of a TrainState (tpneuro.optimizers) as optax transformations inside a compiled program, with
state that converts exactly to and from the numpy optimizers' buffers, so that checkpoints are the same on both
engines.

- Adam: add_decayed_weights(wd) (L2 decay added to the gradient, as torch.optim.Adam), scale_by_adam(b1, b2, eps),
  then -lr: optax corrects both moments for bias, m / (1 - b1^t) over sqrt(v / (1 - b2^t)) + eps, which is the
  numpy step lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps); state count = step_count, mu = m, nu = v.
- RMSprop (centred, with momentum; Graves 2013): add_decayed_weights, scale_by_stddev(a, eps) (eps inside the
  square root), -lr, then trace(mu): the trace is the numpy step's delta = mu delta - lr g / sqrt(n - gbar^2 + eps),
  so a learning rate that changes between epochs gives the same steps; state nu = n, mu = gbar, trace = delta.
- SGD: add_decayed_weights, trace(mu) (if mu > 0), then -lr; trace = velocity.

The learning rate is an argument of the program (a learning-rate grid, the epoch's schedule factor), everything
else is fixed when the program is built. Gradients are cast to their parameter's dtype first (on a chip a float32
network's activities, and so some gradients, are float64), so that a float32 network's optimizer state stays
float32; the numpy optimizers add a float64 gradient in float64 and round the result.
"""
from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import optax

from ...optimizers import SGD, Adam, Optimizer, RMSprop

Tree = dict


@dataclass(frozen=True)
class OptimizerSpec:
    """What a compiled program fixes about an optimizer: its kind and hyper-parameters other than the learning
    rate, and the parameter keys it steps."""

    kind: str
    keys: tuple[str, ...]
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 0.0
    weight_decay: float = 0.0
    momentum: float = 0.0
    averaging: float = 0.0

    @classmethod
    def of(cls, optimizer: Optimizer, keys) -> OptimizerSpec:
        keys = tuple(keys)
        if isinstance(optimizer, Adam):
            return cls("adam", keys, tuple(optimizer.betas), optimizer.eps, optimizer.weight_decay)
        if isinstance(optimizer, RMSprop):
            return cls("rmsprop", keys, eps=optimizer.eps, weight_decay=optimizer.weight_decay,
                       momentum=optimizer.momentum, averaging=optimizer.averaging)
        if isinstance(optimizer, SGD):
            return cls("sgd", keys, weight_decay=optimizer.weight_decay, momentum=optimizer.momentum)
        raise TypeError(f"the jax engine has no optax form of {type(optimizer).__name__}")

    # -- state <-> the numpy optimizer's buffers ------------------------------------------------------
    def buffers(self) -> tuple[str, ...]:
        """The numpy optimizer's per-parameter buffers this optimizer keeps, in its own naming."""
        if self.kind == "adam":
            return ("m", "v")
        if self.kind == "rmsprop":
            return ("n", "gbar", "delta")
        return ("velocity",) if self.momentum else ()

    def state_from(self, optimizer: Optimizer, params: Tree) -> Tree:
        """The state as numpy arrays: the optimizer's step count and its buffers (zeros where it has none yet)."""
        stored = _buffers_of(optimizer)
        return {"count": np.int32(optimizer.step_count),
                **{b: {k: _or_zeros(stored[b], k, params[k]) for k in self.keys} for b in self.buffers()}}

    def write_back(self, optimizer: Optimizer, state: Tree) -> None:
        """Store ``state`` (numpy arrays) in the numpy optimizer, as its own steps would have left it."""
        optimizer.step_count = int(state["count"])
        if self.kind == "adam":
            optimizer.m, optimizer.v = dict(state["m"]), dict(state["v"])
        elif self.kind == "rmsprop":
            optimizer.buffers = {b: dict(state[b]) for b in self.buffers()}
        elif self.momentum:
            optimizer.velocity = dict(state["velocity"])

    # -- the traced step ------------------------------------------------------------------------------
    def update(self, params: Tree, grads: Tree, state: Tree, lr) -> tuple[Tree, Tree]:
        """New values of ``params`` (the optimizer's keys) and the new state, for gradients ``grads``."""
        p = {k: params[k] for k in self.keys}
        g = {k: grads[k].astype(params[k].dtype) for k in self.keys}      # state and parameters keep their dtype
        if self.weight_decay:
            g, _ = optax.add_decayed_weights(self.weight_decay).update(g, optax.EmptyState(), p)
        new = {"count": state["count"] + 1}
        if self.kind == "adam":
            u, s = optax.scale_by_adam(*self.betas, eps=self.eps).update(
                g, optax.ScaleByAdamState(count=state["count"], mu=state["m"], nu=state["v"]))
            u, new["m"], new["v"] = _times(u, -lr), s.mu, s.nu
        elif self.kind == "rmsprop":
            u, s = optax.scale_by_stddev(decay=self.averaging, eps=self.eps).update(
                g, optax.ScaleByRStdDevState(mu=state["gbar"], nu=state["n"]))
            u, t = optax.trace(decay=self.momentum).update(_times(u, -lr), optax.TraceState(trace=state["delta"]))
            new["gbar"], new["n"], new["delta"] = s.mu, s.nu, t.trace
        else:
            if self.momentum:
                g, t = optax.trace(decay=self.momentum).update(g, optax.TraceState(trace=state["velocity"]))
                new["velocity"] = t.trace
            u = _times(g, -lr)
        return optax.apply_updates(p, u), new


class OptaxStep:
    """An optimizer inside a traced minibatch, with the interface the shared minibatch code calls (``step``
    replaces the entries of ``params`` it updates); ``state`` holds the state after the last step."""

    def __init__(self, spec: OptimizerSpec, state: Tree, lr):
        self.spec, self.state, self.lr = spec, state, lr

    def step(self, params: Tree, grads: Tree) -> None:
        if set(grads) != set(self.spec.keys):
            raise ValueError(f"gradients of {sorted(grads)}, but the optimizer steps {sorted(self.spec.keys)}")
        new, self.state = self.spec.update(params, grads, self.state, self.lr)
        params.update(new)


def _times(tree: Tree, factor) -> Tree:
    """factor * u in u's dtype (the factor rounded to it first, as numpy does with a Python number)."""
    return jax.tree.map(lambda u: jnp.asarray(factor, u.dtype) * u, tree)


def _buffers_of(optimizer: Optimizer) -> dict[str, dict]:
    if isinstance(optimizer, Adam):
        return {"m": optimizer.m, "v": optimizer.v}
    if isinstance(optimizer, RMSprop):
        return optimizer.buffers
    return {"velocity": optimizer.velocity}


def _or_zeros(buffers: dict, key: str, like) -> np.ndarray:
    found = buffers.get(key)
    return np.zeros_like(like) if found is None else np.asarray(found)

