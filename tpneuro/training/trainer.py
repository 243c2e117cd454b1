"""The training loop: schedule, evaluation, diagnostics, checkpoints and the run directory.

Schedule (Meulemans et al. 2020, "parallel", DESIGN.md section 2): ``epochs_fb`` feedback-only epochs,
then per epoch one pass of minibatches (forward updates with one feedback step each), then
``extra_fb_epochs`` feedback-only epochs; evaluation on train/val/test after every epoch.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ..config.config_loading import dump_config
from ..config.experiment import ExperimentConfig, OptimizerConfig
from ..data import DataSplits, load_dataset
from ..engines.registry import get_engine, get_engine_class, option_names
from ..engines.train_state import TrainState
from ..errors import ConfigError, DivergedError, RunDirectoryError
from ..hardware import load_profile
from ..network.architecture import NetworkSpec
from ..network.weights import init_forward_params
from ..optimizers import SGD, Adam, Optimizer, RMSprop
from ..rules.registry import make_rule
from ..theory.diagnostics import diagnose
from . import results_files as rf
from .atomic_files import write_text_atomic
from .checkpoints import CHECKPOINT_FILE, Checkpoint, load_checkpoint, save_checkpoint
from .chip_setup import put_on_chip, set_learning_rates
from .divergence_guard import check_loss, check_params
from .energy_summary import energy_summary
from .plots import plot_alignment_angles, plot_learning_curves, plot_spike_rasters, plot_spike_rates
from .spiking_summary import spiking_summary

RNG_STREAMS = ("init", "shuffle", "noise")
RASTER_SAMPLES = 3          # test inputs whose spikes a spiking engine's run directory shows


@dataclass
class RunResult:
    """What a training run returns: the final state, per-epoch metrics and the summary."""

    state: TrainState
    history: list[dict]
    summary: dict
    run_dir: Path | None


def _optimizer(opt: OptimizerConfig) -> Optimizer:
    """The optimizer a config section names; ``eps`` and ``momentum`` unset take the kind's defaults."""
    eps = {} if opt.eps is None else {"eps": opt.eps}
    momentum = {} if opt.momentum is None else {"momentum": opt.momentum}
    if opt.kind == "sgd":
        return SGD(lr=opt.lr, weight_decay=opt.weight_decay, **momentum)
    if opt.kind == "rmsprop":
        return RMSprop(lr=opt.lr, averaging=opt.averaging, weight_decay=opt.weight_decay, **momentum, **eps)
    return Adam(lr=opt.lr, betas=tuple(opt.betas), weight_decay=opt.weight_decay, **eps)


def build_state(cfg: ExperimentConfig, input_size: int, n_classes: int, rng: np.random.Generator,
                source: str = "config") -> TrainState:
    """The network, rule, parameters and optimizers that ``cfg`` describes."""
    spec = NetworkSpec((input_size, *cfg.network.hidden, n_classes), cfg.network.activation,
                       cfg.network.output_activation, cfg.network.dtype)
    rule = make_rule(cfg.rule.name, spec, source, **cfg.rule.hyperparams())
    fwd = init_forward_params(spec, rng, cfg.network.layer_gains(spec.n_layers, source))
    fb = rule.init_feedback(rng, fwd)
    fb_opt = None
    if rule.has_trained_feedback:
        if cfg.feedback_optimizer is None:
            raise ConfigError(source, "feedback_optimizer", f"rule {rule.name!r} trains feedback weights but "
                              "no feedback optimizer is given", "add a feedback_optimizer section with lr")
        fb_opt = _optimizer(cfg.feedback_optimizer)
    return TrainState(spec, rule, fwd, fb, _optimizer(cfg.optimizer), fb_opt)


def engine_options(cfg: ExperimentConfig, progress: bool, source: str = "config") -> dict:
    """The config's engine options; with progress shown, an engine that has its own progress bar
    (an options field ``progress_bar``, e.g. nengo's) shows it too, unless the config says otherwise."""
    options = dict(cfg.engine_options)
    if progress and "progress_bar" in option_names(get_engine_class(cfg.engine, source)):
        options.setdefault("progress_bar", True)
    return options


def load_data(cfg: ExperimentConfig, source: str = "config") -> DataSplits:
    d = cfg.dataset
    return load_dataset(d.name, path=d.path, validation_size=d.validation_size, train_subset=d.train_subset,
                        test_subset=d.test_subset, seed=cfg.seed, dtype=np.dtype(cfg.network.dtype), source=source)


