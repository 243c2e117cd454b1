"""Bad input and faults a user can hit end in one clear line (the origin, the field, the value and the fix) and the
right exit status, and nothing already written is lost or changed (every file of the run directory has the same
SHA-256 before and after)."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from tpneuro.cli import main
from tpneuro.directory_lock import HOLDER_FILE, LOCK_FILE, exclusive

ROOT = Path(__file__).resolve().parents[1]
DIGITS_BP = ROOT / "models" / "digits_bp.yaml"
TPNEURO = [sys.executable, "-m", "tpneuro.cli"]


def run(args, capsys) -> tuple[int, str, str]:
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line_error(err: str, pattern: str) -> None:
    """``err`` is one line, starts with 'error: ', names a fix and matches ``pattern``."""
    assert err.count("\n") == 1, err
    assert err.startswith("error: ") and "; fix: " in err, err
    assert re.search(pattern, err), err


def digests(directory: Path) -> dict[str, str]:
    """SHA-256 of every file under ``directory`` (the lock files excepted)."""
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file() and not p.name.startswith(".lock")}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A finished 2-epoch BP run on digits."""
    run_dir = tmp_path_factory.mktemp("rel") / "run"
    main(["train", str(DIGITS_BP), "--epochs", "2", "--out", str(run_dir), "--quiet"])
    return run_dir


@pytest.fixture
def run_copy(trained, tmp_path):
    """A copy of the trained run that a test may damage."""
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(trained, copy)
    return copy


def write_config(tmp_path: Path, **changes) -> Path:
    data = yaml.safe_load(DIGITS_BP.read_text())
    for dotted, value in changes.items():
        node, *rest = dotted.split("__")
        if rest:
            data.setdefault(node, {})[rest[0]] = value
        else:
            data[node] = value
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


# -- flags and config fields ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("args, pattern", [
    (["--epochs", "-1"], r"^error: Invalid value for '--epochs': -1 is not in the range x>=1.*fix: see `tpneuro train"),
    (["--hardware", "loihi3"], r"^error: --hardware: hardware.profile: profile 'loihi3': unknown name 'loihi3'; fix: "
                               r"use one of .*loihi2"),
    (["--engine", "gpu"], r"^error: --engine: engine: unknown name 'gpu'; fix: use one of brian2, jax, nengo, rate"),
])
def test_a_bad_flag_is_named_as_the_flag(tmp_path, capsys, args, pattern):
    code, _, err = run(["train", DIGITS_BP, "--out", tmp_path / "r", *args], capsys)
    assert code == 2
    one_line_error(err, pattern)
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("changes, pattern", [
    ({"network__hidden": [0]}, r"cfg.yaml: network.hidden.0: Input should be greater than or equal to 1 \(got 0\); "
                               r"fix: hidden layer sizes, each a whole number >= 1"),
    ({"network__hidden": [100000000]}, r"cfg.yaml: network.hidden: the network 64-100000000-10 needs about \d+\.\d GiB "
                                       r".* more than the .* GiB this machine has available; fix: use smaller layers"),
    ({"dataset": {"name": "fashion_mnist", "path": "/nonexistent/fmnist"}},
     r"cfg.yaml: dataset 'fashion_mnist': no train-images-idx3-ubyte or .*\(which does not exist\); fix:"),
])
def test_bad_config_fields_fail_in_one_line_before_anything_is_written(tmp_path, capsys, changes, pattern):
    code, _, err = run(["train", write_config(tmp_path, **changes), "--out", tmp_path / "r", "--quiet"], capsys)
    assert code == 2
    one_line_error(err, pattern)
    assert not (tmp_path / "r").exists()


def test_a_dataset_path_that_is_a_file_is_named_as_such(tmp_path, capsys):
    (tmp_path / "notadir").write_text("x")
    cfg = write_config(tmp_path, dataset={"name": "idx", "path": str(tmp_path / "notadir")})
    code, _, err = run(["train", cfg, "--out", tmp_path / "r"], capsys)
    assert code == 2
    one_line_error(err, r"dataset.path: .*notadir is a file, not a directory; fix: set dataset.path to the directory")


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(">u1").tobytes()


