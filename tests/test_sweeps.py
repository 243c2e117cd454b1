"""Sweeps on a real Ray cluster that this module starts (``ray start --head`` on 2 CPUs, with a token
of its own), shared by its tests: a small sweep completes with its tables and report, a diverging
trial is recorded as diverged, killing a worker mid-sweep loses no finished trial and the re-run
completes the rest, and a bad sweep file fails before any trial starts. No mocks."""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from threadpoolctl import threadpool_limits

from tpneuro import load_config, run_sweep, train
from tpneuro.cli import main
from tpneuro.errors import ConfigError
from tpneuro.sweeps import plan_sweep
from tpneuro.sweeps.trial_grid import expand_trials
from tpneuro.sweeps.sweep_spec import load_sweep_spec

ROOT = Path(__file__).parent.parent
MODELS = ROOT / "models"
RUN_FILES = {"config.yaml", "metrics.csv", "metrics.json", "summary.json", "checkpoint.npz", "status.json"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes_mentioning(text: str) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            pass
    return found


def wait_until(condition, timeout: float, what: str, poll: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture(scope="module")
def ray_address(tmp_path_factory):
    """A 2-CPU Ray head started as `ray start --head --block` (stopped, with all its processes, after
    the module), reachable with a token made for it (set before ray is imported: Ray reads it then)."""
    temp_dir = f"/tmp/tpnray-{os.getpid()}-{secrets.token_hex(3)}"   # short: Ray's socket paths are long
    log = tmp_path_factory.mktemp("ray") / "head.log"
    port = free_port()
    env = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32), "RAY_USAGE_STATS_ENABLED": "0"}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        mp.delenv("RAY_ADDRESS", raising=False)
        import ray
        cmd = [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block", f"--port={port}",
               "--num-cpus=2", f"--temp-dir={temp_dir}", "--include-dashboard=false",
               f"--dashboard-port={free_port()}", f"--dashboard-agent-listen-port={free_port()}",
               "--disable-usage-stats"]
        with open(log, "w") as out:
            head = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        address = f"127.0.0.1:{port}"

        def started():      # ray.init on a head that is not up yet would retry for minutes
            assert head.poll() is None, f"ray start exited: {log.read_text()[-3000:]}"
            return "Ray runtime started" in log.read_text()

        try:
            wait_until(started, 120, "the Ray head to start", poll=0.5)
            ray.init(address=address, logging_level="ERROR", log_to_driver=False)
            assert ray.cluster_resources()["CPU"] == 2
            ray.shutdown()
            yield address
        finally:
            if ray.is_initialized():
                ray.shutdown()
            head.send_signal(signal.SIGTERM)
            try:
                head.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(head.pid, signal.SIGKILL)
            wait_until(lambda: not processes_mentioning(temp_dir), 30, "the Ray processes to exit", poll=0.5)
            shutil.rmtree(temp_dir, ignore_errors=True)      # this cluster's own folder, after its processes


def write_sweep(path: Path, **fields) -> Path:
    path.write_text(yaml.safe_dump(fields, sort_keys=False))
    return path


def tiny_set(**extra) -> dict:
    return {"training.epochs": 2, "dataset.train_subset": 300, "network.hidden": [16], **extra}


# -- a small sweep, run once for the module --------------------------------------------------------
@pytest.fixture(scope="module")
def small_sweep(ray_address, tmp_path_factory):
    """2 rules x 2 learning rates (one diverges) x 2 seeds = 8 tiny digits trials, with diagnostics."""
    folder = tmp_path_factory.mktemp("small")
    path = write_sweep(folder / "small.yaml", name="small",
                       base=[str(MODELS / "digits_bp.yaml"), str(MODELS / "digits_ddtp_linear.yaml")],
                       set=tiny_set(**{"diagnostics.enabled": True, "diagnostics.batch_size": 32}),
                       grid={"optimizer.lr": [0.005, 1.0e308], "seed": [1, 2]})
    lines: list[str] = []
    result = run_sweep(path, folder / "out", ray_address=ray_address, echo=lines.append)
    return path, folder / "out", result, lines


