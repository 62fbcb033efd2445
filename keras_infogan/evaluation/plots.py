"""matplotlib figures of the evaluation report: L_I curves (the paper's Figure 1)
and confusion matrices. Every function writes a PNG and returns its path."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def read_info_curve(path: str | Path) -> dict[str, np.ndarray]:
    """An `info_curve.csv` (columns step, mi_<code>...) as {column: float array [rows]}."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no L_I curve at {path} (train() writes info_curve.csv)")
    with path.open(newline="") as file:
        rows = list(csv.DictReader(file))
    if not rows:
        raise ValueError(f"{path} has no rows")
    return {column: np.array([float(row[column]) for row in rows]) for column in rows[0]}


def plot_info_curves(curves: dict, entropies: dict[str, float], path: str | Path) -> Path:
    """One panel per code: L_I over training steps for each labelled run in `curves`
    ({label: read_info_curve(...)}, or {label: [one curve per seed, ...]}, drawn in one
    colour) with H(c) dashed (InfoGAN's Figure 1)."""
    if not curves:
        raise ValueError("plot_info_curves needs at least one curve")
    fig, axes = plt.subplots(1, len(entropies), figsize=(4.2 * len(entropies), 3.4), squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for axis, (code, entropy) in zip(axes[0], entropies.items()):
        for index, (label, runs) in enumerate(curves.items()):
            for seed, curve in enumerate(runs if isinstance(runs, (list, tuple)) else [runs]):
                axis.plot(curve["step"], curve[f"mi_{code}"], color=colours[index % len(colours)],
                          label=label if seed == 0 else None, linewidth=1.2, alpha=0.85)
        axis.axhline(entropy, color="gray", linestyle="--", linewidth=1, label=f"H({code}) = {entropy:.2f}")
        axis.set_title(f"L_I of {code}")
        axis.set_xlabel("training step")
        axis.set_ylabel("nats")
        axis.legend(fontsize=8)
    return _save(fig, path)


def plot_confusion(confusion: np.ndarray, path: str | Path, title: str,
                   columns: list | None = None) -> Path:
    """Heat map of counts [classes, clusters] (rows: true label) with the counts written in."""
    confusion = np.asarray(confusion)
    fig, axis = plt.subplots(figsize=(0.45 * confusion.shape[1] + 2.2, 0.45 * confusion.shape[0] + 1.6))
    axis.imshow(confusion, cmap="Blues")
    threshold = confusion.max() / 2 if confusion.size else 0
    for (row, col), count in np.ndenumerate(confusion):
        axis.text(col, row, str(count), ha="center", va="center", fontsize=7,
                  color="white" if count > threshold else "black")
    axis.set_xticks(range(confusion.shape[1]), columns if columns is not None else range(confusion.shape[1]),
                    fontsize=8)
    axis.set_yticks(range(confusion.shape[0]), range(confusion.shape[0]), fontsize=8)
    axis.set_xlabel("cluster, labelled by its matched class (-: empty)")
    axis.set_ylabel("true class")
    axis.set_title(title, fontsize=10)
    return _save(fig, path)


def _save(fig, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
