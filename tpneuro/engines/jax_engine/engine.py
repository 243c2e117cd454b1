"""The JAX engine (``engine: jax``): the rate engine's arithmetic, compiled, for one network or many at once.

Every epoch is one call of a compiled program (tpneuro.engines.jax_engine.programs) per group of networks that
share a program: their parameters, optimizer states, learning rates, chips' numbers and minibatch indices go in
stacked, and come back into each network's TrainState as numpy arrays, so that checkpoints, evaluation on other
engines and the diagnostics see the same state as on the rate engine, and a run resumes on either engine.

Randomness: each network draws one seed per epoch (or per single minibatch) from its numpy noise generator, so
the same config and seed give the same numbers on this engine, and a resumed run continues the same streams; the
draws themselves come from ``jax.random`` (JaxOptions.prng), not from numpy, so they differ from the rate engine's.
"""
from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, ClassVar

import jax
import numpy as np

from ..capabilities import EngineCapabilities
from ..protocol import BatchResult, Engine, EpochResult, EpochWork
from .options import JaxOptions
from .programs import ProgramSpec, carry_of, epoch_program, network_inputs, predict_program, write_back

jax.config.update("jax_enable_x64", True)      # float64 networks; float32 ones keep their dtype

SEED_LIMIT = 2**63 - 1
DATA_CACHE_SIZE = 4


class JaxEngine(Engine):
    name: ClassVar[str] = "jax"
    capabilities: ClassVar[EngineCapabilities] = EngineCapabilities(
        why="the JAX engine (the rate engine's arithmetic, compiled by XLA)")
    options_type: ClassVar[type | None] = JaxOptions
    quick_options: ClassVar[dict[str, Any]] = {"compile": False}
    continues_runs_of: ClassVar[str | None] = "rate"

    def __init__(self, options: JaxOptions | None = None, **overrides):
        super().__init__(options, **overrides)
        self.device = self.options.jax_device()
        self._data: OrderedDict[tuple, tuple[list, Any]] = OrderedDict()

    # -- the contract's single minibatches ---------------------------------------------------------
    def train_batch(self, state, x, y, rng, train_feedback):
        work = EpochWork(state, x, y, [np.arange(len(x))], rng)
        res = self._run([work], "train" if train_feedback else "train_forward_only", 0.0)[0]
        return BatchResult(float(res.losses[0]), int(res.n_correct[0]), float(res.reconstruction_losses[0]))

    def feedback_batch(self, state, x, rng):
        work = EpochWork(state, x, np.zeros(len(x), dtype=np.int64), [np.arange(len(x))], rng)
        return float(self.feedback_epochs([work])[0][0])

    # -- whole epochs, many networks -------------------------------------------------------------
    def train_epochs(self, works: Sequence[EpochWork], input_noise: float = 0.0,
                     progress: str | None = None) -> list[EpochResult]:
        """One compiled epoch per group of ``works`` that share a program (all of them, for N networks of one
        config that differ in seeds, chips of one profile and learning rates)."""
        return self._run(works, "train", input_noise)

    def feedback_epochs(self, works: Sequence[EpochWork], progress: str | None = None) -> list[np.ndarray]:
        trained = [w for w in works if w.state.feedback_optimizer is not None]
        if len(trained) != len(works):
            raise ValueError("a feedback epoch needs a feedback optimizer (a rule with trained feedback)")
        return [r.reconstruction_losses for r in self._run(works, "feedback", 0.0)]

    def _run(self, works: Sequence[EpochWork], kind: str, input_noise: float) -> list[EpochResult]:
        results: dict[int, EpochResult] = {}
        for members in _groups(works, kind, input_noise, self.options.prng).values():
            for j, res in zip(members, self._run_group([works[j] for j in members], kind, input_noise)):
                results[j] = res
        return [results[j] for j in range(len(works))]

    def _run_group(self, works: list[EpochWork], kind: str, input_noise: float) -> list[EpochResult]:
        program = ProgramSpec.of(works[0].state, input_noise, self.options.prng)
        shared, x, y = self._device_data(works)
        idx_full, idx_rest = _batch_indices(works)
        carry = _stacked([carry_of(program, w.state) for w in works])
        net = _stacked([network_inputs(w.state, w.rng.integers(SEED_LIMIT)) for w in works])
        run = epoch_program(program, kind, shared)
        put = lambda tree: jax.device_put(tree, self.device)  # noqa: E731
        with self._compiling():
            carry, outs = jax.device_get(run(put(carry), put(net), x, y, put(idx_full),
                                             None if idx_rest is None else put(idx_rest)))
        results = []
        for n, work in enumerate(works):
            write_back(program, work.state, jax.tree.map(lambda a: np.array(a[n]), carry))
            if kind == "feedback":
                rec = np.asarray(outs[n], dtype=np.float64)
                results.append(EpochResult(np.full(len(rec), np.nan), np.zeros(len(rec), np.int64), rec))
            else:
                losses, correct, rec = (np.asarray(o[n]) for o in outs)
                results.append(EpochResult(losses.astype(np.float64), correct.astype(np.int64),
                                           rec.astype(np.float64)))
        return results

    def _device_data(self, works: list[EpochWork]):
        """(shared, x, y) on the device: one training set when all networks have the same one, else stacked;
        kept between epochs (the last few training sets)."""
        xs, ys = [w.x for w in works], [w.y for w in works]
        key = tuple(id(a) for a in xs + ys)
        if key not in self._data:
            shared = all(_same(xs[0], a) for a in xs) and all(_same(ys[0], b) for b in ys)
            x, y = (xs[0], ys[0]) if shared else (np.stack(xs), np.stack(ys))
            self._data[key] = (xs + ys, (shared, jax.device_put(x, self.device), jax.device_put(y, self.device)))
            while len(self._data) > DATA_CACHE_SIZE:
                self._data.popitem(last=False)
        self._data.move_to_end(key)
        return self._data[key][1]

    def _compiling(self):
        """Where the programs run compiled, or op by op (``options.compile`` False)."""
        return contextlib.nullcontext() if self.options.compile else jax.disable_jit()

    # -- inference ---------------------------------------------------------------------------------
    def predict(self, state, x, rng=None):
        """Output h_L (logits) for ``x``, compiled, in chunks of ``eval_batch_size`` rows (the last one padded, so
        that one program serves every set); on a chip, each chunk's noise and stochastic units are drawn from a
        seed taken from ``rng`` (a fixed default stream when not given)."""
        rng = rng if rng is not None else np.random.default_rng(0)
        run = predict_program(state.spec, state.chip.profile if state.chip is not None else None, self.options.prng)
        params = jax.device_put(dict(state.forward_params), self.device)
        numbers = jax.device_put(state.chip.numbers() if state.chip is not None else {}, self.device)
        size = self.options.eval_batch_size
        chunks = []
        for s in range(0, len(x), size):
            seed = int(rng.integers(SEED_LIMIT)) if state.chip is not None else 0
            rows = x[s:s + size]
            padded = np.concatenate([rows, np.zeros((size - len(rows),) + rows.shape[1:], rows.dtype)])
            with self._compiling():
                chunks.append(np.asarray(run(params, numbers, jax.device_put(padded, self.device), seed))[:len(rows)])
        return np.concatenate(chunks) if chunks else np.zeros((0, state.spec.layer_sizes[-1]), state.spec.np_dtype)


