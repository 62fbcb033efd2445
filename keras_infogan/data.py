"""The input pipeline: images from any source (`keras_infogan.sources`) as batches for training.

    data = load_images("svhn_cropped", "train", image_shape=(32, 32, 3))   # ImageData
    images, labels = load_arrays("mnist", "test", data_dir="../shared/data/mnist")
    dataset = load_dataset("/data/faces", batch_size=64, image_size=32, channels=1)

A source is a TFDS name ("mnist", "fashion_mnist", "svhn_cropped", "celeb_a",
"cifar10", ...), a folder of images (subfolder names are labels), a folder of IDX
files, NumPy arrays `images` or `(images, labels)`, or a `tf.data.Dataset`; see
`keras_infogan.sources.read_source`. `("mnist", data_dir=FOLDER)` with the MNIST
IDX files in FOLDER reads those files (the offline path).

Split strings follow TFDS syntax: `"train"`, `"test"`, `"train[:17690]"`,
`"train[:90%]"`, `"test[10%:]"` (see `keras_infogan.sources.splits`).

Images are uint8 [N, H, W, C] in memory and float32 [B, H, W, C] in [-1, 1] (the
generator's tanh range) in the `tf.data` pipeline; labels are int64.
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np
import tensorflow as tf

from keras_infogan.sources import ImageData, read_source
from keras_infogan.sources.known import KNOWN_DATASETS, KnownDataset

# The datasets known by name (num_classes, image_shape, ...); reading needs no entry here.
DATASETS: dict[str, KnownDataset] = KNOWN_DATASETS
DatasetInfo = KnownDataset


def scale_images(images: np.ndarray | tf.Tensor) -> tf.Tensor:
    """Maps uint8 pixels [..., H, W, C] in 0..255 to float32 in [-1, 1] (x / 127.5 - 1)."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def unscale_images(images: np.ndarray | tf.Tensor) -> tf.Tensor:
    """Maps images [..., H, W, C] in [-1, 1] to float32 in [0, 1] ((x + 1) / 2, clipped)."""
    return tf.clip_by_value((tf.cast(images, tf.float32) + 1.0) / 2.0, 0.0, 1.0)


def load_images(source="mnist", split: str = "train", *, image_shape: Sequence[int | None] | None = None,
                fit: str = "resize", data_dir: str | os.PathLike | None = None, image_feature: str | None = None,
                label_feature: str | None = None) -> ImageData:
    """Loads a whole split into memory: `keras_infogan.sources.read_source`.

    Args:
        source: a TFDS name, a folder of images or of IDX files, arrays `images`
            or `(images, labels)`, or a `tf.data.Dataset`.
        split: TFDS-style split string, e.g. "train", "train[:90%]", "test[:100]".
        image_shape: (H, W, C) to convert every image to (C 1 or 3); None keeps
            the images as stored (they must then share one shape).
        fit: "resize" (centre-crop to the aspect ratio, then resize) or "crop".
        data_dir: with a TFDS name: a folder of its IDX files, or TFDS's data folder.
        image_feature, label_feature: TFDS features to read when there are several
            (label_feature="none": no labels).

    Returns:
        ImageData: images uint8 [N, H, W, C] (N >= 1), labels int64 [N] or None,
        num_classes, class_names and a description.

    Raises:
        ValueError, FileNotFoundError: one message naming the file or the problem.
    """
    return read_source(source, split, data_dir=data_dir, image_shape=image_shape, fit=fit,
                       image_feature=image_feature, label_feature=label_feature)


def load_arrays(source="mnist", split: str = "train", data_dir: str | os.PathLike | None = None,
                image_shape: Sequence[int | None] | None = None,
                fit: str = "resize") -> tuple[np.ndarray, np.ndarray | None]:
    """`load_images(...)` as (images uint8 [N, H, W, C], labels int64 [N] or None)."""
    data = load_images(source, split, image_shape=image_shape, fit=fit, data_dir=data_dir)
    return data.images, data.labels