def test_small_sweep_completes_and_writes_tables_and_report(small_sweep):
    path, out, result, lines = small_sweep
    assert result.counts == {"completed": 4, "diverged": 4}
    assert result.ran == 8 and result.skipped == 0
    assert sum(line.startswith("[") for line in lines) == 8          # one progress line per trial
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [r["trial_id"] for r in rows] == [r["trial_id"] for r in result.rows]
    assert (out / "results.csv").read_text().count("\n") == 1 + 8
    for row in rows:
        run_dir = out / row["run_dir"]
        assert RUN_FILES <= {p.name for p in run_dir.iterdir()}
        assert json.loads((run_dir / "trial.json").read_text())["status"] == row["status"]
        expected = "completed" if row["axis:optimizer.lr"] == 0.005 else "diverged"
        assert row["status"] == expected, row["message"]
    agg = [json.loads(line) for line in (out / "aggregate.jsonl").read_text().splitlines()]
    assert len(agg) == 4 and all(a["n_trials"] == 2 for a in agg)
    for a in agg:                    # mean ± std over the seeds of the group's completed trials
        accs = [r["test_acc_at_best_val"] for r in rows if r["group"] == a["group"] and r["status"] == "completed"]
        if accs:
            assert a["test_acc_at_best_val_mean"] == pytest.approx(statistics.fmean(accs))
            assert a["test_acc_at_best_val_std"] == pytest.approx(statistics.stdev(accs))
        else:
            assert a["n_diverged"] == 2 and a["test_acc_at_best_val_mean"] is None
    report = (out / "report.md").read_text()
    assert "| group |" in report and " ± " in report and "best-val. test error %" in report
    assert "plots/learning_curves.png" in report and "plots/alignment_angles.png" in report
    assert "Diverged and failed trials" in report
    for plot in ("learning_curves.png", "alignment_angles.png"):
        assert (out / "plots" / plot).stat().st_size > 1000
    assert (out / "report.html").read_text().count("data:image/png;base64,") == 2


def test_diverging_trial_is_recorded_as_diverged(small_sweep):
    _, out, result, _ = small_sweep
    diverged = [r for r in result.rows if r["status"] == "diverged"]
    assert len(diverged) == 4
    for row in diverged:
        assert "DivergedError: training diverged" in row["message"] and "lower optimizer.lr" in row["message"]
        assert json.loads((out / row["run_dir"] / "status.json").read_text())["status"] == "diverged"


def test_trial_run_directory_is_what_tpneuro_train_writes(small_sweep, tmp_path):
    path, out, result, _ = small_sweep
    row = next(r for r in result.rows if r["status"] == "completed" and r["rule"] == "ddtp_linear")
    trial = next(t for t in expand_trials(load_sweep_spec(path)) if t.trial_id == row["trial_id"])
    with threadpool_limits(limits=1):            # as in the sweep's workers: the same BLAS arithmetic
        direct = train(load_config(MODELS / "digits_ddtp_linear.yaml", trial.overrides), tmp_path / "direct",
                       progress=False)
    swept = json.loads((out / row["run_dir"] / "metrics.json").read_text())
    assert [r["test_acc"] for r in swept] == [r["test_acc"] for r in direct.history]
    assert [r["train_loss"] for r in swept] == pytest.approx([r["train_loss"] for r in direct.history], rel=1e-12)
    assert (out / row["run_dir"] / "config.yaml").read_text() == (tmp_path / "direct" / "config.yaml").read_text()


def test_rerun_skips_finished_trials_and_report_only_rebuilds(small_sweep):
    path, out, result, _ = small_sweep
    records = {r["trial_id"]: (out / r["run_dir"] / "trial.json") for r in result.rows}
    before = {tid: (p.stat().st_mtime_ns, p.read_bytes()) for tid, p in records.items()}
    (out / "results.csv").unlink()
    again = run_sweep(path, out)                  # nothing to run: no Ray connection either
    assert again.ran == 0 and again.skipped == 8
    assert {tid: (p.stat().st_mtime_ns, p.read_bytes()) for tid, p in records.items()} == before
    assert (out / "results.csv").is_file() and again.rows == result.rows


