"""Keras callbacks for InfoGAN runs: traversal pictures, clustering scores, the L_I
curve, wall time, TensorBoard logs."""

from __future__ import annotations

import csv
import importlib.util
import numbers
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from keras_infogan.evaluation.categorical import categorical_reports
from keras_infogan.pictures import save_png, traversal_picture


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
    """Adds `<prefix>_acc_<code>`, `<prefix>_nmi_<code>` and `<prefix>_ari_<code>` to the
    epoch logs: Hungarian accuracy, NMI and ARI of argmax Q(c|x) on labeled images the
    model does not train on, and `<prefix>_images`, how many images they were scored on.

    Scoring 10,000 MNIST images took 1.5 to 2.8 s on 2 CPU cores (4-6% of a default
    epoch; `benchmarks/epoch_cost.py`), so epochs before the last are scored on a fixed random sample of
    `sample` images (2,000: a standard error of about 0.7 points at 90% accuracy)
    and the last epoch on all of them.

    Args:
        images: uint8 [n, H, W, C]; labels: ints [n].
        prefix: log-name prefix, e.g. the split name.
        sample: images scored after epochs before the last (the same ones every
            epoch); 0 or at least n: all, every epoch.
        seed: picks the sample.
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray, prefix: str = "eval", sample: int = 2000,
                 seed: int = 0):
        super().__init__()
        if sample < 0:
            raise ValueError(f"sample must be >= 0, got {sample}")
        self.images, self.labels, self.prefix = images, labels, prefix
        self.sample = np.sort(np.random.default_rng(seed).choice(len(images), sample, replace=False)) \
            if 0 < sample < len(images) else None

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        last = epoch + 1 >= (self.params or {}).get("epochs", epoch + 1)
        images, labels = (self.images, self.labels) if last or self.sample is None \
            else (self.images[self.sample], self.labels[self.sample])
        for name, report in categorical_reports(self.model, images, labels).items():
            logs[f"{self.prefix}_acc_{name}"] = report.accuracy
            logs[f"{self.prefix}_nmi_{name}"] = report.nmi
            logs[f"{self.prefix}_ari_{name}"] = report.ari
        logs[f"{self.prefix}_images"] = len(images)


class WallClock(keras.callbacks.Callback):
    """Adds `elapsed_s`, seconds of training so far, to the epoch logs.

    `get_state()`/`set_state()` carry the seconds across a resume, so a resumed
    run's clock goes on from its checkpoint (the time lost to a crash is not counted).
    """

    def __init__(self):
        super().__init__()
        self.offset = 0.0

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter() - self.offset

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["elapsed_s"] = time.perf_counter() - self.start

    def get_state(self) -> dict:
        return {"elapsed_s": time.perf_counter() - self.start}

    def set_state(self, state: dict) -> None:
        self.offset = float(state["elapsed_s"])


class InfoCurve(keras.callbacks.Callback):
    """Writes the MI lower bound L_I of each code over training steps to a CSV file
    (the data of the paper's Figure 1): one row per `every` steps with columns
    `step` and `mi_<code>`, the mean of the per-step training bounds in that window.

    Per-step values are recovered from the model's running epoch means, so this
    costs no extra computation: value_k = (k + 1) * mean_k - k * mean_(k-1).
    The unwritten part of the current window is `get_state()`/`set_state()`, so a
    run resumed from a checkpoint writes the same rows as an uninterrupted one.
    """

    def __init__(self, path: str | Path, every: int = 50):
        super().__init__()
        if every < 1:
            raise ValueError(f"every must be >= 1, got {every}")
        self.path, self.every = Path(path), every
        self.window = []

    def on_train_begin(self, logs=None):
        self.names = [f"mi_{name}" for name in self.model.latent_spec.names]
        self.step = int(self.model.d_optimizer.iterations.numpy())  # .numpy(): a MirroredVariable has no int()
        if not self.path.exists():
            with self.path.open("w", newline="") as file:
                csv.writer(file).writerow(["step"] + self.names)

    def on_epoch_begin(self, epoch, logs=None):
        # 0 at the start of an epoch; a resume inside an epoch restores the running means.
        results = self.model.get_metrics_result()
        self.previous_means = np.array([float(results[name]) for name in self.names])

    def on_train_batch_end(self, batch, logs=None):
        means = np.array([float(logs[name]) for name in self.names])
        self.window.append((batch + 1) * means - batch * self.previous_means)
        self.previous_means = means
        self.step += 1
        last_step = (self.params or {}).get("epochs", 0) * ((self.params or {}).get("steps") or 0)
        if len(self.window) == self.every or self.step == last_step:
            self._flush()  # at the last step too: before that step's checkpoint, not after it

    def on_train_end(self, logs=None):
        if self.window:
            self._flush()

    def get_state(self) -> dict:
        return {"window": [list(map(float, values)) for values in self.window]}

    def set_state(self, state: dict) -> None:
        self.window = [np.array(values) for values in state["window"]]

    def _flush(self):
        with self.path.open("a", newline="") as file:
            csv.writer(file).writerow([self.step] + [f"{v:.6f}" for v in np.mean(self.window, axis=0)])
        self.window = []


class TensorBoardLogger(keras.callbacks.Callback):
    """Writes TensorBoard event files to `log_dir` after every epoch: every number in
    the epoch's logs as a scalar of the same name (d_loss, g_loss, info_loss,
    mi_<code>, d_real, d_fake, and eval_acc_<code>, elapsed_s, ... when callbacks
    listed before this one add them) and the traversal picture of
    `TraversalPictures` (same rows and seed) as the image "traversal".

    The step of each summary is the number of training steps so far, as in
    info_curve.csv. Needs the `tensorboard` package (`tf.summary` is implemented
    there); view with `tensorboard --logdir <log_dir>`.
    """

    def __init__(self, log_dir: str | Path, rows: int = 10, seed: int = 0):
        super().__init__()
        if importlib.util.find_spec("tensorboard") is None:
            raise ImportError("TensorBoard logging needs the tensorboard package: pip install tensorboard")
        self.log_dir, self.rows, self.seed = Path(log_dir), rows, seed
        self.writer = None

    def on_train_begin(self, logs=None):
        self.noise = self.model.latent_spec.sample_noise(self.rows, (self.seed, 1)).numpy()
        self.writer = tf.summary.create_file_writer(str(self.log_dir))

    def on_epoch_end(self, epoch, logs=None):
        step = int(self.model.d_optimizer.iterations.numpy())
        picture = np.asarray(traversal_picture(self.model, self.noise).convert("RGB"))
        with self.writer.as_default(step=step):
            for name, value in (logs or {}).items():
                value = np.asarray(value)
                if value.shape == () and isinstance(value.item(), numbers.Real):
                    tf.summary.scalar(name, float(value))
            tf.summary.image("traversal", picture[np.newaxis], description=(
                "the categorical code across columns (one noise draw per row); each continuous "
                "code swept from -2 to 2 across columns, one category per row"))
        self.writer.flush()

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()
            self.writer = None
