"""The training loop: schedule, evaluation, diagnostics, checkpoints and the run directory.

Schedule (Meulemans et al. 2020, "parallel", DESIGN.md section 2): ``epochs_fb`` feedback-only epochs,
then per epoch one pass of minibatches (forward updates with one feedback step each), then
``extra_fb_epochs`` feedback-only epochs; evaluation on train/val/test after every epoch. One loop
(:func:`run_together`) trains one run or several side by side; the engine takes each epoch whole.
"""
from __future__ import annotations

import json
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ..config.experiment import ExperimentConfig
from ..data import SEEDED_DATASETS, DataSplits
from ..engines.protocol import EpochResult, EpochWork, SpikingEngine
from ..engines.train_state import TrainState
from ..errors import ConfigError, DivergedError, RunInterrupted
from ..runs import Checkpoint, RunDirectory, RunPlan, assemble, load_data, preflight
from ..runs.chip_setup import set_learning_rates
from ..runs.run_directory import summarize
from .divergence_guard import DivergenceGuard
from .energy_summary import energy_summary
from .plots import (plot_alignment_angles, plot_learning_curves, plot_sample_phases, plot_spike_rasters,
                    plot_spike_rates)
from .spiking_alignment import spiking_alignment
from .spiking_summary import spiking_summary
from .theory_diagnostics import diagnose

RASTER_SAMPLES = 3          # test inputs whose spikes a spiking engine's run directory shows


@dataclass
class RunResult:
    """What a training run returns: the final state, per-epoch metrics and the summary."""

    state: TrainState
    history: list[dict]
    summary: dict
    run_dir: Path | None


