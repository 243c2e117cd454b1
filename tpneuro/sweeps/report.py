"""The sweep report: ``report.md`` and a self-contained ``report.html`` (plots embedded), plus the plots
as PNG files in ``plots/``.

Tables: trials by status; the comparison of the groups (trials that differ only in their seed): test
accuracy at the best-validation epoch and its error (mean ± sample std over seeds), final test
accuracy, training time, and, when a hardware profile is set, joules per inference and per training
sample on that chip; every trial; the diverged and failed trials with their messages.

Plots: accuracy against energy per inference and per training sample, one colour per profile and one
marker per rule (when any trial has a hardware profile with energy costs; open markers are lower
bounds); test-accuracy learning curves, one panel per rule and one line (mean ± std over seeds) per
group; alignment angles with the BP gradient per layer (when diagnostics are on).
"""
from __future__ import annotations

import base64
import html
import math
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from ..atomic_files import save_figure_atomic, write_text_atomic  # noqa: E402
from ..formatting import joules, percent, seconds  # noqa: E402
from ..runs.run_directory import METRICS_JSON  # noqa: E402
from .results_table import _read_json  # noqa: E402
from .trial_record import COMPLETED, DIVERGED, FAILED  # noqa: E402

REPORT_MD, REPORT_HTML, PLOTS_DIR = "report.md", "report.html", "plots"
MAX_ANGLE_PANELS = 12
STATUS_ORDER = ("completed", "diverged", "failed", "interrupted", "running", "pending")


# -- formatting ----------------------------------------------------------------------------------
def pct(mean, std=None) -> str:
    return percent(mean, std, missing="–")


def joules_cell(row: dict, what: str) -> str:
    """The mean energy of a group, or its lower bound (tpneuro.formatting.joules)."""
    return joules(row.get(f"joules_per_{what}_mean"), row.get(f"joules_per_{what}_lower_bound_mean"), missing="–")


def _axis_columns(rows: list[dict]) -> list[str]:
    cols: list[str] = []
    for row in rows:
        cols += [k for k in row if k.startswith("axis:") and k not in cols]
    return cols


def comparison_table(agg: list[dict]) -> tuple[list[str], list[list[str]]]:
    axes = _axis_columns(agg)
    with_energy = any(r.get("hardware_profile") for r in agg)
    show_rule = "axis:rule.name" not in axes
    show_profile = with_energy and not {"axis:hardware.profile", "axis:hardware"} & set(axes)
    head = ["group", *[a[len("axis:"):] for a in axes]] + (["rule"] if show_rule else [])
    head += (["profile"] if show_profile else []) + [
        "trials (done/diverged/failed)", "test acc. at best val. %", "best-val. test error %",
        "final test acc. %", "train time s", "trial time s"] + (["energy / inference", "energy / training sample"] if with_energy else [])
    body = []
    for r in agg:
        line = [r["group"], *[str(r.get(a, "")) for a in axes]] + ([r["rule"]] if show_rule else [])
        line += ([r["hardware_profile"] or "–"] if show_profile else []) + [
            f"{r['n_completed']}/{r['n_diverged']}/{r['n_failed']} of {r['n_trials']}",
            pct(r["test_acc_at_best_val_mean"], r["test_acc_at_best_val_std"]),
            pct(r["test_error_at_best_val_mean"], r["test_error_at_best_val_std"]),
            pct(r["final_test_acc_mean"], r["final_test_acc_std"]),
            seconds(r["train_seconds_mean"], r["train_seconds_std"], missing="–"),
            seconds(r["wall_seconds_mean"], r["wall_seconds_std"], missing="–")]
        line += [joules_cell(r, "inference"), joules_cell(r, "training_sample")] if with_energy else []
        body.append(line)
    return head, body


def trials_table(rows: list[dict]) -> tuple[list[str], list[list[str]]]:
    head = ["trial", "status", "seed", "epochs", "test acc. at best val. %", "final test acc. %", "train time s",
            "attempts"]
    body = [[r["trial_id"], r["status"], str(r["seed"]), f"{r['epochs_done']}/{r['epochs']}",
             pct(r.get("test_acc_at_best_val")), pct(r.get("final_test_acc")), seconds(r.get("train_seconds"), missing="–"),
             str(r["attempts"])] for r in rows]
    return head, body


def markdown_table(head: list[str], body: list[list[str]]) -> str:
    esc = lambda c: str(c).replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(map(esc, head)) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(map(esc, r)) + " |" for r in body])


