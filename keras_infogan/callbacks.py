"""Keras callbacks for InfoGAN runs: traversal pictures, clustering scores, wall time."""

from __future__ import annotations

import time
from pathlib import Path

import keras
import numpy as np

from keras_infogan.data import unscale_images
from keras_infogan.evaluation.categorical import categorical_reports
from keras_infogan.pictures import save_png, traversal_figure


def traversal_picture(model, noise: np.ndarray):
    """The paper's Figure 2 panels for `model` (a PIL image), with fixed noise [rows, noise_dim]."""
    code_kinds = [(code.name, code.kind, code.input_dim) for code in model.latent_spec.codes]
    return traversal_figure(lambda z, codes: unscale_images(model.generate(z, codes)).numpy(),
                            noise, code_kinds)


class TraversalPictures(keras.callbacks.Callback):
    """Writes `<out_dir>/traversal_epoch<NNN>.png` after every epoch.

    The noise rows are drawn once (from the model's prior, with `seed`) so the
    pictures of successive epochs are comparable.
    """

    def __init__(self, out_dir: str | Path, rows: int = 10, seed: int = 0):
        super().__init__()
        self.out_dir = Path(out_dir)
        self.rows = rows
        self.seed = seed

    def on_train_begin(self, logs=None):
        self.noise = self.model.latent_spec.sample_noise(self.rows, (self.seed, 1)).numpy()

    def on_epoch_end(self, epoch, logs=None):
        save_png(traversal_picture(self.model, self.noise), self.out_dir / f"traversal_epoch{epoch + 1:03d}.png")


class ClusteringScores(keras.callbacks.Callback):
    """Adds `<prefix>_acc_<code>` and `<prefix>_nmi_<code>` to the epoch logs:
    Hungarian accuracy and NMI of argmax Q(c|x) on labeled images the model does not train on.

    Args:
        images: uint8 [n, H, W, C]; labels: ints [n].
        prefix: log-name prefix, e.g. the split name.
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray, prefix: str = "eval"):
        super().__init__()
        self.images, self.labels, self.prefix = images, labels, prefix

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for name, report in categorical_reports(self.model, self.images, self.labels).items():
            logs[f"{self.prefix}_acc_{name}"] = report.accuracy
            logs[f"{self.prefix}_nmi_{name}"] = report.nmi


class WallClock(keras.callbacks.Callback):
    """Adds `elapsed_s`, seconds since training began, to the epoch logs."""

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["elapsed_s"] = time.perf_counter() - self.start
