"""Checkpoints of everything that determines the next training step, and the callback that writes them.

A checkpoint holds, as one `tf.train.Checkpoint`:

* every model variable: both networks' and both heads' weights and batch-norm statistics;
* both optimizers' state (iteration counters, Adam moments; loss scale under mixed precision);
* the running means of the epoch's metrics (so a mid-epoch resume logs the same epoch row);
* a JSON string with the global step, the epoch, the steps per epoch, and the state of
  the stateful callbacks (the wall clock, the unflushed window of the L_I curve).

The input pipeline's position needs no state of its own: `keras_infogan.stream` makes
the batch of every global step a pure function of (seed, step).

Why not `keras.callbacks.BackupAndRestore`: it overwrites `latest.weights.h5` in place
(a crash mid-write corrupts it), it records the batch but always restarts the epoch,
it restores only `model.optimizer` (an InfoGAN has two optimizers and no
`model.optimizer`), and it saves no metric or pipeline state. `tf.train.CheckpointManager` does the atomic part: the data files are
complete before its `checkpoint` index file (written to a temporary file and renamed)
names them, so a crash mid-write leaves the previous checkpoint as the latest; it
also keeps the last K. This module adds what it lacks: the choice of variables, the
metadata, a finite-weights check before every write, and falling back to an older
checkpoint when the newest one is unreadable.
"""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

CHECKPOINT_DIR = "checkpoints"
FORMAT_VERSION = 1


class NonFiniteError(ValueError):
    """Training produced a non-finite loss or weight; nothing was saved from that state."""


def checkpointed_variables(model) -> dict:
    """{name: tf.Variable} of everything in an InfoGAN's checkpoint (see the module docstring).

    Optimizer variables are named without the optimizer's own name ("adam_1/..."),
    which depends on how many optimizers the process created before.
    """
    groups = {"model": model.weights, "metrics": model.metrics_variables,
              "d_optimizer": model.d_optimizer.variables, "g_optimizer": model.g_optimizer.variables}
    named = {}
    for group, variables in groups.items():
        for variable in variables:
            path = variable.path if group in ("model", "metrics") else variable.path.split("/", 1)[-1]
            key = f"{group}/{path}"
            if key in named:
                raise ValueError(f"two variables share the checkpoint name {key!r}")
            named[key] = variable.value
    return named


def first_non_finite(model) -> str | None:
    """The path of the first model or optimizer variable holding NaN or Inf, else None."""
    for name, variable in checkpointed_variables(model).items():
        value = np.asarray(variable.numpy())
        if np.issubdtype(value.dtype, np.floating) and not np.isfinite(value).all():
            return name
    return None


def check_finite_weights(model, step: int) -> None:
    """Raise `NonFiniteError` naming `step` and the variable if any variable is NaN or Inf."""
    bad = first_non_finite(model)
    if bad is not None:
        raise NonFiniteError(f"training diverged by step {step}: variable {bad} holds NaN or Inf; nothing was "
                             f"saved from it (the last checkpoint stays; try lower learning rates)")


class RunCheckpoints:
    """Writes and restores an InfoGAN's training state in `directory` (keeps the last `keep`).

    Args:
        directory: folder of the checkpoint files and their `checkpoint` index.
        model: a compiled InfoGAN (its optimizers' variables must exist).
        keep: how many of the newest checkpoints to keep, at least 1.

    Example:
        checkpoints = RunCheckpoints("runs/mnist/checkpoints", model)
        checkpoints.save(step=500, meta={"epoch": 3})
        meta = checkpoints.restore_latest()     # None when there is none
    """

    def __init__(self, directory: str | Path, model, keep: int = 2):
        if keep < 1:
            raise ValueError(f"keep must be at least 1, got {keep}")
        self.directory = Path(directory)
        self.model = model
        with tf.init_scope():
            self._meta = tf.Variable("", dtype=tf.string, trainable=False)
        self._checkpoint = tf.train.Checkpoint(variables=checkpointed_variables(model), meta=self._meta)
        self._checkpoint.save_counter  # noqa: B018  created now, so that assert_consumed() can match it
        self._manager = tf.train.CheckpointManager(self._checkpoint, str(self.directory), max_to_keep=keep,
                                                   checkpoint_name="ckpt")

    def save(self, step: int, meta: dict) -> str:
        """Write the model's state at global step `step` with `meta` (JSON-able); return the prefix.

        Raises:
            NonFiniteError: a weight or optimizer variable is NaN or Inf (nothing is written).
            OSError: the folder cannot be written (full disk, read-only); the previous
                checkpoints are untouched.
        """
        check_finite_weights(self.model, step)
        self._meta.assign(json.dumps(dict(meta, step=int(step), format=FORMAT_VERSION)))
        try:
            return self._manager.save(checkpoint_number=int(step))
        except (tf.errors.OpError, OSError) as error:
            raise OSError(f"cannot write a checkpoint to {self.directory} ({_first_line(error)}); "
                          f"the previous checkpoint is intact") from error

    def restore_latest(self, directory: str | Path | None = None, log=print) -> dict | None:
        """Restore the newest readable checkpoint in `directory` (default: this one's); return its meta.

        A checkpoint that cannot be read (corrupt, truncated, or from another model)
        is reported through `log` and the next older one is tried.

        Returns:
            The metadata dict saved with it, or None when the folder has no checkpoint.

        Raises:
            ValueError: there are checkpoints but none of them can be restored.
        """
        directory = Path(directory or self.directory)
        state = tf.train.get_checkpoint_state(str(directory))
        prefixes = list(state.all_model_checkpoint_paths) if state else []
        problems = []
        for prefix in reversed(prefixes):
            try:
                self._checkpoint.read(prefix).assert_consumed()
                return json.loads(self._meta.numpy().decode())
            except (tf.errors.OpError, AssertionError, ValueError) as error:
                problems.append(f"{prefix}: {_first_line(error)}")
                log(f"checkpoint {prefix} cannot be restored ({_first_line(error)}); trying an older one")
        if problems:
            raise ValueError(f"no checkpoint in {directory} can be restored: " + "; ".join(problems))
        return None


