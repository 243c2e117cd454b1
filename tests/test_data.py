"""The dataset layer: IDX reading, the IDX / digits / teacher splits, and the errors users see."""
from __future__ import annotations

import gzip
import re
import struct
from pathlib import Path

import numpy as np
import pytest

from tpneuro.data import (DATASET_NAMES, FASHION_MNIST_DIR, IDX_FILES, load_dataset, make_teacher_task,
                          read_idx)
from tpneuro.errors import ConfigError, DatasetNotFoundError, UnknownNameError

TYPE_CODES = {"u1": 0x08, "i1": 0x09, "i2": 0x0B, "i4": 0x0C, "f4": 0x0D, "f8": 0x0E}


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file written by hand: magic 00 00 TT DD, big-endian uint32 sizes, big-endian elements."""
    code = TYPE_CODES[array.dtype.str[1:]]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path: Path, array: np.ndarray) -> Path:
    content = idx_bytes(array)
    path.write_bytes(gzip.compress(content) if path.suffix == ".gz" else content)
    return path


# -- read_idx -------------------------------------------------------------------------------------------

def test_read_idx_hand_made_gold_values(tmp_path):
    """Bytes 00 00 08 02 | 00 00 00 02 | 00 00 00 03 | 01..06 are the uint8 matrix [[1, 2, 3], [4, 5, 6]];
    00 00 0B 01 | 00 00 00 02 | 01 00 FF FE are the int16 vector [0x0100, 0xFFFE] = [256, -2]."""
    matrix = tmp_path / "m.idx"
    matrix.write_bytes(bytes.fromhex("00000802" "00000002" "00000003" "010203040506"))
    np.testing.assert_array_equal(read_idx(matrix), [[1, 2, 3], [4, 5, 6]])
    assert read_idx(matrix).dtype == np.uint8
    vector = tmp_path / "v.idx"
    vector.write_bytes(bytes.fromhex("00000B01" "00000002" "0100FFFE"))
    out = read_idx(vector)
    np.testing.assert_array_equal(out, [256, -2])
    assert out.dtype == np.int16 and out.dtype.isnative


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("type_name", list(TYPE_CODES))
def test_read_idx_round_trips_every_element_type(tmp_path, suffix, type_name):
    rng = np.random.default_rng(3)
    dtype = np.dtype(type_name)
    if dtype.kind == "f":
        array = rng.standard_normal((4, 3, 2)).astype(dtype)
    else:
        info = np.iinfo(dtype)
        array = rng.integers(info.min, info.max, size=(4, 3, 2), endpoint=True, dtype=dtype)
    out = read_idx(write_idx(tmp_path / f"a-idx3{suffix}", array))
    np.testing.assert_array_equal(out, array)
    assert out.dtype == dtype and out.dtype.isnative
    assert out.flags.c_contiguous and out.flags.writeable


@pytest.mark.parametrize("magic, problem", [
    ("00010801", "first bytes not zero"),
    ("00000A01", "unknown element type 0x0A"),
    ("00000800", "zero dimensions"),
])
def test_read_idx_rejects_a_bad_magic_number_naming_the_file(tmp_path, magic, problem):
    path = tmp_path / "bad-magic-idx1-ubyte"
    path.write_bytes(bytes.fromhex(magic + "00000001" + "07"))
    with pytest.raises(ValueError, match=rf"^{re.escape(str(path))}: bad IDX magic number 0x{magic.lower()}"):
        read_idx(path)


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_read_idx_rejects_truncated_or_padded_files_naming_the_file(tmp_path, suffix):
    content = idx_bytes(np.arange(6, dtype=np.uint8).reshape(2, 3))
    cases = {"truncated IDX file": content[:-1], "trailing bytes in IDX file": content + b"\x00",
             "truncated IDX header": content[:9], "shorter than the 4-byte magic": content[:3]}
    for problem, broken in cases.items():
        path = tmp_path / f"broken-idx2-ubyte{suffix}"
        path.write_bytes(gzip.compress(broken) if suffix else broken)
        with pytest.raises(ValueError, match=rf"^{re.escape(str(path))}: .*{problem}"):
            read_idx(path)


def test_read_idx_rejects_a_truncated_gzip_stream_naming_the_file(tmp_path):
    path = tmp_path / "cut-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(100, dtype=np.uint8)))[:-12])
    with pytest.raises(ValueError, match=rf"^{re.escape(str(path))}: corrupt or truncated gzip stream"):
        read_idx(path)


# -- IDX datasets ---------------------------------------------------------------------------------------

N_TRAIN, N_TEST, IMAGE_SHAPE = 12, 5, (3, 2)


@pytest.fixture
def fake_mnist(tmp_path):
    """Tiny MNIST look-alike: 12 training and 5 test uint8 images of 3x2 pixels, labels 0..3; two files
    plain and two gzipped so both are found. Returns (directory, raw arrays)."""
    rng = np.random.default_rng(7)
    raw = {"train_images": rng.integers(0, 256, (N_TRAIN, *IMAGE_SHAPE), dtype=np.uint8),
           "train_labels": np.array([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], dtype=np.uint8),
           "test_images": rng.integers(0, 256, (N_TEST, *IMAGE_SHAPE), dtype=np.uint8),
           "test_labels": np.array([3, 2, 1, 0, 1], dtype=np.uint8)}
    raw["train_images"][0, 0, 0], raw["train_images"][0, 0, 1] = 0, 255
    for role, base in IDX_FILES.items():
        write_idx(tmp_path / (base + (".gz" if role.startswith("train") else "")), raw[role])
    return tmp_path, raw


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_idx_dataset_holds_out_the_last_samples_and_scales_pixels(fake_mnist, dtype):
    directory, raw = fake_mnist
    data = load_dataset("idx", path=str(directory), validation_size=4, dtype=dtype)
    flat_train = raw["train_images"].reshape(N_TRAIN, -1).astype(np.float64)
    np.testing.assert_array_equal(data.x_train, (flat_train[:8] / 255).astype(dtype))
    np.testing.assert_array_equal(data.x_val, (flat_train[8:] / 255).astype(dtype))
    np.testing.assert_array_equal(data.x_test, (raw["test_images"].reshape(N_TEST, -1) / 255.0).astype(dtype))
    np.testing.assert_array_equal(data.y_train, raw["train_labels"][:8])
    np.testing.assert_array_equal(data.y_val, raw["train_labels"][8:])
    np.testing.assert_array_equal(data.y_test, raw["test_labels"])
    assert data.x_train.min() == 0 and data.x_train.max() == 1
    assert (data.name, data.n_classes, data.input_size) == ("idx", 4, 6)
    for split in ("train", "val", "test"):
        x, y = getattr(data, f"x_{split}"), getattr(data, f"y_{split}")
        assert x.dtype == dtype and y.dtype == np.int64
        assert x.flags.c_contiguous and y.flags.c_contiguous


def test_idx_split_ignores_the_seed_and_subsets_keep_the_first_samples(fake_mnist):
    directory, _ = fake_mnist
    full = load_dataset("mnist", path=str(directory), validation_size=4, seed=0)
    other = load_dataset("mnist", path=str(directory), validation_size=4, seed=99)
    np.testing.assert_array_equal(full.x_val, other.x_val)
    small = load_dataset("mnist", path=str(directory), validation_size=4, train_subset=3, test_subset=2)
    np.testing.assert_array_equal(small.x_train, full.x_train[:3])
    np.testing.assert_array_equal(small.y_test, full.y_test[:2])
    np.testing.assert_array_equal(small.x_val, full.x_val)
    assert small.n_classes == full.n_classes == 4


def test_idx_dataset_rejects_out_of_range_sizes(fake_mnist):
    directory = str(fake_mnist[0])
    with pytest.raises(ConfigError, match=r"^cfg.yaml: dataset.validation_size: 5000 is out of range for "
                                          r"dataset 'idx', whose training set holds 12 samples; fix: use a "
                                          r"value in 0..11"):
        load_dataset("idx", path=directory, source="cfg.yaml")
    with pytest.raises(ConfigError, match=r"dataset.validation_size: -1 is below 0"):
        load_dataset("idx", path=directory, validation_size=-1)
    with pytest.raises(ConfigError, match=r"dataset.train_subset: 9 exceeds the 8 samples available"):
        load_dataset("idx", path=directory, validation_size=4, train_subset=9)
    with pytest.raises(ConfigError, match=r"dataset.test_subset: 0 is below 1"):
        load_dataset("idx", path=directory, validation_size=4, test_subset=0)


def test_idx_dataset_rejects_images_and_labels_of_different_lengths(fake_mnist):
    directory, _ = fake_mnist
    (directory / "t10k-labels-idx1-ubyte").unlink()
    write_idx(directory / "t10k-labels-idx1-ubyte", np.zeros(4, dtype=np.uint8))
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte: holds 4 labels but .*t10k-images-idx3-ubyte "
                                         r"holds 5 images"):
        load_dataset("idx", path=str(directory), validation_size=4)


def test_missing_directory_names_dataset_directory_file_and_fix(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(DatasetNotFoundError,
                       match=rf"^cfg.yaml: dataset 'mnist': no train-images-idx3-ubyte or train-images-idx3-ubyte.gz"
                             rf" in directory {re.escape(str(missing))} \(which does not exist\); fix: set "
                             rf"dataset.path to a directory holding the four IDX files$"):
        load_dataset("mnist", path=str(missing), source="cfg.yaml")


def test_missing_file_is_named_and_fashion_mnist_suggests_the_package(fake_mnist):
    directory, _ = fake_mnist
    (directory / "t10k-images-idx3-ubyte").unlink()
    with pytest.raises(DatasetNotFoundError,
                       match=rf"dataset 'fashion_mnist': no t10k-images-idx3-ubyte or t10k-images-idx3-ubyte.gz in "
                             rf"directory {re.escape(str(directory))}; fix: install it with `apt-get install -y "
                             rf"dataset-fashion-mnist` or set dataset.path to a directory holding the IDX files$"):
        load_dataset("fashion_mnist", path=str(directory))


def test_mnist_without_a_path_is_a_config_error():
    with pytest.raises(ConfigError, match=r"^cfg.yaml: dataset.path: dataset 'mnist' needs the directory of its "
                                          r"IDX files; fix: set dataset.path to a directory holding the four IDX "
                                          r"files$"):
        load_dataset("mnist", source="cfg.yaml")


def test_unknown_name_lists_the_valid_ones():
    assert set(DATASET_NAMES) == {"fashion_mnist", "mnist", "idx", "digits", "teacher"}
    with pytest.raises(UnknownNameError, match=r"^cfg.yaml: dataset.name: unknown name 'cifar'; fix: use one of "
                                               r"digits, fashion_mnist, idx, mnist, teacher$"):
        load_dataset("cifar", source="cfg.yaml")


def test_non_float_dtype_is_a_config_error():
    with pytest.raises(ConfigError, match=r"network.dtype: inputs need a floating-point type, got int32"):
        load_dataset("teacher", dtype=np.int32)


@pytest.mark.skipif(not Path(FASHION_MNIST_DIR).is_dir(),
                    reason=f"Fashion-MNIST not installed at {FASHION_MNIST_DIR} "
                           f"(apt-get install -y dataset-fashion-mnist)")
def test_installed_fashion_mnist_has_the_55k_5k_10k_split():
    data = load_dataset("fashion_mnist", dtype=np.float32)
    assert data.x_train.shape == (55000, 784) and data.x_val.shape == (5000, 784)
    assert data.x_test.shape == (10000, 784)
    assert data.y_train.shape == (55000,) and data.y_val.shape == (5000,) and data.y_test.shape == (10000,)
    for y in (data.y_train, data.y_val, data.y_test):
        np.testing.assert_array_equal(np.unique(y), np.arange(10))
    assert data.n_classes == 10
    assert data.x_train.min() == 0 and data.x_train.max() == 1


# -- digits ---------------------------------------------------------------------------------------------

def test_digits_split_sizes_ranges_and_partition():
    from sklearn.datasets import load_digits

    data = load_dataset("digits", seed=0)
    assert (len(data.y_train), len(data.y_val), len(data.y_test)) == (1257, 180, 360)
    assert data.input_size == 64 and data.n_classes == 10
    assert data.x_train.dtype == np.float64 and data.y_train.dtype == np.int64
    assert data.x_train.flags.c_contiguous and data.x_test.flags.c_contiguous
    all_x = np.concatenate([data.x_train, data.x_val, data.x_test])
    assert all_x.min() == 0 and all_x.max() == 1
    # the three splits partition the 1797 samples: the same multiset of (pixels, label) rows
    reference = load_digits()
    rows = np.column_stack([all_x * 16, np.concatenate([data.y_train, data.y_val, data.y_test])])
    expected = np.column_stack([reference.data, reference.target])
    np.testing.assert_array_equal(np.unique(rows, axis=0), np.unique(expected, axis=0))
    assert len(rows) == len(expected) == 1797


def test_digits_split_is_fixed_by_the_seed():
    first, again, other = (load_dataset("digits", seed=s, dtype=np.float32) for s in (5, 5, 6))
    np.testing.assert_array_equal(first.x_test, again.x_test)
    np.testing.assert_array_equal(first.y_train, again.y_train)
    assert first.x_test.dtype == np.float32
    assert not np.array_equal(first.x_test, other.x_test)
    bigger_val = load_dataset("digits", seed=5, validation_size=300)
    assert (len(bigger_val.y_train), len(bigger_val.y_val)) == (1137, 300)
    np.testing.assert_array_equal(bigger_val.x_test, first.x_test.astype(np.float64))
    with pytest.raises(ConfigError, match=r"dataset.validation_size: 1437 is out of range for dataset 'digits'"):
        load_dataset("digits", validation_size=1437)


# -- teacher --------------------------------------------------------------------------------------------

def test_teacher_task_is_fixed_by_the_seed_and_balanced():
    """Every class holds at least 5 % of each training set for seeds 0..9 (a uniform split gives 20 %;
    the smallest share over seeds 0..299 is 11.1 %, see tpneuro.data.teacher)."""
    data = load_dataset("teacher", seed=1)
    again = load_dataset("teacher", seed=1)
    other = load_dataset("teacher", seed=2)
    assert (len(data.y_train), len(data.y_val), len(data.y_test), data.input_size, data.n_classes) == (
        2000, 500, 500, 20, 5)
    np.testing.assert_array_equal(data.x_train, again.x_train)
    np.testing.assert_array_equal(data.y_test, again.y_test)
    assert not np.array_equal(data.x_train, other.x_train)
    assert 0 <= data.x_train.min() and data.x_train.max() < 1
    for seed in range(10):
        labels = load_dataset("teacher", seed=seed).y_train
        assert np.bincount(labels, minlength=5).min() >= 0.05 * len(labels)
        assert labels.max() == 4


def test_teacher_labels_follow_the_documented_network():
    """y = argmax((V tanh(W (x - 1/2) + b) - mu) / sigma), recomputed here from the teacher's arrays; the
    standardised logits have mean 0 and std 1 up to sampling error (2000 samples: standard error of the
    mean 0.022, bound 0.15 is about 6 standard errors)."""
    teacher, splits = make_teacher_task(seed=3)
    x, y = splits["train"]
    logits = (np.tanh((x - 0.5) @ teacher.W.T + teacher.b) @ teacher.V.T - teacher.mu) / teacher.sigma
    np.testing.assert_array_equal(y, logits.argmax(axis=1))
    np.testing.assert_allclose(logits.mean(axis=0), 0, atol=0.15)
    np.testing.assert_allclose(logits.std(axis=0), 1, atol=0.15)


def test_teacher_sizes_come_from_the_split_arguments_and_smaller_splits_are_prefixes():
    full = load_dataset("teacher", seed=4)
    small = load_dataset("teacher", seed=4, train_subset=100, validation_size=0, test_subset=50)
    assert (len(small.y_train), len(small.y_val), len(small.y_test)) == (100, 0, 50)
    assert small.x_val.shape == (0, 20)
    np.testing.assert_array_equal(small.x_train, full.x_train[:100])
    np.testing.assert_array_equal(small.y_test, full.y_test[:50])


def test_teacher_float32_labels_match_the_stored_inputs():
    teacher, splits = make_teacher_task(seed=5, dtype=np.float32, n_inputs=7, n_hidden=9, n_classes=3)
    x, y = splits["test"]
    assert x.dtype == np.float32 and x.shape == (500, 7)
    np.testing.assert_array_equal(y, teacher.labels(x.astype(np.float64)))
    np.testing.assert_array_equal(np.unique(y), np.arange(3))