def html_table(head: list[str], body: list[list[str]]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in body)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"


# -- plots ---------------------------------------------------------------------------------------
def _histories(rows: list[dict], out_dir: Path) -> dict[str, list[dict]]:
    return {r["trial_id"]: _read_json(out_dir / r["run_dir"] / METRICS_JSON, [])
            for r in rows if r["status"] == COMPLETED}


def _mean_curve(histories: list[list[dict]], key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = min(len(h) for h in histories)
    values = np.array([[np.nan if row.get(key) is None else row[key] for row in h[:n]] for h in histories], float)
    epochs = np.array([row["epoch"] for row in histories[0][:n]])
    return epochs, np.nanmean(values, axis=0), (np.nanstd(values, axis=0, ddof=1) if len(values) > 1
                                                else np.zeros(n))


def plot_accuracy_vs_energy(agg: list[dict], path: Path) -> bool:
    points = [r for r in agg if r.get("hardware_profile") and r["test_acc_at_best_val_mean"] is not None]
    if not any(r.get("joules_per_inference_mean") or r.get("joules_per_inference_lower_bound_mean") for r in points):
        return False
    profiles = sorted({r["hardware_profile"] for r in points})
    rules = sorted({r["rule"] for r in points})
    colours = {p: plt.cm.tab20(i % 20) for i, p in enumerate(profiles)}
    markers = {rule: "osD^vP*Xhp"[i % 10] for i, rule in enumerate(rules)}
    fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True)
    for ax, what in zip(axes, ("inference", "training_sample")):
        for r in points:
            exact, bound = r.get(f"joules_per_{what}_mean"), r.get(f"joules_per_{what}_lower_bound_mean")
            x = exact if exact is not None else bound
            if not x:
                continue
            ax.errorbar(x, 100 * r["test_acc_at_best_val_mean"], yerr=100 * (r["test_acc_at_best_val_std"] or 0),
                        marker=markers[r["rule"]], color=colours[r["hardware_profile"]], markersize=8,
                        markerfacecolor=colours[r["hardware_profile"]] if exact is not None else "none", capsize=3)
        ax.set(xscale="log", xlabel=f"joules per {what.replace('_', ' ')} (open: lower bound)",
               title=f"accuracy vs energy per {what.replace('_', ' ')}")
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("test accuracy at best validation (%)")
    handles = [plt.Line2D([], [], color=colours[p], marker="o", linestyle="", label=p) for p in profiles]
    handles += [plt.Line2D([], [], color="gray", marker=markers[r], linestyle="", label=r) for r in rules]
    axes[1].legend(handles=handles, fontsize=7, loc="best")
    fig.tight_layout()
    save_figure_atomic(fig, path)
    plt.close(fig)
    return True


def plot_learning_curves(rows: list[dict], histories: dict[str, list[dict]], path: Path) -> bool:
    by_rule: dict[str, dict[str, list[list[dict]]]] = {}
    for r in rows:
        if histories.get(r["trial_id"]):
            by_rule.setdefault(r["rule"], {}).setdefault(r["group"], []).append(histories[r["trial_id"]])
    if not by_rule:
        return False
    fig, axes = plt.subplots(1, len(by_rule), figsize=(5 * len(by_rule), 4), sharey=True, squeeze=False)
    for ax, (rule, groups) in zip(axes[0], by_rule.items()):
        for label, hs in groups.items():
            epochs, mean, std = _mean_curve(hs, "test_acc")
            ax.plot(epochs, 100 * mean, marker=".", label=f"{label} (n={len(hs)})")
            ax.fill_between(epochs, 100 * (mean - std), 100 * (mean + std), alpha=0.2)
        ax.set(xlabel="epoch", title=rule)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel("test accuracy (%), mean ± std over seeds")
    fig.tight_layout()
    save_figure_atomic(fig, path)
    plt.close(fig)
    return True


