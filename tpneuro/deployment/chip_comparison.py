"""One table and one plot comparing every hardware profile for a trained network."""
from __future__ import annotations

from pathlib import Path

from ..atomic_files import save_figure_atomic, write_text_atomic
from ..hardware import list_profiles
from ..runs.run_directory import write_json
from .chip_deployment import RunDeployer


def compare_chips(run_dir: str | Path, chips: int = 3) -> list[dict]:
    """Deploy a run on every profile and write one table and one plot.

    Design rules are reported, not enforced; writes ``chips/comparison.json``, ``chips/comparison.csv`` and
    ``chips/accuracy_vs_energy.png`` in the run directory.

    Parameters
    ----------
    run_dir : str or Path
        A directory written by ``tpneuro train --out``.
    chips : int
        Chip instances per profile.

    Returns
    -------
    list of dict
        One row per profile: accuracy mean and std, energy per inference and per training sample, violations.
    """
    deployer = RunDeployer(run_dir)
    rows = []
    for name in list_profiles():
        dep = deployer.deploy(name, chips, report_only=True)
        rows.append({"profile": name, "acc_mean": dep.mean, "acc_std": dep.std, **dep.energy,
                     "violations": len(dep.design_rule_violations)})
    out = Path(run_dir) / "chips"
    write_json(out / "comparison.json", {"rows": rows})
    cols = ["profile", "acc_mean", "acc_std", "joules_per_inference", "joules_per_inference_lower_bound",
            "joules_per_training_sample", "joules_per_training_sample_lower_bound", "violations"]
    write_text_atomic(out / "comparison.csv", "\n".join([",".join(cols)] + [
        ",".join("" if r.get(c) is None else str(r.get(c)) for c in cols) for r in rows]) + "\n")
    _plot(rows, out / "accuracy_vs_energy.png")
    return rows


def _plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for r in rows:
        joules = r.get("joules_per_inference") or r.get("joules_per_inference_lower_bound")
        if joules:
            ax.errorbar(joules, 100 * r["acc_mean"], yerr=100 * r["acc_std"], fmt="o", capsize=3)
            ax.annotate(r["profile"], (joules, 100 * r["acc_mean"]), textcoords="offset points", xytext=(4, 4))
    ax.set(xscale="log", xlabel="energy per inference (J; lower bound where a cost is unknown)",
           ylabel="test accuracy (%)", title="deployed accuracy vs energy per profile")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    save_figure_atomic(fig, path)
    plt.close(fig)