class Trainer:
    """Runs one experiment config, optionally writing (and resuming) a run directory.

    The config is checked by the preflight (tpneuro.runs.preflight) before the dataset is read; the run is then
    assembled (tpneuro.runs.assembly): data, engine, network state on its chip, seeded random streams.

    Parameters
    ----------
    cfg : ExperimentConfig
        The experiment.
    run_dir : str or Path, optional
        The run directory to write; None keeps the run in memory.
    progress : bool
        Show progress bars.
    data : DataSplits, optional
        Use these splits instead of loading ``cfg.dataset``.
    source : str
        Where ``cfg`` came from (a file name), named in error messages.
    plan : RunPlan, optional
        The preflight's plan of ``cfg``, when the caller has checked it already.
    """

    def __init__(self, cfg: ExperimentConfig, run_dir: str | Path | None = None, *, progress: bool = True,
                 data: DataSplits | None = None, source: str = "config", plan: RunPlan | None = None):
        self.cfg, self.progress, self.source = cfg, progress, source
        self.run_dir = RunDirectory(run_dir) if run_dir is not None else None
        self.plan = plan if plan is not None else preflight(cfg, source)
        if self.run_dir is not None:
            self.run_dir.check_writable()
        run = assemble(self.plan, data=data, progress=progress)
        self.engine, self.data, self.state, self.rngs = run.engine, run.data, run.state, run.rngs
        self.design_violations = run.design_rule_violations
        self.guard = DivergenceGuard(cfg.training.divergence, self._named_lr())
        self.history: list[dict] = []
        self.epochs_done = -1          # -1: feedback pre-training not done yet

    # -- run directory -------------------------------------------------------------------------
    def _prepare_run_dir(self, resume: bool) -> None:
        if self.run_dir is None:
            return
        if not resume:
            self.run_dir.start(self.cfg)
            return
        ckpt = self.run_dir.resume(self.cfg, self.state)
        for name, st in ckpt.rng_states.items():
            self.rngs[name].bit_generator.state = st
        self.history, self.epochs_done = ckpt.history, ckpt.epoch

    def _save(self, status: str) -> None:
        if self.run_dir is None:
            return
        rng_states = {n: g.bit_generator.state for n, g in self.rngs.items()}
        self.run_dir.save(self.state, Checkpoint(self.epochs_done, rng_states, self.history), self.cfg, self.summary(),
                          status)

    def _plot(self) -> None:
        if self.run_dir is None or not self.history:
            return
        title = f"{self.cfg.name}: {self.cfg.rule.name} on {self.cfg.dataset.name}"
        plots = self.run_dir.plots
        plot_learning_curves(self.history, plots / "learning_curves.png", title)
        plot_alignment_angles(self.history, plots / "alignment_angles.png", title)
        recording = self.engine.spike_trains(self.state, self.data.x_test[:RASTER_SAMPLES])
        if recording is not None:
            plot_spike_rasters(recording.samples, recording.dt, plots / "spike_raster.png", f"{title}: free phase")
            plot_spike_rates(recording.samples, recording.dt, plots / "spike_rates.png", f"{title}: free phase")
        phases = self.engine.phase_recording(self.state, self.data.x_test[:1], self.data.y_test[:1])
        if phases is not None:
            plot_sample_phases(phases, plots / "sample_phases.png",
                               f"{title}: one training sample (test input 0, label {self.data.y_test[0]})")

    # -- epochs --------------------------------------------------------------------------------
    def _batches(self, n: int):
        bs = self.cfg.training.batch_size
        order = self.rngs["shuffle"].permutation(n)
        return [order[s:s + bs] for s in range(0, n, bs)]

    def _work(self) -> EpochWork:
        """This run's next epoch for the engine: its state, training set, a fresh shuffle and its noise stream."""
        return EpochWork(self.state, self.data.x_train, self.data.y_train, self._batches(len(self.data.y_train)),
                         self.rngs["noise"])

    @property
    def _trains_feedback(self) -> bool:
        return self.state.rule.has_trained_feedback

    def _start_epoch(self) -> EpochWork:
        """Set this epoch's learning rates (training.lr_schedule) and draw its minibatches."""
        set_learning_rates(self.cfg, self.state, self.cfg.training.lr_schedule.factor(self.epochs_done + 1))
        return self._work()

    def _finish_epoch(self, work: EpochWork, res: EpochResult, fb_losses: list[np.ndarray], seconds: float) -> None:
        """Check the epoch (the divergence guard: DivergedError), evaluate, append the row, save the checkpoint."""
        epoch = self.epochs_done + 1
        loss_sum, seen = 0.0, 0
        for b, (loss, idx) in enumerate(zip(res.losses, work.batches)):
            self.guard.check_batch(float(loss), epoch, b)
            loss_sum += float(loss) * len(idx)
            seen += len(idx)
        fb_means = [float(np.mean(f)) if len(f) else float("nan") for f in fb_losses]
        finite_rec = [r for r in [float(r) for r in res.reconstruction_losses] + fb_means if np.isfinite(r)]
        row = {"epoch": epoch, "train_loss": loss_sum / seen, "train_acc": int(np.sum(res.n_correct)) / seen,
               "reconstruction_loss": float(np.mean(finite_rec)) if finite_rec else float("nan"),
               "lr_factor": self.cfg.training.lr_schedule.factor(epoch)}
        self.guard.check_epoch(row, self.history, self.state.forward_params)
        row["epoch_seconds"] = seconds
        row.update(self._evaluate())
        self.history.append(row)
        self.epochs_done = epoch
        self._save("running")

    def _evaluate(self) -> dict:
        out = {}
        for split in ("val", "test"):
            x, y = getattr(self.data, f"x_{split}"), getattr(self.data, f"y_{split}")
            if len(y):
                ev = self.engine.evaluate(self.state, x, y, passes=self.cfg.training.eval_passes)
                out[f"{split}_loss"], out[f"{split}_acc"] = ev.loss, ev.accuracy
            else:
                out[f"{split}_loss"] = out[f"{split}_acc"] = float("nan")
        diag = self.cfg.diagnostics
        if diag.enabled:
            n = min(diag.batch_size, len(self.data.y_train))
            x, y = self.data.x_train[:n], self.data.y_train[:n]
            out.update(diagnose(self.state.rule, self.state.forward_params, self.state.feedback_params, x, y,
                                diag.gn_damping))
            if isinstance(self.engine, SpikingEngine):
                out.update(spiking_alignment(self.engine, self.state, x, y))
        return out

    def run(self, resume: bool = False) -> RunResult:
        """Train until ``training.epochs`` epochs are done, checkpointing after each.

        The run directory is locked for the whole run. On SIGINT (or SIGTERM turned into KeyboardInterrupt) its
        status says ``interrupted`` and RunInterrupted names the resume command; a diverged run keeps its last
        finished epoch and its plots.

        Parameters
        ----------
        resume : bool
            Continue from the run directory's checkpoint instead of starting.

        Returns
        -------
        RunResult
            The trained state, the per-epoch metrics, the summary and the run directory.
        """
        outcome = run_together([self], resume=resume)[0]
        if isinstance(outcome, DivergedError):
            raise outcome
        return outcome

    def _interrupted(self) -> RunInterrupted:
        """Mark the run directory ``interrupted``; the error that names the resume command."""
        self._set_status("interrupted")
        where = f" in {self.run_dir.path}" if self.run_dir is not None else ""
        resume_with = (f"resume with `tpneuro train --resume {self.run_dir.path}`" if self.run_dir is not None
                       else "train again with a run directory (--out) to be able to resume")
        return RunInterrupted(f"training interrupted after {max(self.epochs_done, 0)} finished epochs{where}; "
                              f"fix: {resume_with}")

    def _set_status(self, status: str) -> None:
        if self.run_dir is not None:
            self.run_dir.set_status(status, max(self.epochs_done, 0))

    def summary(self) -> dict:
        """Best-validation metrics, operations (and energy on a chip) per inference and training sample."""
        # the plan's profile, also when its chip changes no arithmetic (state.chip is None, e.g. generic45nm)
        profile = self.plan.profile
        out = {**summarize(self.history), **energy_summary(self.cfg, self.state, profile)}
        if self.engine.totals:
            out.update(spiking_summary(self.engine.totals, self.cfg, self.state, self.engine.dt, profile))
        if self.cfg.hardware is not None:
            out["hardware_profile"] = self.cfg.hardware.profile
            out["design_rule_violations"] = [str(v) for v in self.design_violations]
        if self.guard.numeric_warnings:
            out["numeric_warnings"] = self.guard.warnings_note()
        return out

    def _named_lr(self) -> tuple[str, float]:
        """The learning rate a divergence message suggests lowering: the optimizer's, or the spiking engine's."""
        if self.cfg.optimizer is not None:
            return "optimizer.lr", self.cfg.optimizer.lr
        return "engine_options.learning_rate", self.plan.engine_options.learning_rate