def load_dataset(source="mnist", split: str = "train", batch_size: int = 64,
                 image_size: int | Sequence[int] | None = None, channels: int | None = None,
                 data_dir: str | os.PathLike | None = None, fit: str = "resize", shuffle: bool = True,
                 seed: int | None = None, drop_remainder: bool = True, with_labels: bool = False,
                 repeat: bool = False, deterministic: bool = True) -> tf.data.Dataset:
    """Builds a batched `tf.data` pipeline over one split (see `load_images` for the source args).

    Args:
        batch_size: examples per batch, at least 1.
        image_size: height and width to convert images to, an int (square) or
            (H, W); None keeps the stored size.
        channels: 1 or 3 to convert images to; None keeps the stored channels.
        fit: how `image_size` is reached: "resize" or "crop".
        shuffle: reshuffle the whole split every epoch.
        seed: shuffle seed; the same seed gives the same order of epochs.
        drop_remainder: drop the last partial batch (keeps the batch dim static).
        with_labels: yield (images, labels) instead of images (the data needs labels).
        repeat: repeat forever; each pass over the split is a new shuffle.
        deterministic: yield batches in order (tf.data `Options.deterministic`), so
            `seed` fixes the order; False lets the parallel scaling of batches
            finish out of order (it never waits for a slow batch).

    Returns:
        A dataset of float32 images [B, H, W, C] in [-1, 1], or of
        (images, int64 labels [B]) when `with_labels`. Its auto-shard policy is
        DATA, for use with `tf.distribute`: every worker reads the same shuffled
        batches (same seed) and keeps its own slice of each, so a multi-worker run
        needs a seed.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    if isinstance(image_size, (int, np.integer)):
        image_size = (image_size, image_size)
    if image_size is not None and len(image_size) != 2:
        raise ValueError(f"image_size must be an int or (height, width), got {image_size!r}.")
    image_shape = None if image_size is None and channels is None else (*(image_size or (None, None)), channels)
    data = load_images(source, split, image_shape=image_shape, fit=fit, data_dir=data_dir)
    if with_labels and data.labels is None:
        raise ValueError(f"with_labels=True, but {data.description} has no labels.")
    if drop_remainder and len(data.images) < batch_size:
        raise ValueError(
            f"{data.description} has {len(data.images)} examples, fewer than one batch of batch_size={batch_size} "
            f"(drop_remainder=True); use a smaller batch_size.")
    return _pipeline(data.images, data.labels, batch_size=batch_size, shuffle=shuffle, seed=seed,
                     drop_remainder=drop_remainder, with_labels=with_labels, repeat=repeat,
                     deterministic=deterministic)


_PARALLEL_BATCHES = 2  # batches scaled at once
_PREFETCH_BATCHES = 2  # batches ready ahead of the training step


def _pipeline(images: np.ndarray, labels: np.ndarray | None, *, batch_size: int, shuffle: bool,
              seed: int | None, drop_remainder: bool, with_labels: bool,
              repeat: bool, deterministic: bool = True) -> tf.data.Dataset:
    """uint8 images [N, H, W, C] and int64 labels [N] -> batched, scaled dataset.

    The source tensors already live in memory, so there is nothing worth
    `cache()`-ing; images stay uint8 through the shuffle buffer (4x smaller than
    float32) and are scaled once per batch, which is cheaper than per example;
    `prefetch` prepares the next batches while a step runs
    (`benchmarks/throughput.py` measures how long steps wait for data).

    tf.data's autotuning is off and the parallelism fixed: its optimisation thread
    sleeps in doubling periods (10 ms, 20 ms, ... 10.24 s, ...), and deleting an
    iterator, which `fit` does at the end of every epoch, waits for the current
    sleep to end. That rounded every epoch up to a multiple of ~10 s (measured: 30,
    60 and 90 steps took 10.2, 10.2 and 20.5 s), while this pipeline needs well
    under 1% of a step's time.
    """
    ds = tf.data.Dataset.from_tensor_slices((images, labels) if with_labels else images)
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    if with_labels:
        ds = ds.map(lambda x, y: (scale_images(x), y), num_parallel_calls=_PARALLEL_BATCHES)
    else:
        ds = ds.map(scale_images, num_parallel_calls=_PARALLEL_BATCHES)
    return ds.prefetch(_PREFETCH_BATCHES).with_options(pipeline_options(deterministic))


def pipeline_options(deterministic: bool = True) -> tf.data.Options:
    """Options of every training pipeline: autotune off (see `_pipeline`), DATA
    auto-sharding for `tf.distribute`, and `deterministic` output order."""
    options = tf.data.Options()
    options.autotune.enabled = False
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    options.deterministic = deterministic
    return options
