"""Datasets as train / validation / test splits of flat inputs in [0, 1] and int64 labels.

- ``fashion_mnist`` (Xiao, Rasul & Vollgraf 2017, arXiv 1708.07747), ``mnist`` (LeCun et al. 1998) and
  ``idx`` (any dataset in the same four-file IDX layout): 28x28 (or other) uint8 images scaled by 1/255.
  The validation set is the last 5000 of the 60000 training images, the 55k/5k split of Meulemans et
  al. 2020 (arXiv 2006.14331), and does not depend on the seed.
- ``digits``: the 8x8 UCI handwritten digits that ship with scikit-learn (1797 samples, pixels 0..16
  scaled by 1/16), split by a permutation drawn from the seed: 360 test, 180 validation, the rest train.
- ``teacher``: the synthetic task of :mod:`tpneuro.data.teacher`, fully determined by the seed.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError, DatasetError, DatasetNotFoundError, UnknownNameError
from .idx import read_idx
from .teacher import DEFAULT_SIZES as TEACHER_SIZES
from .teacher import TEACHER_CLASSES, TEACHER_INPUTS, make_teacher_task

DATASET_NAMES: tuple[str, ...] = ("fashion_mnist", "mnist", "idx", "digits", "teacher")
SEEDED_DATASETS: tuple[str, ...] = ("digits", "teacher")
"""The datasets whose splits depend on the seed (the IDX ones do not)."""
FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
"""The four files of an IDX dataset; each may also be gzip-compressed with a ``.gz`` suffix."""
IDX_VALIDATION_SIZE = 5000
IDX_PIXEL_MAX = 255
DIGITS_TEST_SIZE, DIGITS_VALIDATION_SIZE, DIGITS_PIXEL_MAX = 360, 180, 16

_FASHION_MNIST_FIX = ("install it with `apt-get install -y dataset-fashion-mnist` or set dataset.path to a "
                      "directory holding the IDX files")
_IDX_FIX = "set dataset.path to a directory holding the four IDX files"

Split = tuple[np.ndarray, np.ndarray]   # (inputs (n, d) before scaling, labels (n,))


@dataclass(frozen=True)
class DataSplits:
    """Train, validation and test sets: x is (n, d), C-contiguous, in [0, 1]; y is int64 in 0..n_classes-1."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int

    @property
    def input_size(self) -> int:
        """d, the number of input features."""
        return self.x_train.shape[1]


KNOWN_SHAPES: dict[str, tuple[int, int]] = {"fashion_mnist": (784, 10), "mnist": (784, 10), "digits": (64, 10),
                                            "teacher": (TEACHER_INPUTS, TEACHER_CLASSES)}
"""(input size, number of classes) of the datasets whose shape does not depend on user files; ``idx`` has none."""


def expected_shape(name: str) -> tuple[int, int] | None:
    """The (input size, classes) that dataset ``name`` will have, known without reading it; None if unknown."""
    return KNOWN_SHAPES.get(name)


def load_dataset(name: str, *, path: str | None = None, validation_size: int | None = None,
                 train_subset: int | None = None, test_subset: int | None = None, seed: int = 0,
                 dtype=np.float64, source: str = "dataset") -> DataSplits:
    """Load dataset ``name`` (one of DATASET_NAMES) as DataSplits with inputs of ``dtype``.

    ``validation_size`` overrides the default held-out part of the training set (5000 for the IDX
    datasets, 180 for digits, 500 for teacher); ``train_subset`` / ``test_subset`` keep the first N
    training / test samples after the split (for teacher they set the sizes generated, 2000 and 500 by
    default, which is the same thing because a smaller teacher split is a prefix of a larger one).
    Errors name ``source`` (the config file) and the field: UnknownNameError, ConfigError, and
    DatasetNotFoundError when the IDX files are not there.
    """
    if name not in DATASET_NAMES:
        raise UnknownNameError(source, "dataset.name", name, list(DATASET_NAMES))
    dtype = _float_dtype(dtype, source)
    for field, value, lowest in (("dataset.validation_size", validation_size, 0),
                                 ("dataset.train_subset", train_subset, 1), ("dataset.test_subset", test_subset, 1)):
        _check_not_below(value, lowest, field, source)
    if name == "teacher":
        return _teacher_splits(validation_size, train_subset, test_subset, seed, dtype)
    if name == "digits":
        splits, pixel_max = _digits_splits(validation_size, seed, source), DIGITS_PIXEL_MAX
    else:
        splits, pixel_max = _idx_splits(name, path, validation_size, source), IDX_PIXEL_MAX
    n_classes = int(max(labels.max(initial=0) for _, labels in splits.values())) + 1
    splits["train"] = _first(splits["train"], train_subset, "dataset.train_subset", name, source)
    splits["test"] = _first(splits["test"], test_subset, "dataset.test_subset", name, source)
    return _scaled_splits(name, splits, pixel_max, n_classes, dtype)


def _scaled_splits(name: str, splits: dict[str, Split], pixel_max: float, n_classes: int,
                   dtype: np.dtype) -> DataSplits:
    """x / pixel_max as new C-contiguous arrays of ``dtype``; labels as C-contiguous int64."""
    arrays = {}
    for split, (x, y) in splits.items():
        arrays[f"x_{split}"] = np.divide(x, pixel_max, dtype=dtype)
        arrays[f"y_{split}"] = np.ascontiguousarray(y, dtype=np.int64)
    return DataSplits(name=name, n_classes=n_classes, **arrays)


# -- IDX datasets (fashion_mnist, mnist, idx) ----------------------------------------------------------