def run_together(trainers: Sequence[Trainer], resume: bool | Sequence[bool] = False) -> list[RunResult | DivergedError]:
    """Train several runs side by side, epoch by epoch, through the first run's engine.

    The engine takes each epoch of all of them in one call (:meth:`~tpneuro.engines.protocol.Engine.train_epochs`;
    the JAX engine runs them as one vmapped program). Every run keeps its own config, random streams, run directory
    (locked while they train), checkpoint and history, and gets the numbers it would get alone on that engine. The
    schedule (DESIGN.md section 2): ``epochs_fb`` feedback-only epochs, then per epoch one pass of minibatches and
    ``extra_fb_epochs`` feedback-only epochs. A run that diverges stops alone (its directory says ``diverged`` and
    keeps its last finished epoch and its plots); the others go on. On SIGINT (or SIGTERM turned into
    KeyboardInterrupt) every unfinished run's directory says ``interrupted``. numpy's numeric warnings while the
    runs train together are counted for each of them (the rate engine runs them one after the other, so a warning
    cannot be told apart by run).

    Parameters
    ----------
    trainers : sequence of Trainer
        The runs; every one uses the first one's engine.
    resume : bool or sequence of bool
        Continue every run (or, a sequence, each run that it says) from its run directory's checkpoint.

    Returns
    -------
    list of RunResult or DivergedError
        Per run, its result, or the DivergedError that stopped it.

    Raises
    ------
    RunInterrupted
        On KeyboardInterrupt; it names the resume command of the first unfinished run.
    """
    resumes = [resume] * len(trainers) if isinstance(resume, bool) else list(resume)
    with ExitStack() as stack:
        for t in trainers:
            if t.run_dir is not None:
                stack.enter_context(t.run_dir.writing())
        for t, again in zip(trainers, resumes):
            t._prepare_run_dir(again)
        warnings_of = trainers[0].guard
        for t in trainers[1:]:
            t.guard.numeric_warnings = warnings_of.numeric_warnings
        outcomes: dict[int, RunResult | DivergedError] = {}
        live = list(trainers)
        try:
            with warnings_of.catching_numeric_warnings():
                _epochs_together(live, outcomes)
        except KeyboardInterrupt:
            errors = [t._interrupted() for t in live]
            raise errors[0] from None
        for t in live:
            t._save("completed")
            t._plot()
            outcomes[id(t)] = RunResult(t.state, t.history, t.summary(), t.run_dir.path if t.run_dir else None)
    return [outcomes[id(t)] for t in trainers]


