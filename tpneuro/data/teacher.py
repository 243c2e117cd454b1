"""A synthetic classification task labelled by a random teacher network (student-teacher setup).

The student-teacher setup (Gardner & Derrida 1989, J. Phys. A 22:1983; Saad & Solla 1995, Phys. Rev.
Lett. 74:4337) gives a task whose labels a student of the teacher's shape can fit exactly, fast and
without files. The construction, all drawn from ``numpy.random.default_rng``:

    x ~ U[0, 1]^{n_inputs}
    h = tanh(W (x - 1/2) + b),     W_jk ~ N(0, 12 / n_inputs),  b_j ~ N(0, 1)
    z = (V h - mu) / sigma,        V_cj ~ N(0, 1 / n_hidden)
    y = argmax_c z_c

Since x_k - 1/2 has variance 1/12, each component of W (x - 1/2) has unit variance, so tanh works in
its non-linear range. ``mu`` and ``sigma`` are the per-class mean and standard deviation of V h on
``n_reference`` inputs from the teacher's own random stream: centring and scaling every logit alike
keeps the classes balanced (with the defaults, over seeds 0..299, every class holds between 11.1 % and
30.1 % of the 2000 training samples; a uniform split would give 20 %).

A seed fixes everything: ``SeedSequence(seed)`` spawns independent streams for the teacher and for the
train, validation and test inputs, so changing one split's size leaves the teacher and the other splits
unchanged, and a smaller split is the prefix of a larger one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import numpy as np

SPLITS = ("train", "val", "test")
TEACHER_INPUTS, TEACHER_HIDDEN, TEACHER_CLASSES = 20, 30, 5
DEFAULT_SIZES = {"train": 2000, "val": 500, "test": 500}
LabelledSplits: TypeAlias = dict[str, tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class TeacherNetwork:
    """y = argmax_c ((V tanh(W (x - 1/2) + b) - mu) / sigma)_c for inputs x in [0, 1]^n_inputs."""

    W: np.ndarray       # (n_hidden, n_inputs)
    b: np.ndarray       # (n_hidden,)
    V: np.ndarray       # (n_classes, n_hidden)
    mu: np.ndarray      # (n_classes,)
    sigma: np.ndarray   # (n_classes,)

    @property
    def n_inputs(self) -> int:
        return self.W.shape[1]

    @property
    def n_classes(self) -> int:
        return self.V.shape[0]

    def readout(self, x: np.ndarray) -> np.ndarray:
        """V tanh(W (x - 1/2) + b) for a batch x of shape (n, n_inputs); shape (n, n_classes)."""
        return np.tanh((x - 0.5) @ self.W.T + self.b) @ self.V.T

    def logits(self, x: np.ndarray) -> np.ndarray:
        """The centred and scaled readout (V h - mu) / sigma."""
        return (self.readout(x) - self.mu) / self.sigma

    def labels(self, x: np.ndarray) -> np.ndarray:
        """argmax of the logits, as int64 labels in 0..n_classes-1."""
        return self.logits(x).argmax(axis=1).astype(np.int64)


def make_teacher(rng: np.random.Generator, *, n_inputs: int = TEACHER_INPUTS, n_hidden: int = TEACHER_HIDDEN,
                 n_classes: int = TEACHER_CLASSES, n_reference: int = 10_000) -> TeacherNetwork:
    """Draw W, b, V as in the module docstring, then mu and sigma from ``n_reference`` inputs of ``rng``."""
    W = rng.standard_normal((n_hidden, n_inputs)) * np.sqrt(12.0 / n_inputs)
    b = rng.standard_normal(n_hidden)
    V = rng.standard_normal((n_classes, n_hidden)) / np.sqrt(n_hidden)
    uncentred = TeacherNetwork(W, b, V, np.zeros(n_classes), np.ones(n_classes))
    readout = uncentred.readout(rng.random((n_reference, n_inputs)))
    return TeacherNetwork(W, b, V, readout.mean(axis=0), readout.std(axis=0))


def make_teacher_task(*, n_train: int = DEFAULT_SIZES["train"], n_val: int = DEFAULT_SIZES["val"],
                      n_test: int = DEFAULT_SIZES["test"], seed: int = 0, dtype=np.float64,
                      n_inputs: int = TEACHER_INPUTS, n_hidden: int = TEACHER_HIDDEN,
                      n_classes: int = TEACHER_CLASSES) -> tuple[TeacherNetwork, LabelledSplits]:
    """The teacher of ``seed`` and its labelled splits ``{"train"|"val"|"test": (x, y)}``.

    x has shape (n, n_inputs) and ``dtype``; the labels are computed from x after rounding to
    ``dtype``, so they are exactly the teacher's labels of the stored inputs.
    """
    teacher_stream, *split_streams = np.random.SeedSequence(seed).spawn(1 + len(SPLITS))
    teacher = make_teacher(np.random.default_rng(teacher_stream), n_inputs=n_inputs, n_hidden=n_hidden,
                           n_classes=n_classes)
    sizes = {"train": n_train, "val": n_val, "test": n_test}
    splits = {}
    for split, stream in zip(SPLITS, split_streams):
        x = np.random.default_rng(stream).random((sizes[split], n_inputs)).astype(dtype)
        splits[split] = (x, teacher.labels(x.astype(np.float64)))
    return teacher, splits
