"""The training stream: batches as a pure function of (seed, step), so a run can resume anywhere.

`load_dataset` shuffles with tf.data's stateful `shuffle`: the order of epoch e
depends on how many times the dataset was iterated before, so a process that
restarts at epoch e would replay epoch 0's order. Here the order of epoch e is
`stateless_shuffle(range(N), seed=(seed, e))` and global step s is batch
`s % steps_per_epoch` of epoch `s // steps_per_epoch`; `training_stream(...,
start_step=s)` therefore yields exactly the batches an uninterrupted run sees
from step s on. The last `N % batch_size` images of each epoch's order are
left out (as `drop_remainder=True`), different ones every epoch.

    stream = training_stream(images, batch_size=128, seed=0, start_step=1000, total_steps=7650)
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from keras_infogan.data import pipeline_options, scale_images

_PARALLEL_BATCHES = 2  # batches gathered and scaled at once
_PREFETCH_BATCHES = 2  # batches ready ahead of the training step


def steps_per_epoch(num_images: int, batch_size: int) -> int:
    """Full batches in one pass over `num_images` (the remainder is dropped).

    Raises:
        ValueError: fewer images than one batch.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    if num_images < batch_size:
        raise ValueError(f"the training split has {num_images} examples, fewer than one batch of "
                         f"batch_size={batch_size}; use a smaller batch_size.")
    return num_images // batch_size


def epoch_order(num_images: int, seed: int, epoch: int | tf.Tensor) -> tf.Tensor:
    """The permutation [num_images] of image indices that epoch `epoch` visits."""
    epoch_seed = tf.stack([tf.constant(seed, tf.int64), tf.cast(epoch, tf.int64)])
    return tf.random.experimental.stateless_shuffle(tf.range(num_images, dtype=tf.int64), seed=epoch_seed)


def training_stream(images: np.ndarray, batch_size: int, seed: int, start_step: int = 0,
                    total_steps: int | None = None, deterministic: bool = True) -> tf.data.Dataset:
    """Float32 batches [batch_size, H, W, C] in [-1, 1] for global steps start_step, start_step + 1, ...

    Args:
        images: uint8 [N, H, W, C], the whole training split.
        batch_size: images per step (the global batch under tf.distribute).
        seed: fixes the order of every epoch.
        start_step: the first global step to yield (0: from the start).
        total_steps: stop after this global step count (None: never stop).
        deterministic: batches come out in step order (needed for exact resume);
            False lets parallel preparation finish out of order.

    Returns:
        A `tf.data.Dataset` with the same options as `load_dataset` (autotune off,
        DATA auto-sharding: every worker of a multi-worker run reads the same
        batches and keeps its slice).
    """
    if start_step < 0:
        raise ValueError(f"start_step must be >= 0, got {start_step}")
    num_images = len(images)
    per_epoch = steps_per_epoch(num_images, batch_size)
    first_epoch, skip = divmod(start_step, per_epoch)
    pixels = tf.constant(images)

    def epoch_batches(epoch):
        order = epoch_order(num_images, seed, epoch)[:per_epoch * batch_size]
        return tf.data.Dataset.from_tensor_slices(tf.reshape(order, [per_epoch, batch_size]))

    epochs = tf.data.Dataset.range(first_epoch, tf.int64.max)
    ds = epochs.flat_map(epoch_batches).skip(skip)  # skips index rows only: no pixels are touched
    if total_steps is not None:
        ds = ds.take(max(total_steps - start_step, 0))
    ds = ds.map(lambda rows: scale_images(tf.gather(pixels, rows)), num_parallel_calls=_PARALLEL_BATCHES)
    return ds.prefetch(_PREFETCH_BATCHES).with_options(pipeline_options(deterministic))
