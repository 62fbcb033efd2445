"""A training run's folder: one writer at a time; new, resume or refuse; logs rolled back to a checkpoint.

    run = RunFolder("runs/mnist")
    with run.lock():                                   # refuses while another process writes it
        action = run.prepare(config_dict, resume=True, overwrite=False)   # "new" or "resume"
        ...
        run.rollback(step=1500, epochs_done=9)         # drop log rows written after a checkpoint

A folder holding `model.keras` is a finished run; one holding `config.json` and a
checkpoint, an unfinished run. `prepare` resumes an unfinished run with the same
config and refuses everything else that would mix two runs in one folder, naming
why, unless `overwrite` (which deletes only the files a run writes).
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import fnmatch
import io
import json
import os
import shutil
import socket
from pathlib import Path
from typing import Callable, Iterator

import tensorflow as tf

from keras_infogan.atomic import write_atomic, write_text_atomic
from keras_infogan.checkpoints import CHECKPOINT_DIR, has_checkpoint
from keras_infogan.loading import MODEL_FILE
from keras_infogan.xla_choice import XLA_CHOICE_FILE
CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.csv"
INFO_CURVE_FILE = "info_curve.csv"
TENSORBOARD_DIR = "tensorboard"
LOCK_FILE = ".lock"
RESTARTS_FILE = "restarts.json"  # keras_infogan.restarts
STARTS_DIR = "starts"
PARTIAL_FILES = ".*.partial-*"  # half-written files a crash mid-save leaves (keras_infogan.atomic)
# Config fields that do not change what is computed, so they may differ on resume.
RESUMABLE_FIELDS = frozenset({"checkpoint_every_steps", "keep_checkpoints", "eval_images"})
# What train(), evaluate and score write into a run folder; `overwrite` deletes these and nothing else.
RUN_FILES = (CONFIG_FILE, METRICS_FILE, INFO_CURVE_FILE, MODEL_FILE, CHECKPOINT_DIR, TENSORBOARD_DIR,
             "traversal_*.png", "baseline_traversal_*.png", "confusion_*.png", "info_curves.png",
             "report.json", "report.md", XLA_CHOICE_FILE, "anomaly_scorer.npz", "scores_*.csv", RESTARTS_FILE,
             STARTS_DIR, PARTIAL_FILES)


class RunFolderError(ValueError):
    """The run folder cannot be used as asked; the message says why and what to do."""


class RunFolder:
    """The folder of one training run (see the module docstring)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder's write lock (`.lock`, holding the owner's pid and host).

        The lock is an `flock` on that file: the kernel drops it when its process
        dies, even by SIGKILL, so a stale `.lock` left by a dead process is simply
        taken over; the file is never deleted (deleting would let two processes
        lock two different files).

        Raises:
            RunFolderError: another live process holds it.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        handle = open(self.path / LOCK_FILE, "a+")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                owner = handle.read().strip() or "unknown"
                raise RunFolderError(f"{self.path} is being written by another process ({owner}); wait for it "
                                     f"to finish or stop it, or choose another --out") from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
            handle.flush()
            yield
        finally:
            handle.close()  # closing releases the flock

    def prepare(self, config: dict, resume: bool = True, overwrite: bool = False, writer: bool = True,
                log=print, defaults: dict | None = None) -> str:
        """Decide how a run with `config` (the TrainConfig as a dict) starts here: "new" or "resume".

        The writer first deletes half-written files a crash left (`.NAME.partial-*`,
        see `keras_infogan.atomic`): a folder holding only those is empty. With
        `writer=False` (a worker that is not the chief) nothing is deleted.
        `defaults` (the TrainConfig defaults as a dict) stand in for fields a saved
        config lacks: a run saved before a field existed trained with its default.

        Raises:
            RunFolderError: the folder holds a finished run, a run with another config,
                something that is not a run, or (with `resume=False`) an unfinished run.
        """
        if overwrite:
            if writer:
                self.clear()
            return "new"
        if self.path.is_dir() and writer:
            self._delete_partial_files()
        if not self.path.is_dir() or not [p for p in self.path.iterdir()
                                          if p.name != LOCK_FILE and not fnmatch.fnmatch(p.name, PARTIAL_FILES)]:
            return "new"
        hint = "choose another --out, or pass --overwrite to replace it"
        if not (self.path / CONFIG_FILE).is_file():
            raise RunFolderError(f"{self.path} is not empty and holds no keras-infogan run (no {CONFIG_FILE}); "
                                 f"{hint}")
        if (self.path / MODEL_FILE).exists():
            raise RunFolderError(f"{self.path} holds a finished run ({MODEL_FILE}); {hint}")
        differences = config_differences(self.saved_config(), config, defaults)
        if differences:
            raise RunFolderError(f"{self.path} holds a run with a different config ({'; '.join(differences)}); "
                                 f"{hint}")
        if not has_checkpoint(self.path / CHECKPOINT_DIR):
            log(f"{self.path} holds an unfinished run with no checkpoint yet: starting it again from step 0")
            if writer:
                self.clear()
            return "new"
        if not resume:
            raise RunFolderError(f"{self.path} holds an unfinished run with checkpoints; resume it (without "
                                 f"--no-resume / resume=False), or pass --overwrite to start again")
        return "resume"

    def saved_config(self) -> dict:
        """The config.json of the run here."""
        try:
            return json.loads((self.path / CONFIG_FILE).read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise RunFolderError(f"{self.path / CONFIG_FILE} cannot be read ({error}); pass --overwrite "
                                 f"to start the run again") from error

    def clear(self) -> None:
        """Delete the files a run writes (`RUN_FILES`); anything else in the folder stays."""
        if not self.path.is_dir():
            return
        for pattern in RUN_FILES:
            for path in self.path.glob(pattern):
                shutil.rmtree(path) if path.is_dir() else path.unlink()

    def _delete_partial_files(self) -> None:
        for partial in self.path.glob(PARTIAL_FILES):
            partial.unlink()

    def rollback(self, step: int, epochs_done: int) -> None:
        """Make the logs end where a checkpoint at global `step` does.

        Drops what a killed run wrote after its last checkpoint: metrics.csv rows of
        epochs >= `epochs_done`, info_curve.csv rows after `step`, TensorBoard events
        after `step`, a half-written line at the end of either CSV file, and the
        temporary files of a save the crash interrupted.
        """
        self._delete_partial_files()
        _filter_csv(self.path / METRICS_FILE, lambda row: int(row["epoch"]) < epochs_done)
        _filter_csv(self.path / INFO_CURVE_FILE, lambda row: int(row["step"]) <= step)
        for events in sorted((self.path / TENSORBOARD_DIR).glob("events.out.tfevents.*")):
            _filter_events(events, step)


def config_differences(saved: dict, current: dict, defaults: dict | None = None) -> list[str]:
    """'field: saved value (in the folder) vs current value' for each field that differs.

    `defaults` stand in for fields `saved` lacks: a run saved before a field existed trained with its default.
    """
    saved = {**(defaults or {}), **saved}
    return [f"{name}: {saved.get(name)!r} in the folder vs {current.get(name)!r} now"
            for name in sorted(set(saved) | set(current))
            if name not in RESUMABLE_FIELDS and saved.get(name) != current.get(name)]


def _filter_csv(path: Path, keep: Callable[[dict], bool]) -> None:
    """Keep the header and the complete rows of a CSV file that `keep` accepts."""
    if not path.exists():
        return
    with path.open(newline="") as file:
        lines = file.read().splitlines(keepends=True)
    complete = [line for line in lines if line.endswith("\n")]
    if not complete:
        path.unlink()
        return
    header = next(csv.reader(io.StringIO(complete[0])))
    rows = [line for line in complete[1:] if _row_kept(line, header, keep)]
    write_text_atomic(path, "".join([complete[0]] + rows))


def _row_kept(line: str, header: list[str], keep: Callable[[dict], bool]) -> bool:
    values = next(csv.reader(io.StringIO(line)), [])
    try:
        return len(values) == len(header) and keep(dict(zip(header, values)))
    except ValueError:  # a garbled row
        return False


def _filter_events(path: Path, step: int) -> None:
    """Rewrite a TensorBoard event file without the summaries of steps after `step`."""
    from tensorflow.core.util import event_pb2

    kept = []
    try:
        for record in tf.data.TFRecordDataset(str(path)):
            event = event_pb2.Event.FromString(record.numpy())
            if not event.HasField("summary") or event.step <= step:
                kept.append(record.numpy())
    except tf.errors.DataLossError:  # a record cut off by the crash: keep what came before it
        pass
    def write_records(partial: Path) -> None:
        with tf.io.TFRecordWriter(str(partial)) as writer:
            for record in kept:
                writer.write(record)

    write_atomic(path, write_records)
