"""What a (re-)run of a sweep does with each trial: skip it, resume it from its checkpoint, or start it.

- skip: it completed with the epochs asked for, or it diverged (the same config and seed diverge again);
- resume: it has a checkpoint but did not finish (failed, interrupted, worker died), or it completed
  fewer epochs than the sweep now asks for (the trainer continues from its checkpoint);
- start: it has no checkpoint.

A trial directory holding a run of a different config (the base config or the sweep changed but the
trial id did not) is a ConfigError before anything runs: resuming it would mix two configs in one run.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from ..config import config_to_dict, load_config
from ..config.differences import first_difference
from ..errors import ConfigError
from ..runs import CHECKPOINT_FILE, CONFIG_FILE
from .trial_grid import Trial
from .trial_record import DIVERGED, FINISHED, run_status, trial_status

Action = Literal["skip", "resume", "start"]
EPOCHS = ("training", "epochs")


def _without_epochs(config: dict) -> dict:
    return {**config, EPOCHS[0]: {k: v for k, v in config[EPOCHS[0]].items() if k != EPOCHS[1]}}


def plan_trial(trial: Trial, run_dir: Path, source: str) -> Action:
    """The action for ``trial`` whose run directory is ``run_dir``; ConfigError if that holds another run."""
    where = f"{source} [trial {trial.trial_id}]"
    stored_path = run_dir / CONFIG_FILE
    if stored_path.is_file():
        stored = config_to_dict(load_config(stored_path))
        field = first_difference(_without_epochs(stored), _without_epochs(trial.config))
        if field is not None:
            raise ConfigError(where, field, f"{run_dir} holds a run with a different value of this field",
                              "give the sweep another --out directory, or delete that trial directory to run it anew")
    status, _ = trial_status(run_dir, sweep_running=False)
    if status == DIVERGED:          # the same config and seed diverge again at the same batch
        return "skip"
    if not (run_dir / CHECKPOINT_FILE).is_file():
        return "start"
    wanted = trial.config[EPOCHS[0]][EPOCHS[1]]
    done = run_status(run_dir).get("epochs_done", 0)
    if done > wanted:
        raise ConfigError(where, "training.epochs",
                          f"{run_dir} already trained {done} epochs, more than the {wanted} asked for",
                          "ask for at least as many epochs, or give the sweep another --out directory")
    if status in FINISHED and done == wanted:
        return "skip"
    return "resume"