def _groups(works: Sequence[EpochWork], kind: str, input_noise: float, prng: str) -> dict[tuple, list[int]]:
    """Indices of ``works`` by what one compiled call needs in common: the program and the shapes of the data and
    of the minibatches."""
    groups: dict[tuple, list[int]] = {}
    for j, w in enumerate(works):
        sizes = tuple(len(b) for b in w.batches)
        key = (ProgramSpec.of(w.state, input_noise, prng), kind, w.x.shape, w.x.dtype, sizes)
        groups.setdefault(key, []).append(j)
    return groups


def _batch_indices(works: list[EpochWork]) -> tuple[np.ndarray, np.ndarray | None]:
    """(N, full minibatches, batch size) and (N, size of the last, smaller one) or None, as int32 indices."""
    sizes = [len(b) for b in works[0].batches]
    full = sum(1 for s in sizes if s == sizes[0]) if sizes else 0
    if any(s != sizes[0] for s in sizes[:full]) or any(len(set(map(len, w.batches))) > 2 for w in works):
        raise ValueError("minibatches must all have one size but the last")
    idx_full = np.stack([np.stack(w.batches[:full]) if full else np.zeros((0, 0), np.int32) for w in works])
    rest = [w.batches[full:] for w in works]
    if any(len(r) > 1 for r in rest):
        raise ValueError("minibatches must all have one size but the last")
    idx_rest = np.stack([r[0] for r in rest]).astype(np.int32) if rest[0] else None
    return idx_full.astype(np.int32), idx_rest


def _stacked(trees: list[dict]) -> dict:
    return jax.tree.map(lambda *leaves: np.stack(leaves), *trees)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a is b or (a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b))
