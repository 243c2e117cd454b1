"""PNG plots of a run: learning curves, per-layer alignment angles and, for the spiking engines, spike
rasters and firing-rate histograms (matplotlib, Agg backend)."""
from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np

from ..atomic_files import save_figure_atomic

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot_learning_curves(history: list[dict], path: Path, title: str = "") -> None:
    epochs = [r["epoch"] for r in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    for split in ("train", "val", "test"):
        if any(r.get(f"{split}_loss") is not None for r in history):
            ax_loss.plot(epochs, [r.get(f"{split}_loss") for r in history], marker=".", label=split)
            ax_acc.plot(epochs, [100 * (r.get(f"{split}_acc") or 0) for r in history], marker=".", label=split)
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.legend()
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    save_figure_atomic(fig, path)
    plt.close(fig)


def plot_alignment_angles(history: list[dict], path: Path, title: str = "") -> bool:
    """One panel per reference (BP, GN, GNT; for a spiking run also its own weight changes vs BP and vs the rate
    rule), one line per layer. Returns False if there is nothing to plot."""
    refs = [("angle_bp", "vs BP gradient"), ("angle_gn", "vs damped GN update"), ("angle_gnt", "vs GN-target update"),
            ("angle_spiking_bp", "spiking change vs BP gradient"), ("angle_spiking_rule", "spiking change vs rate rule")]
    keys = sorted({k for r in history for k in r if k.startswith("angle_")})
    refs = [(ref, label) for ref, label in refs if any(k.startswith(ref + "/") for k in keys)]
    if not refs:
        return False
    epochs = [r["epoch"] for r in history]
    fig, axes = plt.subplots(1, len(refs), figsize=(5 * len(refs), 4), sharey=True, squeeze=False)
    axes = axes[0]
    for ax, (ref, label) in zip(axes, refs):
        for key in (k for k in keys if k.startswith(ref + "/")):
            ax.plot(epochs, [r.get(key) for r in history], marker=".", label=key.split("/")[1])
        ax.set(xlabel="epoch", title=label, ylim=(0, 90))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("angle (degrees)")
    fig.suptitle(title)
    fig.tight_layout()
    save_figure_atomic(fig, path)
    plt.close(fig)
    return True


def plot_spike_rasters(samples: list[dict[str, np.ndarray]], dt: float, path: Path, title: str = "",
                       max_neurons: int = 100) -> None:
    """Spike rasters of a spiking engine's free phase: one column per sample, one row per population
    (spike counts per step, shape (steps, neurons); at most ``max_neurons`` neurons drawn per population)."""
    populations = list(samples[0])
    fig, axes = plt.subplots(len(populations), len(samples), figsize=(4 * len(samples), 1.6 * len(populations)),
                             sharex=True, squeeze=False)
    for col, trains in enumerate(samples):
        for row, name in enumerate(populations):
            counts = trains[name][:, :max_neurons]
            steps, neurons = np.nonzero(counts)
            ax = axes[row, col]
            ax.scatter(1e3 * steps * dt, neurons, s=1.5, marker="|", color="k")
            ax.set(ylim=(-0.5, max(counts.shape[1], 1) - 0.5))
            if col == 0:
                ax.set_ylabel(f"{name}\nneuron", fontsize=8)
            if row == 0:
                ax.set_title(f"sample {col}", fontsize=9)
    for ax in axes[-1]:
        ax.set_xlabel("time (ms)")
    fig.suptitle(title)
    fig.tight_layout()
    save_figure_atomic(fig, path)
    plt.close(fig)


def plot_spike_rates(samples: list[dict[str, np.ndarray]], dt: float, path: Path, title: str = "") -> None:
    """Histogram per population of the neurons' firing rates (Hz) over the given samples' free phases."""
    populations = list(samples[0])
    fig, axes = plt.subplots(1, len(populations), figsize=(3.2 * len(populations), 3), squeeze=False)
    for ax, name in zip(axes[0], populations):
        counts = np.concatenate([trains[name] for trains in samples])
        rates = counts.sum(axis=0) / (len(counts) * dt)
        ax.hist(rates, bins=30, color="tab:blue")
        ax.set(xlabel="rate (Hz)", title=f"{name} (mean {rates.mean():.0f} Hz)")
    axes[0][0].set_ylabel("neurons")
    fig.suptitle(title)
    fig.tight_layout()
    save_figure_atomic(fig, path)
    plt.close(fig)


PHASE_COLOURS = {"settle": "0.92", "average": "tab:blue", "noise": "tab:orange", "resettle": "0.92", "nudge": "tab:green"}


def plot_sample_phases(recording, path: Path, title: str = "", max_neurons: int = 60) -> None:
    """One training sample through its phases (a spiking engine's PhaseRecording): a raster per population (at
    most ``max_neurons`` drawn; the ON and OFF halves of the error and difference coders in two colours), then the
    apical signal A = t_i - h_i of the recorded hidden neurons of each layer; the phases shaded and labelled."""
    spikes, apical, dt = recording.spikes, recording.apical, recording.dt
    rows = list(spikes) + [f"apical {name}" for name in apical]
    fig, axes = plt.subplots(len(rows), 1, figsize=(11, 1.3 * len(rows) + 1), sharex=True, squeeze=False)
    axes = axes[:, 0]
    for ax, name in zip(axes, rows):
        for label, first, end in recording.phases:
            colour = PHASE_COLOURS.get(label.split()[0], "0.9")
            ax.axvspan(1e3 * first * dt, 1e3 * end * dt, color=colour, alpha=0.12, lw=0)
            ax.axvline(1e3 * first * dt, color="0.6", lw=0.5)
        if name in spikes:
            counts = spikes[name]
            paired = name == "error" or name.startswith("difference")
            n = counts.shape[1]
            shown = np.r_[0:min(n // 2, max_neurons // 2), n // 2:n // 2 + min(n // 2, max_neurons // 2)] if paired \
                else np.arange(min(n, max_neurons))
            steps, neurons = np.nonzero(counts[:, shown])
            colours = np.where(shown[neurons] < n // 2, "tab:red", "tab:blue") if paired else "k"
            ax.scatter(1e3 * steps * dt, neurons, s=2, marker="|", c=colours)
            ax.set_ylabel(f"{name}\n({'ON red, OFF blue' if paired else 'neuron'})", fontsize=7)
        else:
            trace = apical[name.removeprefix("apical ")]
            ax.plot(1e3 * np.arange(len(trace)) * dt, trace, lw=0.8)
            ax.axhline(0.0, color="0.5", lw=0.5)
            ax.set_ylabel(f"{name}\nA = t - h", fontsize=7)
    for label, first, end in recording.phases:
        axes[0].text(1e3 * (first + end) / 2 * dt, 1.02, label, transform=axes[0].get_xaxis_transform(),
                     ha="center", va="bottom", fontsize=6, rotation=90 if end - first < 0.06 * len(spikes[rows[0]]) else 0)
    axes[-1].set_xlabel("time in the sample (ms)")
    fig.suptitle(title, y=1.0)
    fig.tight_layout()
    save_figure_atomic(fig, path)
    plt.close(fig)
