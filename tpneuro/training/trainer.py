"""The training loop: schedule, evaluation, diagnostics, checkpoints and the run directory.

Schedule (Meulemans et al. 2020, "parallel", DESIGN.md section 2): ``epochs_fb`` feedback-only epochs,
then per epoch one pass of minibatches (forward updates with one feedback step each), then
``extra_fb_epochs`` feedback-only epochs; evaluation on train/val/test after every epoch.
"""
from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ..config.experiment import ExperimentConfig
from ..data import DataSplits
from ..engines.protocol import SpikingEngine
from ..engines.train_state import TrainState
from ..errors import DivergedError, RunInterrupted
from ..runs import Checkpoint, RunDirectory, RunPlan, assemble, preflight
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

    def _feedback_epoch(self, desc: str) -> float:
        x = self.data.x_train
        with tqdm(self._batches(len(x)), desc=desc, leave=False, disable=not self.progress) as bar:
            losses = [self.engine.feedback_batch(self.state, x[idx], self.rngs["noise"]) for idx in bar]
        return float(np.mean(losses)) if losses else float("nan")

    def _train_epoch(self, epoch: int) -> dict:
        x, y = self.data.x_train, self.data.y_train
        lr_factor = self.cfg.training.lr_schedule.factor(epoch)
        set_learning_rates(self.cfg, self.state, lr_factor)
        loss_sum, correct, seen, rec = 0.0, 0, 0, []
        noise_std = self.cfg.training.input_noise
        with tqdm(self._batches(len(x)), desc=f"epoch {epoch}", leave=False, disable=not self.progress) as bar:
            for b, idx in enumerate(bar):
                xb = x[idx]
                if noise_std:
                    xb = xb + noise_std * self.rngs["noise"].standard_normal(xb.shape, dtype=xb.dtype)
                res = self.engine.train_batch(self.state, xb, y[idx], self.rngs["noise"], train_feedback=True)
                self.guard.check_batch(res.loss, epoch, b)
                loss_sum += res.loss * len(idx)
                correct += res.n_correct
                seen += len(idx)
                rec.append(res.reconstruction_loss)
                if b % 20 == 0:
                    bar.set_postfix(loss=f"{loss_sum / seen:.4f}", acc=f"{100 * correct / seen:.1f}%")
        extra = self.cfg.training.extra_fb_epochs if self.state.rule.has_trained_feedback else 0
        fb_loss = [self._feedback_epoch(f"extra feedback {epoch}") for _ in range(extra)]
        finite_rec = [r for r in rec + fb_loss if np.isfinite(r)]
        return {"train_loss": loss_sum / seen, "train_acc": correct / seen,
                "reconstruction_loss": float(np.mean(finite_rec)) if finite_rec else float("nan"),
                "lr_factor": lr_factor}

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
        with self.run_dir.writing() if self.run_dir is not None else nullcontext():
            self._prepare_run_dir(resume)
            try:
                with self.guard.catching_numeric_warnings():
                    self._epochs()
            except DivergedError:
                self._set_status("diverged")
                self._plot()
                raise
            except KeyboardInterrupt:
                self._set_status("interrupted")
                where = f" in {self.run_dir.path}" if self.run_dir is not None else ""
                resume_with = (f"resume with `tpneuro train --resume {self.run_dir.path}`" if self.run_dir is not None
                               else "train again with a run directory (--out) to be able to resume")
                raise RunInterrupted(f"training interrupted after {max(self.epochs_done, 0)} finished epochs{where}; "
                                     f"fix: {resume_with}") from None
            self._save("completed")
            self._plot()
        summary = self.summary()
        return RunResult(self.state, self.history, summary, self.run_dir.path if self.run_dir else None)

    def _epochs(self) -> None:
        epochs = self.cfg.training.epochs
        if self.epochs_done < 0:
            if self.state.rule.has_trained_feedback:
                for k in range(self.cfg.training.epochs_fb):
                    self._feedback_epoch(f"feedback pre-training {k + 1}/{self.cfg.training.epochs_fb}")
            self.epochs_done = 0
            self._save("running")
        with tqdm(total=epochs, initial=self.epochs_done, desc="epochs", disable=not self.progress) as bar:
            while self.epochs_done < epochs:
                epoch = self.epochs_done + 1
                start = time.perf_counter()
                row = {"epoch": epoch, **self._train_epoch(epoch)}
                self.guard.check_epoch(row, self.history, self.state.forward_params)
                row["epoch_seconds"] = time.perf_counter() - start
                row.update(self._evaluate())
                self.history.append(row)
                self.epochs_done = epoch
                self._save("running")
                bar.update(1)
                bar.set_postfix(val_acc=f"{100 * row['val_acc']:.2f}%", test_acc=f"{100 * row['test_acc']:.2f}%")

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