def has_checkpoint(directory: str | Path) -> bool:
    """Whether `directory` has a checkpoint index naming at least one checkpoint."""
    state = tf.train.get_checkpoint_state(str(directory)) if Path(directory).is_dir() else None
    return bool(state and state.all_model_checkpoint_paths)


class _StepCallback(keras.callbacks.Callback):
    """Knows the global step (1-based count of finished steps) at every batch end."""

    def __init__(self, steps_per_epoch: int):
        super().__init__()
        self.steps_per_epoch, self.epoch = steps_per_epoch, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def global_step(self, batch: int) -> int:
        return self.epoch * self.steps_per_epoch + batch + 1


class Checkpointer(_StepCallback):
    """Saves a checkpoint after every epoch and, with `every_steps`, every that many steps.

    Put it after the callbacks that log an epoch, so that a checkpoint is written only
    once its epoch's rows are. `stateful` maps names to callbacks with
    `get_state()`/`set_state()`; their states go into every checkpoint's metadata.

    Args:
        checkpoints: where to write.
        steps_per_epoch: training steps in one epoch.
        every_steps: also save every this many global steps (0: at epoch ends only).
        stateful: {name: callback} whose state is saved with each checkpoint.
    """

    def __init__(self, checkpoints: RunCheckpoints, steps_per_epoch: int, every_steps: int = 0,
                 stateful: dict | None = None):
        super().__init__(steps_per_epoch)
        if every_steps < 0:
            raise ValueError(f"every_steps must be >= 0, got {every_steps}")
        self.checkpoints, self.every_steps = checkpoints, every_steps
        self.stateful = dict(stateful or {})

    def on_train_batch_end(self, batch, logs=None):
        step = self.global_step(batch)
        if self.every_steps and step % self.every_steps == 0 and batch + 1 < self.steps_per_epoch:
            self.save(step)

    def on_epoch_end(self, epoch, logs=None):
        self.save((epoch + 1) * self.steps_per_epoch)

    def save(self, step: int) -> str:
        meta = {"epoch": step // self.steps_per_epoch, "steps_per_epoch": self.steps_per_epoch,
                "callbacks": {name: callback.get_state() for name, callback in self.stateful.items()}}
        return self.checkpoints.save(step, meta)


class FiniteGuard(_StepCallback):
    """Stops training with `NonFiniteError` at the first step whose losses are NaN or Inf.

    The epoch's running means become non-finite at the first non-finite step, so
    checking them after every step names that step. Weights that turn non-finite
    make the next step's losses non-finite; they are also checked at every epoch
    end (put this callback first: before anything logs or pictures the epoch) and
    by `RunCheckpoints.save` before every write.
    """

    def __init__(self, steps_per_epoch: int, names=("d_loss", "g_loss", "info_loss")):
        super().__init__(steps_per_epoch)
        self.names = tuple(names)

    def on_train_batch_end(self, batch, logs=None):
        for name in self.names:
            value = float(np.ravel(np.asarray((logs or {}).get(name, 0.0)))[0])
            if not np.isfinite(value):
                raise NonFiniteError(
                    f"training diverged at step {self.global_step(batch)} (epoch {self.epoch + 1}, batch {batch + 1}): "
                    f"{name} is {value}; the run stopped before saving anything from it (the last "
                    f"checkpoint stays; try lower learning rates)")

    def on_epoch_end(self, epoch, logs=None):
        check_finite_weights(self.model, (epoch + 1) * self.steps_per_epoch)


def _first_line(error: BaseException) -> str:
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__