@pytest.mark.parametrize("damage, pattern", [
    ("truncated", r"train-images-idx3-ubyte: truncated IDX file: the header declares shape \(20, 4, 4\)"),
    ("truncated_gz", r"train-images-idx3-ubyte.gz: corrupt or truncated gzip stream"),
    ("labels", r"train-labels-idx1-ubyte: holds 19 labels but .*train-images-idx3-ubyte holds 20 images"),
])
def test_damaged_idx_files_are_named_in_one_line(tmp_path, capsys, damage, pattern):
    """A small IDX dataset (20 training and 10 test images of 4x4 pixels) with one file damaged."""
    rng = np.random.default_rng(0)
    data = tmp_path / "idx"
    data.mkdir()
    files = {"train-images-idx3-ubyte": idx_bytes(rng.integers(0, 255, (20, 4, 4))),
             "train-labels-idx1-ubyte": idx_bytes(rng.integers(0, 3, 20 if damage != "labels" else 19)),
             "t10k-images-idx3-ubyte": idx_bytes(rng.integers(0, 255, (10, 4, 4))),
             "t10k-labels-idx1-ubyte": idx_bytes(rng.integers(0, 3, 10))}
    if damage == "truncated":
        files["train-images-idx3-ubyte"] = files["train-images-idx3-ubyte"][:-7]
    for name, content in files.items():
        if damage == "truncated_gz" and name == "train-images-idx3-ubyte":
            (data / f"{name}.gz").write_bytes(gzip.compress(content)[:-10])
        else:
            (data / name).write_bytes(content)
    cfg = write_config(tmp_path, dataset={"name": "idx", "path": str(data), "validation_size": 4})
    code, _, err = run(["train", cfg, "--out", tmp_path / "r", "--quiet"], capsys)
    assert code == 2
    one_line_error(err, pattern)
    assert "Traceback" not in err and not (tmp_path / "r").exists()


def test_non_utf8_config_profile_and_sweep_files_are_named(tmp_path, capsys):
    bad = b"name: caf\xe9\n"
    for kind, args in (("cfg.yaml", ["train", tmp_path / "cfg.yaml", "--out", tmp_path / "r"]),
                       ("chip.yaml", ["train", DIGITS_BP, "--hardware", tmp_path / "chip.yaml", "--out", tmp_path / "r"]),
                       ("sweep.yaml", ["sweep", tmp_path / "sweep.yaml", "--dry-run"])):
        (tmp_path / kind).write_bytes(bad)
        code, _, err = run(args, capsys)
        assert code == 2
        one_line_error(err, rf"{kind}'?: (<file>: )?is not UTF-8 text \(byte 0xe9 at offset 9\); fix: save the file as UTF-8")


# -- run directories -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("out", ["/proc/tpneuro-x", "/sys/tpneuro-x", "FILE/sub/run"])
def test_an_unwritable_out_is_refused_before_data_and_leaves_nothing(tmp_path, capsys, out):
    (tmp_path / "FILE").write_text("a file")
    out = out.replace("FILE", str(tmp_path / "FILE"))
    code, _, err = run(["train", DIGITS_BP, "--out", out, "--epochs", "1", "--quiet"], capsys)
    assert code == 2
    one_line_error(err, rf"{re.escape(out)}: the run directory cannot be written \(.+\); fix: give --out a directory")
    assert not Path(out).exists()