def _epochs_together(live: list[Trainer], outcomes: dict[int, RunResult | DivergedError]) -> None:
    """The schedule of :func:`run_together`; a run that diverges leaves ``live`` with its error in ``outcomes``."""
    engine = live[0].engine
    show = live[0].progress and len(live) == 1
    pretraining = [t for t in live if t.epochs_done < 0]
    for k in range(max((t.cfg.training.epochs_fb for t in pretraining if t._trains_feedback), default=0)):
        now = [t for t in pretraining if t._trains_feedback and k < t.cfg.training.epochs_fb]
        engine.feedback_epochs([t._work() for t in now], f"feedback pre-training {k + 1}" if show else None)
    for t in pretraining:
        t.epochs_done = 0
        t._save("running")
    bar = tqdm(total=max(t.cfg.training.epochs for t in live), initial=min(t.epochs_done for t in live),
               desc="epochs", disable=not live[0].progress)
    with bar:
        while todo := [t for t in live if t.epochs_done < t.cfg.training.epochs]:
            start = time.perf_counter()
            works = [t._start_epoch() for t in todo]
            epoch = min(t.epochs_done for t in todo) + 1
            results = engine.train_epochs(works, todo[0].cfg.training.input_noise, f"epoch {epoch}" if show else None)
            fb_losses: list[list[np.ndarray]] = [[] for _ in todo]
            going = [j for j, (t, r) in enumerate(zip(todo, results))
                     if t._trains_feedback and np.all(np.isfinite(r.losses))]
            for k in range(max((todo[j].cfg.training.extra_fb_epochs for j in going), default=0)):
                more = [j for j in going if k < todo[j].cfg.training.extra_fb_epochs]
                losses = engine.feedback_epochs([todo[j]._work() for j in more],
                                                f"extra feedback {epoch}" if show else None)
                for j, f in zip(more, losses):
                    fb_losses[j].append(f)
            seconds = time.perf_counter() - start
            for t, work, res, fb in zip(todo, works, results, fb_losses):
                try:
                    t._finish_epoch(work, res, fb, seconds)
                except DivergedError as exc:
                    t._set_status("diverged")
                    t._plot()
                    outcomes[id(t)] = exc
                    live.remove(t)
            bar.update(1)
            if len(todo) == 1 and todo[0].history:
                row = todo[0].history[-1]
                bar.set_postfix(val_acc=f"{100 * row['val_acc']:.2f}%", test_acc=f"{100 * row['test_acc']:.2f}%")