def test_more_epochs_resume_the_trials(small_sweep, tmp_path):
    path, out, _, _ = small_sweep
    spec = yaml.safe_load(path.read_text())
    spec["set"]["training.epochs"] = 3            # not part of the trial ids: the same trials, continued
    longer = plan_sweep(write_sweep(tmp_path / "longer.yaml", **spec), out)
    assert sorted(longer.actions) == sorted(r["trial_id"] for r in small_sweep[2].rows)
    assert {tid: a for tid, a in longer.actions.items() if a != "resume"} == {
        r["trial_id"]: "skip" for r in small_sweep[2].rows if r["status"] == "diverged"}


def test_trial_directory_of_another_config_is_refused(tmp_path):
    """The base config changed under a finished sweep: its trial ids stay, its configs do not."""
    base = tmp_path / "base.yaml"
    base.write_text((MODELS / "digits_bp.yaml").read_text())
    path = write_sweep(tmp_path / "s.yaml", base=str(base), set=tiny_set(**{"training.epochs": 1}),
                       grid={"seed": [1]})
    plan = plan_sweep(path, tmp_path / "out")
    trial = plan.trials[0]
    assert plan.actions == {trial.trial_id: "start"}
    train(load_config(base, trial.overrides), tmp_path / "out" / "trials" / trial.trial_id, progress=False)
    assert plan_sweep(path, tmp_path / "out").actions == {trial.trial_id: "skip"}
    base.write_text(base.read_text().replace("batch_size: 32", "batch_size: 16"))
    with pytest.raises(ConfigError, match=r"s\.yaml \[trial seed1-\w+\]: training\.batch_size: .* holds a run "
                                          r"with a different value of this field"):
        plan_sweep(path, tmp_path / "out")


# -- packs of jax-engine trials ------------------------------------------------------------------------
def test_packed_jax_trials_run_as_one_task_each_with_its_own_run_directory(ray_address, tmp_path):
    """pack 4: two seeds x two learning rates (one diverges) of DDTP-linear on the jax engine run in one Ray task
    (one vmapped program per epoch); every trial keeps its run directory, trial.json and outcome. Asking for more
    epochs resumes the two completed trials, packed again, from their checkpoints."""
    set_ = tiny_set(engine="jax", **{"dataset.train_subset": 288})
    path = write_sweep(tmp_path / "packed.yaml", name="packed", base=BASE, set=set_,
                       grid={"optimizer.lr": [0.01, 1.0e308], "seed": [1, 2]}, pack=4)
    result = run_sweep(path, tmp_path / "out", ray_address=ray_address)
    assert result.counts == {"completed": 2, "diverged": 2}
    records = [json.loads((tmp_path / "out" / r["run_dir"] / "trial.json").read_text()) for r in result.rows]
    assert {r["packed_with"] for r in records} == {4} and len({r["pid"] for r in records}) == 1
    for row in result.rows:
        assert RUN_FILES <= {p.name for p in (tmp_path / "out" / row["run_dir"]).iterdir()}
        expected = "completed" if row["axis:optimizer.lr"] == 0.01 else "diverged"
        assert row["status"] == expected, row["message"]
    longer = write_sweep(tmp_path / "packed.yaml", name="packed", base=BASE, set={**set_, "training.epochs": 3},
                         grid={"optimizer.lr": [0.01, 1.0e308], "seed": [1, 2]}, pack=4)
    again = run_sweep(longer, tmp_path / "out", ray_address=ray_address)
    assert again.ran == 2 and again.counts == {"completed": 2, "diverged": 2}
    for row in again.rows:
        if row["status"] == "completed":
            metrics = json.loads((tmp_path / "out" / row["run_dir"] / "metrics.json").read_text())
            assert [m["epoch"] for m in metrics] == [1, 2, 3]
            assert json.loads((tmp_path / "out" / row["run_dir"] / "trial.json").read_text())["packed_with"] == 2


