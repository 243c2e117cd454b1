"""tpneuro: target propagation learning on rate, spiking and modeled neuromorphic substrates.

From Python::

    import tpneuro
    cfg = tpneuro.load_config("models/digits_ddtp_linear.yaml", {"training.epochs": 5})
    result = tpneuro.train(cfg, "runs/digits")
    print(result.summary["test_acc_at_best_val"])
"""
from .config import ExperimentConfig, load_config, validate_config
from .interchange import deploy_nir, export_nir, read_nir
from .network import NetworkSpec, forward, init_forward_params
from .rules import RULES, make_rule
from .runs import evaluate_run, preflight
from .sweeps import run_sweep
from .training import RunResult, Trainer, train, train_together

__all__ = ["ExperimentConfig", "NetworkSpec", "RULES", "RunResult", "Trainer", "deploy_nir", "evaluate_run",
           "export_nir", "forward", "init_forward_params", "load_config", "make_rule", "preflight", "read_nir",
           "run_sweep", "train", "train_together", "validate_config"]
__version__ = "0.1.0"
