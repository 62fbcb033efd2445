"""Picking a `tf.distribute.Strategy`, and which process of a cluster writes files.

    strategy = make_strategy("auto")       # MirroredStrategy on >1 GPU, else the default
    with strategy.scope():
        model = InfoGAN(); model.compile()  # every variable is created under the scope
    model.fit(dataset)                      # the model remembers its strategy

Names (the `--strategy` flag):

* "auto": `MirroredStrategy` over all local GPUs when there are at least two,
  else the default strategy (one CPU or one GPU).
* "default": the default (no-op) strategy: one device.
* "mirrored": `MirroredStrategy` over all local GPUs (or the CPU when there are none).
* "multiworker": `MultiWorkerMirroredStrategy`; the cluster and this process's
  task come from the `TF_CONFIG` environment variable. Create it before anything
  else touches TensorFlow (`train()` does so first).
* "tpu": `TPUStrategy` over the TPU found by `TPUClusterResolver` (which reads
  `TPU_NAME` or the Cloud TPU VM's metadata).

Under multi-worker training every worker runs the same program, and writing
files is the chief's job: `is_chief()` tells a process whether it is the chief,
and `chief_dir(path)` gives the chief `path` and any other worker a throw-away
temporary folder, so that all workers still run the same (collective) code.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import tensorflow as tf

from keras_infogan.configs import STRATEGIES


def make_strategy(name: str = "auto") -> tf.distribute.Strategy:
    """The strategy called `name` (one of `STRATEGIES`, described in the module docstring).

    Raises:
        ValueError: unknown name, or "tpu" when no TPU can be found.
    """
    if name not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {name!r}")
    if name == "auto":
        gpus = tf.config.list_logical_devices("GPU")
        return tf.distribute.MirroredStrategy() if len(gpus) > 1 else tf.distribute.get_strategy()
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multiworker":
        if not os.environ.get("TF_CONFIG"):
            raise ValueError("strategy 'multiworker' needs the TF_CONFIG environment variable "
                             "(the cluster's workers and this process's task)")
        return tf.distribute.MultiWorkerMirroredStrategy()
    return _tpu_strategy()


def _tpu_strategy() -> tf.distribute.TPUStrategy:
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, RuntimeError, tf.errors.OpError) as error:
        raise ValueError(f"strategy 'tpu' found no TPU ({error}); set TPU_NAME or run on a "
                         f"Cloud TPU VM, or choose another --strategy") from error
    return tf.distribute.TPUStrategy(resolver)


def resolve_strategy(strategy: tf.distribute.Strategy | str | None) -> tf.distribute.Strategy:
    """A strategy object from an object, a name, or None (the strategy in scope, else the default)."""
    if strategy is None:
        return tf.distribute.get_strategy()
    if isinstance(strategy, str):
        return make_strategy(strategy)
    if not isinstance(strategy, tf.distribute.Strategy):
        raise TypeError(f"strategy must be a tf.distribute.Strategy or one of {STRATEGIES}, got {strategy!r}")
    return strategy


def is_chief(strategy: tf.distribute.Strategy | None = None) -> bool:
    """Whether this process writes the run's files.

    The task comes from the strategy's cluster resolver when it has one, else from
    `TF_CONFIG`; without either (one process) this is the chief. The chief is task
    "chief" when the cluster has one, else worker 0; evaluators and parameter
    servers are never the chief.
    """
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is not None and getattr(resolver, "task_type", None):
        cluster = resolver.cluster_spec().as_dict()
        return _chief_task(cluster, resolver.task_type, resolver.task_id)
    config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    task = config.get("task") or {}
    if not task.get("type"):
        return True
    return _chief_task(config.get("cluster") or {}, task["type"], int(task.get("index", 0)))


def _chief_task(cluster: dict, task_type: str, task_id: int | None) -> bool:
    if task_type == "chief":
        return True
    return task_type == "worker" and not cluster.get("chief") and (task_id or 0) == 0


@contextlib.contextmanager
def chief_dir(path: str | os.PathLike, strategy: tf.distribute.Strategy | None = None) -> Iterator[Path]:
    """`path` on the chief; on any other worker a temporary folder, deleted on exit.

    Every worker should run the same writing code (saving reads distributed
    variables, which may need all workers), each into the folder this yields.
    """
    if is_chief(strategy):
        yield Path(path)
        return
    scratch = Path(tempfile.mkdtemp(prefix="keras_infogan_worker_"))
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def num_replicas(strategy: tf.distribute.Strategy | None = None) -> int:
    """Replicas that share one global batch."""
    return (strategy or tf.distribute.get_strategy()).num_replicas_in_sync