def test_resume_and_evaluate_name_a_directory_that_holds_no_run(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    for command, verb in ((["train", "--resume"], "resume"), (["evaluate"], "evaluate")):
        code, _, err = run([*command, tmp_path / "empty"], capsys)
        assert code == 2
        one_line_error(err, rf"empty: not a run directory \(no config.yaml\); fix: {verb} a directory written by")


def test_config_with_resume_and_too_few_epochs_are_refused(run_copy, capsys):
    before = digests(run_copy)
    code, _, err = run(["train", DIGITS_BP, "--resume", run_copy], capsys)
    assert code == 2
    one_line_error(err, r"give either CONFIG \(and --out\) for a new run, or --resume RUN_DIR alone")
    for epochs in ("1", "2"):
        code, _, err = run(["train", "--resume", run_copy, "--epochs", epochs, "--quiet"], capsys)
        assert code == 2
        one_line_error(err, rf"the run has already trained 2 epochs, and training.epochs is {epochs}; fix: pass "
                            r"--epochs with more than 2")
    assert digests(run_copy) == before


@pytest.mark.parametrize("damage, pattern", [
    ("empty", r"checkpoint.npz: the checkpoint is empty \(0 bytes\); fix: restore it from a copy"),
    ("truncated", r"checkpoint.npz: not a readable checkpoint, truncated or corrupt \(.+\); fix: restore it"),
    ("edited", r"checkpoint.npz: entry fwd/W1 fails its checksum \(changed or damaged after it was written\)"),
])
@pytest.mark.parametrize("command", ["resume", "evaluate"])
def test_a_damaged_checkpoint_is_one_line_and_stays_as_it_was(run_copy, capsys, damage, pattern, command):
    ckpt = run_copy / "checkpoint.npz"
    if damage == "empty":
        ckpt.write_bytes(b"")
    elif damage == "truncated":
        ckpt.write_bytes(ckpt.read_bytes()[:len(ckpt.read_bytes()) // 2])
    else:
        with np.load(ckpt) as z:
            arrays = {k: z[k] for k in z.files}
        arrays["fwd/W1"] = arrays["fwd/W1"] + 1e-9
        np.savez(ckpt, **arrays)
    before = digests(run_copy)
    args = ["train", "--resume", run_copy, "--epochs", "3", "--quiet"] if command == "resume" else ["evaluate", run_copy]
    code, _, err = run(args, capsys)
    assert code == 2
    one_line_error(err, pattern)
    assert digests(run_copy) == before


def test_a_config_that_no_longer_matches_the_checkpoint_names_the_field_and_shapes(run_copy, capsys):
    cfg = yaml.safe_load((run_copy / "config.yaml").read_text())
    cfg["network"]["hidden"] = [32, 64, 64]
    (run_copy / "config.yaml").write_text(yaml.safe_dump(cfg))
    before = digests(run_copy)
    code, _, err = run(["evaluate", run_copy], capsys)
    assert code == 2
    one_line_error(err, r"checkpoint.npz: was written by a run whose config differs from config.yaml at network.hidden "
                        r"\(\[64, 64, 64\] then, \[32, 64, 64\] now\); fix: restore the run's config.yaml to the config it "
                        r"was trained with")
    assert digests(run_copy) == before


def test_a_writer_refused_before_the_holder_names_itself_waits_for_the_name(tmp_path):
    """The lock is taken and the holder's record written 0.3 s later (the moment in which the second of two runs
    started together once read no record and named "another process"): the refusal names the holder."""
    from filelock import FileLock

    held = FileLock(tmp_path / LOCK_FILE)
    held.acquire()
    record = {"pid": 4242, "host": "there", "started": time.time(), "command": "tpneuro train x.yaml"}
    writer = threading.Timer(0.3, lambda: (tmp_path / HOLDER_FILE).write_text(json.dumps(record)))
    writer.start()
    try:
        with pytest.raises(RuntimeError, match=r"pid 4242 on there, started .*: tpneuro train x.yaml"):
            with exclusive(tmp_path, RuntimeError):
                pass
    finally:
        writer.join()
        held.release()


def test_two_runs_on_one_directory_exactly_one_writes(tmp_path):
    """Two `tpneuro train --out DIR` started together: one trains, the other is refused in one line naming the
    holder, and every file of the directory is the winner's (its seed in config.yaml, its metrics)."""
    out = tmp_path / "run"
    procs = [subprocess.Popen([*TPNEURO, "train", str(DIGITS_BP), "--epochs", "3", "--seed", str(seed), "--out", str(out),
                               "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
             for seed in (1, 2)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], results
    (winner,) = [i for i, (code, _, _) in enumerate(results) if code == 0]
    loser_err = results[1 - winner][2]
    assert loser_err.count("\n") == 1 and re.search(
        r"another run is writing this run directory \(pid \d+ on .*: tpneuro train .*\); fix: wait for it", loser_err) \
        or re.search(r"already holds a run; fix: pass --resume", loser_err), loser_err
    assert yaml.safe_load((out / "config.yaml").read_text())["seed"] == winner + 1
    with np.load(out / "checkpoint.npz") as z:
        assert json.loads(str(z["manifest"]))["config"]["seed"] == winner + 1
    assert len(json.loads((out / "metrics.json").read_text())) == 3


def test_a_second_resume_of_a_running_run_is_refused(tmp_path):
    out = tmp_path / "run"
    subprocess.run([*TPNEURO, "train", str(DIGITS_BP), "--epochs", "1", "--out", str(out), "--quiet"], check=True,
                   capture_output=True, cwd=tmp_path)
    # far more epochs than the test lasts: the first run must still hold the lock when the second starts
    first = subprocess.Popen([*TPNEURO, "train", "--resume", str(out), "--epochs", "100000", "--quiet"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        wait_for(lambda: (out / ".lock.holder").exists() and "--resume" in (out / ".lock.holder").read_text())
        second = subprocess.run([*TPNEURO, "train", "--resume", str(out), "--epochs", "100000", "--quiet"],
                                capture_output=True, text=True, cwd=tmp_path)
        assert second.returncode == 2
        assert second.stderr.count("\n") == 1
        assert f"pid {first.pid} on" in second.stderr and "another run is writing this run directory" in second.stderr
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(timeout=120)


def wait_for(condition, timeout: float = 120.0) -> None:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_says_so_and_resumes_exactly(tmp_path, sig):
    """Stopped during its third epoch: exit 130, one line with the resume command, status.json says interrupted
    with the finished epochs, no traceback; the resumed run ends with the weights of an uninterrupted one."""
    out, full = tmp_path / "run", tmp_path / "full"
    args = [str(DIGITS_BP), "--epochs", "40", "--quiet"]
    proc = subprocess.Popen([*TPNEURO, "train", *args, "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    wait_for(lambda: (out / "status.json").exists()
             and json.loads((out / "status.json").read_text())["epochs_done"] >= 2)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    status = json.loads((out / "status.json").read_text())
    assert status["status"] == "interrupted" and status["epochs_done"] >= 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert re.search(rf"^interrupted: training interrupted after {status['epochs_done']} finished epochs in {out}; "
                     rf"fix: resume with `tpneuro train --resume {out}`", err), err
    subprocess.run([*TPNEURO, "train", "--resume", str(out), "--quiet"], check=True, capture_output=True, cwd=tmp_path)
    subprocess.run([*TPNEURO, "train", *args, "--out", str(full)], check=True, capture_output=True, cwd=tmp_path)
    with np.load(out / "checkpoint.npz") as a, np.load(full / "checkpoint.npz") as b:
        for key in a.files:
            if key.startswith(("fwd/", "fb/")):
                np.testing.assert_array_equal(a[key], b[key])


# -- deployment, export, counts ------------------------------------------------------------------------------------
@pytest.mark.parametrize("args, pattern", [
    (["evaluate", "RUN", "--hardware", "loihi2", "--chips", "0"], r"Invalid value for '--chips': 0 is not in the range"),
    (["evaluate", "RUN", "--hardware", "loihi2", "--chips", "-2"], r"Invalid value for '--chips': -2 is not in the range"),
    (["evaluate", "RUN", "--hardware", "truenorth", "--passes", "0"], r"Invalid value for '--passes': 0 is not in the"),
    (["chips", "RUN", "--chips", "0"], r"Invalid value for '--chips': 0 is not in the range"),
    (["evaluate", "RUN", "--hardware", "loihi2", "--passes", "3"],
     r"rate engine: training.eval_passes = 3 averages stochastic units, which this network does not have"),
    (["evaluate", "RUN", "--passes", "3"], r"--chips, --passes and --report-only deploy onto a chip: give --hardware"),
    (["evaluate", "RUN", "--hardware", "loihi3"], r"^error: --hardware: profile: unknown name 'loihi3'"),
    (["export", "RUN", "--engine", "nengo"], r"nengo engine: rule 'bp' is not local .*; fix: use --engine rate"),
])
def test_counts_profiles_and_exports_that_cannot_work_are_refused(run_copy, capsys, args, pattern):
    before = digests(run_copy)
    code, _, err = run([run_copy if a == "RUN" else a for a in args], capsys)
    assert code == 2
    one_line_error(err, pattern)
    assert digests(run_copy) == before


def test_deploying_float_weights_says_what_the_chip_does(trained, capsys):
    """The float weights on TrueNorth: the accuracy on the chips beside the accuracy without a chip, and what the
    profile changes (binary stochastic units, the weight grid)."""
    code, out, _ = run(["evaluate", trained, "--hardware", "truenorth", "--chips", "2", "--report-only"], capsys)
    assert code == 0
    assert re.search(r"the trained weights put on truenorth, 2 chip instances: test accuracy \d+\.\d\d ± \d+\.\d\d % "
                     r"\(.*\); without a chip \d+\.\d\d %", out)
    assert "on truenorth, its units emit a Bernoulli sample of their rate" in out
    assert "on truenorth, weights are stored as" in out


def test_an_unexpected_error_is_one_line_with_a_saved_traceback(tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("injected fault")
    monkeypatch.setattr("tpneuro.training.trainer._epochs_together", broken)
    code, _, err = run(["train", DIGITS_BP, "--out", tmp_path / "r", "--quiet"], capsys)
    assert code == 1
    assert err.count("\n") == 1
    match = re.search(r"^error: unexpected RuntimeError: injected fault; the traceback is in (\S+); fix: this is a bug",
                      err)
    assert match, err
    saved = Path(match.group(1)).read_text()
    assert "Traceback" in saved and "injected fault" in saved
    os.remove(match.group(1))


def test_a_diverged_cli_run_is_one_line_with_its_plots(tmp_path, capsys):
    cfg = write_config(tmp_path, optimizer={"lr": 1000.0})
    code, _, err = run(["train", cfg, "--epochs", "3", "--out", tmp_path / "r", "--quiet"], capsys)
    assert code == 2
    one_line_error(err, r"training diverged at epoch 1, batch \d+: the loss \S+ exceeds training.divergence.max_loss = "
                        r"50; the run directory keeps epoch 0.*fix: lower optimizer.lr \(now 1000\)")
    assert json.loads((tmp_path / "r" / "status.json").read_text())["status"] == "diverged"


def test_the_banner_names_the_chip(tmp_path, capsys):
    code, out, _ = run(["train", DIGITS_BP, "--hardware", "loihi2", "--epochs", "1", "--out", tmp_path / "r",
                        "--quiet"], capsys)
    assert code == 0 and "(rate engine on loihi2)" in out