def _idx_splits(name: str, path: str | None, validation_size: int | None, source: str) -> dict[str, Split]:
    """The 60k training images split into train and the last ``validation_size`` as validation; test."""
    if path is None and name != "fashion_mnist":
        raise ConfigError(source, "dataset.path", f"dataset {name!r} needs the directory of its IDX files",
                          _IDX_FIX)
    directory = Path(path if path is not None else FASHION_MNIST_DIR).expanduser()
    files = {role: _find_idx_file(name, directory, base, source) for role, base in IDX_FILES.items()}
    x_train, y_train = _images_and_labels(files["train_images"], files["train_labels"])
    x_test, y_test = _images_and_labels(files["test_images"], files["test_labels"])
    n_val = IDX_VALIDATION_SIZE if validation_size is None else validation_size
    _check_validation_size(n_val, len(y_train), name, source)
    n_train = len(y_train) - n_val
    return {"train": (x_train[:n_train], y_train[:n_train]), "val": (x_train[n_train:], y_train[n_train:]),
            "test": (x_test, y_test)}


def _find_idx_file(name: str, directory: Path, base: str, source: str) -> Path:
    """``directory/base`` or else ``directory/base.gz``; DatasetNotFoundError when neither is a file."""
    for candidate in (directory / base, directory / f"{base}.gz"):
        if candidate.is_file():
            return candidate
    if directory.exists() and not directory.is_dir():
        raise DatasetNotFoundError(f"{source}: dataset.path: {directory} is a file, not a directory; fix: set "
                                   "dataset.path to the directory that holds the four IDX files")
    where = f"directory {directory}" + ("" if directory.is_dir() else " (which does not exist)")
    fix = _FASHION_MNIST_FIX if name == "fashion_mnist" else _IDX_FIX
    raise DatasetNotFoundError(f"{source}: dataset {name!r}: no {base} or {base}.gz in {where}; fix: {fix}")


def _images_and_labels(images_file: Path, labels_file: Path) -> Split:
    """uint8 images flattened to (n, d) and their non-negative integer labels (n,), checked to match."""
    images, labels = read_idx(images_file), read_idx(labels_file)
    fix = "use the images and labels files of one IDX dataset, intact"
    if images.dtype != np.uint8 or images.ndim < 2:
        raise DatasetError(f"{images_file}: expected uint8 images with at least 2 dimensions (n, ...), got "
                           f"{images.dtype} of shape {images.shape}; fix: {fix}")
    if not np.issubdtype(labels.dtype, np.integer) or labels.ndim != 1:
        raise DatasetError(f"{labels_file}: expected one integer label per sample, got {labels.dtype} of "
                           f"shape {labels.shape}; fix: {fix}")
    if len(labels) != len(images):
        raise DatasetError(f"{labels_file}: holds {len(labels)} labels but {images_file} holds "
                           f"{len(images)} images; fix: {fix}")
    if labels.min(initial=0) < 0:
        raise DatasetError(f"{labels_file}: negative label {labels.min()}; fix: labels must be 0..n_classes-1")
    return images.reshape(len(images), -1), labels


# -- digits and teacher ----------------------------------------------------------------------------------

def _digits_splits(validation_size: int | None, seed: int, source: str) -> dict[str, Split]:
    """A permutation from ``seed``: its first 360 indices are test, the next ``validation_size`` validation."""
    from sklearn.datasets import load_digits   # imported here: scikit-learn takes ~1 s to import

    x, y = load_digits(return_X_y=True)
    n_val = DIGITS_VALIDATION_SIZE if validation_size is None else validation_size
    _check_validation_size(n_val, len(y) - DIGITS_TEST_SIZE, "digits", source)
    order = np.random.default_rng(seed).permutation(len(y))
    test, val, train = np.split(order, [DIGITS_TEST_SIZE, DIGITS_TEST_SIZE + n_val])
    return {"train": (x[train], y[train]), "val": (x[val], y[val]), "test": (x[test], y[test])}


def _teacher_splits(validation_size: int | None, train_subset: int | None, test_subset: int | None,
                    seed: int, dtype: np.dtype) -> DataSplits:
    """The teacher task with the requested split sizes (defaults 2000 / 500 / 500)."""
    teacher, splits = make_teacher_task(
        n_train=TEACHER_SIZES["train"] if train_subset is None else train_subset,
        n_val=TEACHER_SIZES["val"] if validation_size is None else validation_size,
        n_test=TEACHER_SIZES["test"] if test_subset is None else test_subset, seed=seed, dtype=dtype)
    return _scaled_splits("teacher", splits, 1, teacher.n_classes, dtype)


# -- argument checks ------------------------------------------------------------------------------------

def _float_dtype(dtype, source: str) -> np.dtype:
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise ConfigError(source, "network.dtype", f"inputs need a floating-point type, got {dtype}",
                          "use float32 or float64")
    return dtype


def _check_not_below(value: int | None, lowest: int, field: str, source: str) -> None:
    if value is not None and value < lowest:
        raise ConfigError(source, field, f"{value} is below {lowest}", f"use a value >= {lowest} or leave it unset")


def _check_validation_size(n_val: int, n_available: int, name: str, source: str) -> None:
    if not 0 <= n_val < n_available:
        raise ConfigError(source, "dataset.validation_size",
                          f"{n_val} is out of range for dataset {name!r}, whose training set holds "
                          f"{n_available} samples",
                          f"use a value in 0..{n_available - 1} so that at least one training sample remains")


def _first(split: Split, n: int | None, field: str, name: str, source: str) -> Split:
    """The first ``n`` samples of ``split`` (all of them when n is None); ConfigError if it holds fewer."""
    if n is None:
        return split
    x, y = split
    if n > len(y):
        raise ConfigError(source, field, f"{n} exceeds the {len(y)} samples available in dataset {name!r}",
                          f"use a value in 1..{len(y)} or leave it unset")
    return x[:n], y[:n]