class Trainer:
    """Runs one experiment config, optionally writing (and resuming) a run directory."""

    def __init__(self, cfg: ExperimentConfig, run_dir: str | Path | None = None, *, progress: bool = True,
                 data: DataSplits | None = None, source: str = "config"):
        self.cfg, self.progress, self.source = cfg, progress, source
        self.run_dir = Path(run_dir) if run_dir is not None else None
        self.engine = get_engine(cfg.engine, source, engine_options(cfg, progress, source))
        seeds = np.random.SeedSequence(cfg.seed).spawn(len(RNG_STREAMS))
        self.rngs = {name: np.random.default_rng(s) for name, s in zip(RNG_STREAMS, seeds)}
        self.data = data if data is not None else load_data(cfg, source)
        self.state = build_state(cfg, self.data.input_size, self.data.n_classes, self.rngs["init"], source)
        self.design_violations = put_on_chip(cfg, self.state, self.rngs["init"])
        self.engine.check_supported(self.state)
        self.history: list[dict] = []
        self.epochs_done = -1          # -1: feedback pre-training not done yet

    # -- run directory -------------------------------------------------------------------------
    def _prepare_run_dir(self, resume: bool) -> None:
        if self.run_dir is None:
            return
        if resume:
            ckpt = load_checkpoint(self.run_dir, self.state)
            for name, st in ckpt.rng_states.items():
                self.rngs[name].bit_generator.state = st
            self.history, self.epochs_done = ckpt.history, ckpt.epoch
            write_text_atomic(self.run_dir / rf.CONFIG_FILE, dump_config(self.cfg))   # e.g. more epochs now
            return
        if (self.run_dir / CHECKPOINT_FILE).exists():
            raise RunDirectoryError(f"{self.run_dir}: already holds a run; fix: pass --resume {self.run_dir} "
                                    "to continue it, or choose a new --out directory")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.run_dir / rf.CONFIG_FILE, dump_config(self.cfg))

    def _save(self, status: str) -> None:
        if self.run_dir is None:
            return
        rng_states = {n: g.bit_generator.state for n, g in self.rngs.items()}
        save_checkpoint(self.run_dir, self.state, Checkpoint(self.epochs_done, rng_states, self.history))
        rf.write_metrics(self.run_dir, self.history)
        rf.write_json(self.run_dir / rf.SUMMARY_FILE, self.summary())
        rf.write_json(self.run_dir / rf.STATUS_FILE, {"status": status, "epochs_done": self.epochs_done})

    def _plot(self) -> None:
        if self.run_dir is None or not self.history:
            return
        title = f"{self.cfg.name}: {self.cfg.rule.name} on {self.cfg.dataset.name}"
        plot_learning_curves(self.history, self.run_dir / "plots" / "learning_curves.png", title)
        plot_alignment_angles(self.history, self.run_dir / "plots" / "alignment_angles.png", title)
        if hasattr(self.engine, "spike_trains"):
            samples = self.engine.spike_trains(self.state, self.data.x_test[:RASTER_SAMPLES])
            dt = self.engine.options.dt
            plot_spike_rasters(samples, dt, self.run_dir / "plots" / "spike_raster.png", f"{title}: free phase")
            plot_spike_rates(samples, dt, self.run_dir / "plots" / "spike_rates.png", f"{title}: free phase")

    # -- epochs --------------------------------------------------------------------------------
    def _batches(self, n: int):
        bs = self.cfg.training.batch_size
        order = self.rngs["shuffle"].permutation(n)
        return [order[s:s + bs] for s in range(0, n, bs)]

    def _feedback_epoch(self, desc: str) -> float:
        x = self.data.x_train
        losses = [self.engine.feedback_batch(self.state, x[idx], self.rngs["noise"])
                  for idx in tqdm(self._batches(len(x)), desc=desc, leave=False, disable=not self.progress)]
        return float(np.mean(losses)) if losses else float("nan")

    def _train_epoch(self, epoch: int) -> dict:
        x, y = self.data.x_train, self.data.y_train
        lr_factor = self.cfg.training.lr_schedule.factor(epoch)
        set_learning_rates(self.cfg, self.state, lr_factor)
        lr = self.cfg.optimizer.lr
        loss_sum, correct, seen, rec = 0.0, 0, 0, []
        bar = tqdm(self._batches(len(x)), desc=f"epoch {epoch}", leave=False, disable=not self.progress)
        noise_std = self.cfg.training.input_noise
        for b, idx in enumerate(bar):
            xb = x[idx]
            if noise_std:
                xb = xb + noise_std * self.rngs["noise"].standard_normal(xb.shape, dtype=xb.dtype)
            res = self.engine.train_batch(self.state, xb, y[idx], self.rngs["noise"], train_feedback=True)
            check_loss(res.loss, epoch, b, lr)
            loss_sum += res.loss * len(idx)
            correct += res.n_correct
            seen += len(idx)
            rec.append(res.reconstruction_loss)
            if b % 20 == 0:
                bar.set_postfix(loss=f"{loss_sum / seen:.4f}", acc=f"{100 * correct / seen:.1f}%")
        extra = self.cfg.training.extra_fb_epochs if self.state.feedback_optimizer is not None else 0
        fb_loss = [self._feedback_epoch(f"extra feedback {epoch}") for _ in range(extra)]
        check_params(self.state.forward_params, epoch, lr)
        finite_rec = [r for r in rec + fb_loss if np.isfinite(r)]
        return {"train_loss": loss_sum / seen, "train_acc": correct / seen,
                "reconstruction_loss": float(np.mean(finite_rec)) if finite_rec else float("nan"),
                "lr_factor": lr_factor}

    def _evaluate(self) -> dict:
        out = {}
        for split in ("val", "test"):
            x, y = getattr(self.data, f"x_{split}"), getattr(self.data, f"y_{split}")
            if len(y):
                passes = self.cfg.training.eval_passes     # only engines with stochastic units take passes
                ev = self.engine.evaluate(self.state, x, y, **({"passes": passes} if passes > 1 else {}))
                out[f"{split}_loss"], out[f"{split}_acc"] = ev.loss, ev.accuracy
            else:
                out[f"{split}_loss"] = out[f"{split}_acc"] = float("nan")
        diag = self.cfg.diagnostics
        if diag.enabled:
            n = min(diag.batch_size, len(self.data.y_train))
            out.update(diagnose(self.state, self.data.x_train[:n], self.data.y_train[:n], diag.gn_damping))
        return out

    def run(self, resume: bool = False) -> RunResult:
        """Train until ``training.epochs`` epochs are done; checkpoint after each."""
        self._prepare_run_dir(resume)
        epochs = self.cfg.training.epochs
        try:
            if self.epochs_done < 0:
                if self.state.feedback_optimizer is not None:
                    for k in range(self.cfg.training.epochs_fb):
                        self._feedback_epoch(f"feedback pre-training {k + 1}/{self.cfg.training.epochs_fb}")
                self.epochs_done = 0
                self._save("running")
            bar = tqdm(total=epochs, initial=self.epochs_done, desc="epochs", disable=not self.progress)
            while self.epochs_done < epochs:
                epoch = self.epochs_done + 1
                start = time.perf_counter()
                row = {"epoch": epoch, **self._train_epoch(epoch)}
                row["epoch_seconds"] = time.perf_counter() - start
                row.update(self._evaluate())
                self.history.append(row)
                self.epochs_done = epoch
                self._save("running")
                bar.update(1)
                bar.set_postfix(val_acc=f"{100 * row['val_acc']:.2f}%", test_acc=f"{100 * row['test_acc']:.2f}%")
            bar.close()
        except DivergedError:
            if self.run_dir is not None:
                rf.write_json(self.run_dir / rf.STATUS_FILE, {"status": "diverged", "epochs_done": self.epochs_done})
            raise
        self._save("completed")
        self._plot()
        return RunResult(self.state, self.history, self.summary(), self.run_dir)

    def summary(self) -> dict:
        """Best-validation metrics, operations (and energy on a chip) per inference and training sample."""
        # the config's profile, also when its chip changes no arithmetic (state.chip is None, e.g. generic45nm)
        profile = load_profile(self.cfg.hardware.profile) if self.cfg.hardware is not None else None
        out = {**rf.summarize(self.history), **energy_summary(self.cfg, self.state, profile)}
        totals = getattr(self.engine, "totals", None)
        if totals:
            out.update(spiking_summary(totals, self.cfg, self.state, self.engine.options.dt, profile))
        if self.cfg.hardware is not None:
            out["hardware_profile"] = self.cfg.hardware.profile
            out["design_rule_violations"] = [str(v) for v in self.design_violations]
        return out


def train(cfg: ExperimentConfig, run_dir: str | Path | None = None, *, progress: bool = True,
          resume: bool = False, data: DataSplits | None = None) -> RunResult:
    """Train ``cfg`` (optionally into ``run_dir``) and return the result. The Python entry point."""
    return Trainer(cfg, run_dir, progress=progress, data=data).run(resume=resume)