def plot_alignment(rows: list[dict], histories: dict[str, list[dict]], path: Path) -> bool:
    groups: dict[str, list[list[dict]]] = {}
    for r in rows:
        h = histories.get(r["trial_id"])
        if h and any(k.startswith("angle_bp/") for k in h[0]):
            groups.setdefault(r["group"], []).append(h)
    if not groups:
        return False
    items = list(groups.items())[:MAX_ANGLE_PANELS]
    cols = min(4, len(items))
    nrows = math.ceil(len(items) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(4.5 * cols, 3.6 * nrows), sharey=True, squeeze=False)
    for ax, (label, hs) in zip(axes.flat, items):
        keys = sorted(k for k in hs[0][0] if k.startswith("angle_bp/"))
        for key in keys:
            epochs, mean, _ = _mean_curve(hs, key)
            ax.plot(epochs, mean, marker=".", label=key.split("/")[1])
        ax.set(title=label, xlabel="epoch", ylim=(0, 90))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(items):]:
        ax.axis("off")
    for row_axes in axes:
        row_axes[0].set_ylabel("angle with BP gradient (°)")
    fig.tight_layout()
    save_figure_atomic(fig, path)
    plt.close(fig)
    return True


# -- the report ----------------------------------------------------------------------------------
def write_report(name: str, source: str, out_dir: Path, rows: list[dict], agg: list[dict],
                 note: str = "") -> Path:
    """Write ``plots/*.png``, report.md and report.html into ``out_dir``; return the Markdown report's path."""
    out_dir = Path(out_dir)
    plots_dir = out_dir / PLOTS_DIR
    plots_dir.mkdir(parents=True, exist_ok=True)
    histories = _histories(rows, out_dir)
    plots = []
    for file, title, made in (
            ("accuracy_vs_energy.png", "Accuracy vs energy per profile", lambda p: plot_accuracy_vs_energy(agg, p)),
            ("learning_curves.png", "Learning curves per rule", lambda p: plot_learning_curves(rows, histories, p)),
            ("alignment_angles.png", "Alignment angles with the BP gradient", lambda p: plot_alignment(rows, histories, p))):
        if made(plots_dir / file):
            plots.append((title, f"{PLOTS_DIR}/{file}"))
    counts = {s: sum(r["status"] == s for r in rows) for s in STATUS_ORDER}
    status_line = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no trials"
    comparison = comparison_table(agg)
    trials = trials_table(rows)
    problems = [[r["trial_id"], r["status"], r["message"]] for r in rows if r["status"] in (DIVERGED, FAILED)]
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    intro = (f"Sweep file `{source}`, {len(rows)} trials: {status_line}. Written {stamp}. Groups are the "
             "trials that differ only in their seed: mean ± sample standard deviation over the group's "
             "completed trials. Accuracy at best validation: test accuracy at the epoch of best validation "
             "accuracy (Meulemans et al. 2020). Train time: sum of the epochs' training seconds; trial time: "
             "wall seconds of the trial's attempts (data loading, evaluation, diagnostics, files included).")
    md = [f"# Sweep {name}", "", intro + (f" {note}" if note else ""), "", "## Comparison", "",
          markdown_table(*comparison), ""]
    for title, rel in plots:
        md += [f"## {title}", "", f"![{title}]({rel})", ""]
    if problems:
        md += ["## Diverged and failed trials", "", markdown_table(["trial", "status", "message"], problems), ""]
    md += ["## Trials", "", markdown_table(*trials), "",
           "Tables: `results.csv`/`results.jsonl` (one row per trial), `aggregate.csv`/`aggregate.jsonl` "
           "(one row per group); run directories: `trials/TRIAL_ID/`.", ""]
    write_text_atomic(out_dir / REPORT_MD, "\n".join(md))

    def img(rel: str) -> str:
        data = base64.b64encode((out_dir / rel).read_bytes()).decode()
        return f'<img alt="{html.escape(rel)}" src="data:image/png;base64,{data}">'

    body = [f"<h1>Sweep {html.escape(name)}</h1>", f"<p>{html.escape(intro + (' ' + note if note else ''))}</p>",
            "<h2>Comparison</h2>", html_table(*comparison)]
    for title, rel in plots:
        body += [f"<h2>{html.escape(title)}</h2>", img(rel)]
    if problems:
        body += ["<h2>Diverged and failed trials</h2>", html_table(["trial", "status", "message"], problems)]
    body += ["<h2>Trials</h2>", html_table(*trials)]
    style = ("body{font-family:sans-serif;max-width:1400px;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse;margin:1em 0;font-size:90%}"
             "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#eee}"
             "td:first-child{text-align:left}img{max-width:100%}")
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Sweep {html.escape(name)}</title>"
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")
    write_text_atomic(out_dir / REPORT_HTML, page)
    return out_dir / REPORT_MD