def test_only_compatible_jax_trials_share_a_pack(tmp_path):
    """Seeds, chip seeds and learning rates vary inside a pack; any other field (here the rule's beta) starts
    another; rate-engine trials run one per task; ``pack`` bounds a pack's size."""
    from tpneuro.sweeps.trial_packs import pack_trials

    path = write_sweep(tmp_path / "p.yaml", base=BASE, set=tiny_set(engine="jax"),
                       grid={"rule.beta": [0.1, 0.2], "seed": [1, 2, 3], "optimizer.lr": [0.01, 0.02]})
    trials = expand_trials(load_sweep_spec(path))
    packs = pack_trials(trials, 4)
    assert [len(p) for p in packs] == [4, 2, 4, 2]
    for pack in packs:
        assert len({t.config["rule"]["beta"] for t in pack}) == 1
    assert [len(p) for p in pack_trials(trials, 1)] == [1] * 12
    rate = write_sweep(tmp_path / "r.yaml", base=BASE, set=tiny_set(), grid={"seed": [1, 2, 3]})
    assert [len(p) for p in pack_trials(expand_trials(load_sweep_spec(rate)), 4)] == [1, 1, 1]


# -- killing workers and sweeps ------------------------------------------------------------------------
def record(run_dir: Path) -> dict:
    try:
        return json.loads((run_dir / "trial.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def epochs_done(run_dir: Path) -> int:
    try:
        return json.loads((run_dir / "status.json").read_text())["epochs_done"]
    except (FileNotFoundError, json.JSONDecodeError):
        return -1


def slow_and_fast_sweep(path: Path, retries: int, slow_last: bool = False) -> Path:
    """Seed 1 trains 25 epochs, seeds 2 and 3 two epochs (the same trial ids whatever the epochs)."""
    seeds = {2: None, 3: None, 1: {"training.epochs": 25}} if slow_last else {1: {"training.epochs": 25}, 2: None, 3: None}
    return write_sweep(path, name=path.stem, base=str(MODELS / "digits_ddtp_linear.yaml"),
                       set={"training.epochs": 2, "dataset.train_subset": 600, "network.hidden": [32, 32]},
                       grid={"seed": seeds}, retries=retries)


def sweep_process(path: Path, out: Path, ray_address: str, *options: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tpneuro.cli", "sweep", str(path), "--out", str(out),
                             "--ray-address", ray_address, *options], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def test_killed_worker_loses_no_finished_trial_and_rerun_completes(ray_address, tmp_path, monkeypatch):
    """One slow trial among fast ones, retries 1: its worker is killed after its first checkpoint (Ray
    re-runs it from that checkpoint) and killed again (Ray gives up: failed); the fast trials finish.
    The re-run (cluster from $RAY_ADDRESS) resumes only the failed trial and completes it."""
    path = slow_and_fast_sweep(tmp_path / "kill.yaml", retries=1)
    out = tmp_path / "out"
    slow, *fast = [out / "trials" / t.trial_id for t in expand_trials(load_sweep_spec(path))]
    sweep = sweep_process(path, out, ray_address)
    try:
        first = wait_until(lambda: record(slow).get("status") == "running" and epochs_done(slow) >= 1
                           and record(slow)["pid"], 90, "the slow trial's first checkpoint")
        os.kill(first, signal.SIGKILL)
        second = wait_until(lambda: record(slow).get("status") == "running" and record(slow)["pid"] != first
                            and record(slow)["pid"], 90, "Ray to re-run the slow trial")
        assert record(slow)["attempts"] == 2 and record(slow)["resumed"] is True
        os.kill(second, signal.SIGKILL)
        output, _ = sweep.communicate(timeout=120)
    finally:
        if sweep.poll() is None:
            sweep.kill()
    assert sweep.returncode == 1, output                 # a failed trial: exit status 1, after the table
    assert record(slow)["status"] == "failed" and "Ray gave up after 2 attempt(s)" in record(slow)["message"]
    done_epochs = epochs_done(slow)
    assert 1 <= done_epochs < 25
    finished = {}
    for run_dir in fast:
        assert record(run_dir)["status"] == "completed" and record(run_dir)["attempts"] == 1
        finished[run_dir] = ((run_dir / "trial.json").stat().st_mtime_ns, (run_dir / "trial.json").read_bytes(),
                             (run_dir / "checkpoint.npz").read_bytes())
    assert "failed" in (out / "results.csv").read_text()

    monkeypatch.setenv("RAY_ADDRESS", ray_address)
    result = run_sweep(path, out)
    assert result.ran == 1 and result.skipped == 2 and result.counts == {"completed": 3}
    assert record(slow)["attempts"] == 3 and record(slow)["resumed"] is True
    history = json.loads((slow / "metrics.json").read_text())
    assert [r["epoch"] for r in history] == list(range(1, 26))       # continued, not restarted
    for run_dir, before in finished.items():                          # finished trials: not re-run
        assert ((run_dir / "trial.json").stat().st_mtime_ns, (run_dir / "trial.json").read_bytes(),
                (run_dir / "checkpoint.npz").read_bytes()) == before


def test_killed_sweep_loses_no_finished_trial_and_rerun_resumes(ray_address, tmp_path):
    """The sweep is killed (SIGKILL, no clean-up) with the worker of its running trial, as when the machine
    of a local sweep goes down, once the fast trials finished: their records survive, the slow trial is
    left interrupted and the re-run resumes it from its checkpoint. ``--workers 1``: one trial in flight at
    a time, in file order (the slow one last)."""
    path = slow_and_fast_sweep(tmp_path / "killsweep.yaml", retries=0, slow_last=True)
    out = tmp_path / "out"
    *fast, slow = [out / "trials" / t.trial_id for t in expand_trials(load_sweep_spec(path))]
    sweep = sweep_process(path, out, ray_address, "--workers", "1")
    try:
        wait_until(lambda: all(record(d).get("status") == "completed" for d in fast) and epochs_done(slow) >= 1,
                   90, "the fast trials to finish and the slow one to checkpoint")
        worker, at_kill = record(slow)["pid"], (epochs_done(slow), record(slow))
    finally:
        sweep.kill()
        sweep.wait(30)
    with contextlib.suppress(ProcessLookupError):     # Ray may already have killed the dead driver's worker
        os.kill(worker, signal.SIGKILL)
    wait_until(lambda: not Path(f"/proc/{worker}").exists(), 30, "the trial's worker to exit")
    finished = {d: (d / "trial.json").read_bytes() for d in fast}
    assert record(slow)["status"] == "running", (at_kill, record(slow))   # as the killed attempt left it
    plan = plan_sweep(path, out)
    assert [plan.actions[t.trial_id] for t in plan.trials] == ["skip", "skip", "resume"]
    result = run_sweep(path, out, ray_address=ray_address)
    assert result.counts == {"completed": 3} and result.ran == 1
    assert [r["epoch"] for r in json.loads((slow / "metrics.json").read_text())] == list(range(1, 26))
    assert {d: (d / "trial.json").read_bytes() for d in fast} == finished


# -- bad sweep files -----------------------------------------------------------------------------------
BASE = str(MODELS / "digits_ddtp_linear.yaml")
BAD_SWEEPS = [
    ({"base": BASE, "grdi": {"seed": [1]}}, r"bad\.yaml: grdi: Extra inputs are not permitted.*a sweep file takes"),
    ({"base": BASE, "grid": {"rule.name": ["ddtp_linear", "nosuchrule"]}},
     r"bad\.yaml \[trial nosuchrule-\w+\]: grid\.rule\.name: unknown name 'nosuchrule'.*use one of bp"),
    ({"base": BASE, "set": {"optimizer.lrr": 0.1}}, r"set\.optimizer\.lrr: Extra inputs are not permitted"),
    ({"base": BASE, "grid": {"hardware.profile": ["loihi2", "nochip"]}},
     r"grid\.hardware\.profile: profile 'nochip': unknown name"),
    ({"base": BASE, "grid": {"engine": ["rate", "nosuchengine"]}}, r"grid\.engine: unknown name 'nosuchengine'"),
    ({"base": BASE, "random": {"n": 2, "params": {"optimizer.lr": {"loguniform": [0, 1]}}}},
     r"random\.params\.optimizer\.lr: loguniform needs low > 0"),
    ({"base": BASE, "set": {"seed": 1}, "grid": {"seed": [1, 2]}}, r"grid\.seed: is also given in set"),
    ({"base": BASE, "grid": {"seed": []}}, r"grid\.seed: has no values"),
    ({"base": "models/nosuch.yaml"}, r"bad\.yaml: base: no config file 'models/nosuch\.yaml'"),
    ({"grid": {"seed": [1]}}, r"bad\.yaml: base: Field required"),
]


BAD_IDS = ["unknown-field", "unknown-rule-in-grid", "unknown-config-field", "unknown-profile", "unknown-engine",
           "bad-distribution", "field-twice", "empty-axis", "missing-base-file", "no-base"]


@pytest.mark.parametrize("content, message", BAD_SWEEPS, ids=BAD_IDS)
def test_bad_sweep_file_fails_before_any_trial_naming_the_field(tmp_path, content, message):
    path = write_sweep(tmp_path / "bad.yaml", **content)
    with pytest.raises(ConfigError, match=message):
        run_sweep(path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_malformed_yaml_fails_with_its_position(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(f"base: {BASE}\ngrid:\n  seed: [1, 2\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: <yaml>: malformed YAML at line 4, column 1"):
        run_sweep(path, tmp_path / "out")
    with pytest.raises(SystemExit) as exc:
        main(["sweep", str(path), "--out", str(tmp_path / "out")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "malformed YAML" in err
    assert not (tmp_path / "out").exists()


# -- trial expansion -----------------------------------------------------------------------------------
def test_random_search_is_seeded_and_crossed_with_the_grid(tmp_path):
    path = write_sweep(tmp_path / "rs.yaml", base=BASE, set=tiny_set(), grid={"seed": [1, 2]},
                       random={"n": 3, "seed": 7, "params": {"optimizer.lr": {"loguniform": [1e-4, 1e-2]},
                                                              "rule.beta": {"uniform": [0.05, 0.2]},
                                                              "network.activation": {"choice": ["tanh", "relu"]}}})
    trials = expand_trials(load_sweep_spec(path))
    assert len(trials) == 6 and len({t.trial_id for t in trials}) == 6
    assert [t.trial_id for t in expand_trials(load_sweep_spec(path))] == [t.trial_id for t in trials]
    for t in trials:
        assert 1e-4 <= t.config["optimizer"]["lr"] <= 1e-2 and 0.05 <= t.config["rule"]["beta"] <= 0.2
        assert t.config["network"]["activation"] in ("tanh", "relu")
    by_seed = {s: [t.config["optimizer"]["lr"] for t in trials if t.config["seed"] == s] for s in (1, 2)}
    assert by_seed[1] == by_seed[2]          # the same samples under every seed: mean ± std per sample


def test_shipped_sweeps_are_valid():
    for name, n in (("digits_smoke", 6), ("fmnist_rules", 25)):
        assert len(plan_sweep(ROOT / "sweeps" / f"{name}.yaml").trials) == n
    from tpneuro.hardware import list_profiles

    chips = plan_sweep(ROOT / "sweeps" / "fmnist_chips.yaml").trials
    assert len(chips) == 2 * len(list_profiles()) * 3
    assert {t.config["rule"]["name"] for t in chips} == {"ddtp_linear", "drl"}


# -- the default: Ray started in this process on local cores ------------------------------------------
def test_cli_runs_locally_on_ray_started_in_process(tmp_path):
    """`tpneuro sweep` without an address starts Ray itself (--workers 2 CPUs) and stops it afterwards."""
    path = write_sweep(tmp_path / "local.yaml", base=BASE, set=tiny_set(), grid={"seed": [1, 2]})
    ray_tmp = Path(f"/tmp/tpnrl-{secrets.token_hex(3)}")
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    env.update(RAY_TMPDIR=str(ray_tmp), RAY_USAGE_STATS_ENABLED="0")
    done = subprocess.run([sys.executable, "-m", "tpneuro.cli", "sweep", str(path), "--out", str(tmp_path / "out"),
                           "--workers", "2"], capture_output=True, text=True, env=env, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "a local Ray instance (2 CPUs)" in done.stdout and "2 completed" in done.stdout
    assert (tmp_path / "out" / "report.html").is_file()
    wait_until(lambda: not processes_mentioning(str(ray_tmp)), 30, "the local Ray processes to exit", poll=0.5)
    shutil.rmtree(ray_tmp, ignore_errors=True)