def train(cfg: ExperimentConfig, run_dir: str | Path | None = None, *, progress: bool = True,
          resume: bool = False, data: DataSplits | None = None) -> RunResult:
    """Train ``cfg`` (optionally into a run directory) and return the result: the Python entry point.

    The config goes through the run preflight (tpneuro.runs.preflight) before any data are read; then the data, the
    network and the engine are assembled and trained by the schedule of Meulemans et al. 2020 ("parallel").

    Parameters
    ----------
    cfg : ExperimentConfig
        The experiment, e.g. from :func:`tpneuro.load_config` or :func:`tpneuro.validate_config`.
    run_dir : str or Path, optional
        Directory to write (config.yaml, checkpoint.npz with its manifest, metrics, summary, plots); locked for
        the run. None keeps everything in memory.
    progress : bool
        Show progress bars.
    resume : bool
        Continue the run in ``run_dir`` from its checkpoint (``cfg`` must be the config it started with,
        ``training.epochs`` excepted).
    data : DataSplits, optional
        Use these splits instead of loading ``cfg.dataset``.

    Returns
    -------
    RunResult
        The trained state, the per-epoch metrics and the summary (best-validation test accuracy, operations
        and energy per inference and training sample).

    Raises
    ------
    TpneuroError
        One-line errors: ConfigError, UnsupportedByEngine, HardwareDesignRuleError before any data are read;
        DivergedError, RunDirectoryError, RunInterrupted while training.

    Examples
    --------
    >>> import tpneuro
    >>> cfg = tpneuro.load_config("digits_ddtp_linear", {"training.epochs": 1})
    >>> result = tpneuro.train(cfg, progress=False)
    >>> 0.0 <= result.summary["test_acc_at_best_val"] <= 1.0
    True
    """
    return Trainer(cfg, run_dir, progress=progress, data=data).run(resume=resume)


def train_together(cfgs: Sequence[ExperimentConfig], run_dirs: Sequence[str | Path | None] | None = None, *,
                   progress: bool = True, resume: bool | Sequence[bool] = False,
                   sources: Sequence[str] | None = None) -> list[RunResult | DivergedError]:
    """Train several configs side by side (:func:`run_together`), each into its own run directory.

    On the JAX engine, configs that differ only in seeds, chip seeds or learning rates (one network shape, one rule,
    one chip profile) run as one vmapped program per epoch, e.g. ``train_together([cfg.model_copy(update={"seed":
    s}) for s in range(32)])``. Every config must name the same engine with the same ``engine_options``. All
    configs pass the preflight before any data are read; a dataset is loaded once for every config whose splits
    it gives (the IDX datasets for any seed).

    Parameters
    ----------
    cfgs : sequence of ExperimentConfig
        The experiments, all on one engine with the same ``engine_options``.
    run_dirs : sequence of (str, Path or None), optional
        One run directory per config (None: in memory); default: all in memory.
    progress : bool
        Show progress bars.
    resume : bool or sequence of bool
        Continue every run (or each run that the sequence says) from its run directory's checkpoint.
    sources : sequence of str, optional
        Where each config came from, named in errors (default ``config 1``, ``config 2``, ...).

    Returns
    -------
    list of RunResult or DivergedError
        Per config, its result or the DivergedError that stopped it.

    Raises
    ------
    ConfigError
        When the configs name different engines or engine options, or one fails its preflight.
    """
    sources = list(sources) if sources is not None else [f"config {n + 1}" for n in range(len(cfgs))]
    run_dirs = list(run_dirs) if run_dirs is not None else [None] * len(cfgs)
    if not cfgs or len(run_dirs) != len(cfgs) or len(sources) != len(cfgs):
        raise ValueError(f"need one run directory and source per config: {len(cfgs)} configs, {len(run_dirs)} run "
                         f"directories, {len(sources)} sources")
    first = cfgs[0]
    for cfg, source in zip(cfgs, sources):
        for field in ("engine", "engine_options"):
            if getattr(cfg, field) != getattr(first, field):
                raise ConfigError(source, field, f"{getattr(cfg, field)!r} differs from {getattr(first, field)!r} of "
                                  f"{sources[0]}", "train together only configs that run on one engine")
    plans = [preflight(cfg, source) for cfg, source in zip(cfgs, sources)]
    datasets: dict[str, DataSplits] = {}
    trainers = []
    for cfg, source, plan, run_dir in zip(cfgs, sources, plans, run_dirs):
        key = _data_key(cfg)
        if key not in datasets:
            datasets[key] = load_data(cfg, source)
        trainers.append(Trainer(cfg, run_dir, progress=progress, data=datasets[key], source=source, plan=plan))
    return run_together(trainers, resume=resume)


def _data_key(cfg: ExperimentConfig) -> str:
    """What a config's data depend on: its dataset section, its dtype and, for a seeded dataset, its seed."""
    seed = cfg.seed if cfg.dataset.name in SEEDED_DATASETS else None
    return json.dumps([cfg.dataset.model_dump(), cfg.network.dtype, seed], sort_keys=True, default=str)
