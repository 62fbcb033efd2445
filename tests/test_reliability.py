"""Runs that survive: each fault of docs/reliability.md, injected into a real run.

Every run here is the same tiny config (256 bar images, batch 32: 8 steps per epoch,
2 epochs, a checkpoint every 4 steps); runs that are killed and resumed must end
bit for bit equal to the uninterrupted reference run: weights, optimizer state,
metrics.csv (but the wall clock), info_curve.csv and TensorBoard scalars.
"""

import csv
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_infogan import TrainConfig, train
from keras_infogan.__main__ import main
from keras_infogan.checkpoints import NonFiniteError, RunCheckpoints, first_non_finite
from keras_infogan.presets import preset_config
from keras_infogan.run_folder import RunFolderError
from keras_infogan.train import build_model

FAULTS = Path(__file__).resolve().parent / "faults" / "run_with_fault.py"
STEPS_PER_EPOCH, EPOCHS = 8, 2


def _config(data_dir, **overrides) -> TrainConfig:
    """The MNIST preset, as `_cli_args` trains it (with its consistency term, beyond the paper)."""
    values = dict(data_dir=str(data_dir), epochs=EPOCHS, batch_size=32, eval_split="test[:32]",
                  checkpoint_every_steps=4, tensorboard=True)
    return preset_config("mnist", **dict(values, **overrides))


def _cli_args(data_dir, out) -> list[str]:
    return ["train", "--data-dir", str(data_dir), "--epochs", str(EPOCHS), "--batch-size", "32",
            "--eval-split", "test[:32]", "--checkpoint-every-steps", "4", "--tensorboard", "--out", str(out)]


@pytest.fixture(scope="module")
def reference(tiny_mnist_dir, tmp_path_factory) -> Path:
    """The uninterrupted run every resumed run must equal."""
    run = tmp_path_factory.mktemp("reliability") / "reference"
    train(_config(tiny_mnist_dir), run, verbose=0)
    return run


def _start(fault: str, args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(FAULTS), fault] + args, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _latest_step(run: Path) -> int:
    state = tf.train.get_checkpoint_state(str(run / "checkpoints")) if (run / "checkpoints").is_dir() else None
    return int(state.model_checkpoint_path.rsplit("-", 1)[1]) if state and state.model_checkpoint_path else 0


def _kill_after_checkpoint(process: subprocess.Popen, run: Path, step: int, timeout: float = 240) -> int:
    """SIGKILL `process` as soon as its checkpoint index names step `step` or later."""
    deadline = time.monotonic() + timeout
    while _latest_step(run) < step:
        assert process.poll() is None, f"training ended before step {step}:\n{process.stdout.read()}"
        assert time.monotonic() < deadline, "no checkpoint in time"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    return _latest_step(run)


def _state(run: Path) -> list[np.ndarray]:
    model = keras.saving.load_model(run / "model.keras")
    return [v.numpy() for v in model.weights + model.d_optimizer.variables + model.g_optimizer.variables]


def _rows(path: Path, drop=("elapsed_s",)) -> list[dict]:
    return [{k: v for k, v in row.items() if k not in drop} for row in csv.DictReader(path.open())]


def _scalars(run: Path) -> list[tuple]:
    from tensorflow.core.util import event_pb2

    found = []
    for events in sorted((run / "tensorboard").glob("events.out.tfevents.*")):
        for record in tf.data.TFRecordDataset(str(events)):
            event = event_pb2.Event.FromString(record.numpy())
            found += [(event.step, value.tag, tf.make_ndarray(value.tensor).item()) for value in event.summary.value
                      if value.tag not in ("elapsed_s", "traversal")]
    return sorted(found)


def _max_weight_difference(run: Path, reference: Path) -> float:
    mine, theirs = _state(run), _state(reference)
    assert len(mine) == len(theirs)
    return max(float(np.max(np.abs(a - b))) if a.size else 0.0 for a, b in zip(mine, theirs))


def assert_same_run(run: Path, reference: Path) -> None:
    assert _max_weight_difference(run, reference) == 0.0
    assert _rows(run / "metrics.csv") == _rows(reference / "metrics.csv")
    assert len(_rows(run / "metrics.csv")) == EPOCHS
    assert (run / "info_curve.csv").read_bytes() == (reference / "info_curve.csv").read_bytes()
    scalars = _scalars(run)
    assert len({(step, tag) for step, tag, _ in scalars}) == len(scalars)  # no duplicated rows
    assert scalars == _scalars(reference)


def test_sigkill_mid_epoch_then_resume_ends_bit_identical(tiny_mnist_dir, tmp_path, reference, capsys):
    run = tmp_path / "killed"
    kill_at = random.choice([4, 12])  # both inside an epoch (8 steps each)
    process = _start("none", _cli_args(tiny_mnist_dir, run))
    step = _kill_after_checkpoint(process, run, kill_at)
    assert not (run / "model.keras").exists()
    main(_cli_args(tiny_mnist_dir, run))
    out = capsys.readouterr().out
    assert f"resuming {run} from its checkpoint at step {step} of 16" in out, (kill_at, out)
    print(f"killed after the checkpoint of step {step} (target {kill_at}); max abs weight difference "
          f"{_max_weight_difference(run, reference)}")
    assert_same_run(run, reference)


def test_sigkill_while_writing_a_checkpoint_keeps_the_previous_one(tiny_mnist_dir, tmp_path, reference, capsys):
    run = tmp_path / "killed_in_checkpoint"
    process = _start("kill-in-checkpoint-write:3", _cli_args(tiny_mnist_dir, run))  # saves at 4, 8, then 12
    assert process.wait(timeout=240) == -signal.SIGKILL
    assert (run / "checkpoints" / "ckpt-12.index").exists()  # written, but the index does not name it
    assert _latest_step(run) == 8
    main(_cli_args(tiny_mnist_dir, run))
    assert f"from its checkpoint at step 8 of 16" in capsys.readouterr().out
    assert_same_run(run, reference)


def test_sigkill_while_saving_the_model_resumes_to_save_it(tiny_mnist_dir, tmp_path, reference, capsys):
    run = tmp_path / "killed_in_save"
    process = _start("kill-in-model-save", _cli_args(tiny_mnist_dir, run))
    assert process.wait(timeout=240) == -signal.SIGKILL
    assert not (run / "model.keras").exists() and list(run.glob(".model.partial-*.keras"))
    main(_cli_args(tiny_mnist_dir, run))
    out = capsys.readouterr().out
    assert "from its checkpoint at step 16 of 16" in out
    final = list(csv.DictReader((reference / "metrics.csv").open()))[-1]["eval_acc_cat0"]
    assert f"unsupervised accuracy of code cat0 on test[:32]: {float(final):.4f}" in out  # the run's, not this process's
    assert not list(run.glob(".model.partial-*"))
    assert_same_run(run, reference)


def test_sigkill_during_export_leaves_no_version_to_serve(reference, tmp_path):
    serving = tmp_path / "serving"
    process = _start("kill-in-export", ["export", str(reference), "--out", str(serving)])
    assert process.wait(timeout=240) == -signal.SIGKILL
    assert not [p for p in serving.iterdir() if p.name.isdigit()]  # TF Serving loads only integer folders
    assert [p.name for p in serving.iterdir() if p.name.startswith(".1.partial-")]
    main(["export", str(reference), "--out", str(serving)])
    assert tf.saved_model.load(str(serving / "1")).signatures["generate"] is not None


class _Poison(keras.callbacks.Callback):
    """Sets one generator weight to NaN after global step `step` (callbacks see the true batch)."""

    def __init__(self, step: int):
        super().__init__()
        self.step, self.epoch = step, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.epoch * STEPS_PER_EPOCH + batch + 1 == self.step:
            kernel = self.model.generator.weights[0]
            kernel.assign(np.full(kernel.shape, np.nan, np.float32))


@pytest.mark.parametrize("poison_step, message, last_good", [
    (10, r"diverged at step 11 \(epoch 2, batch 3\): d_loss is nan", 8),
    (8, r"diverged by step 8: variable model/g_fc1/kernel holds NaN", 4),  # caught at the epoch's end
])
def test_non_finite_step_stops_the_run_and_keeps_the_last_good_checkpoint(
        tiny_mnist_dir, tmp_path, poison_step, message, last_good):
    run = tmp_path / "nan"
    config = _config(tiny_mnist_dir, tensorboard=False)
    with pytest.raises(NonFiniteError, match=message):
        train(config, run, verbose=0, callbacks=[_Poison(poison_step)])
    assert not (run / "model.keras").exists()
    assert _latest_step(run) == last_good
    fresh = build_model(config, STEPS_PER_EPOCH)
    assert RunCheckpoints(run / "checkpoints", fresh).restore_latest(log=lambda *a: None)["step"] == last_good
    assert first_non_finite(fresh) is None


def test_absurd_learning_rate_is_one_clear_line(tiny_mnist_dir, tmp_path):
    args = _cli_args(tiny_mnist_dir, tmp_path / "lr") + ["--d-learning-rate", "1e38", "--g-learning-rate", "1e38"]
    with pytest.raises(SystemExit, match=r"^error: training diverged (at|by) step \d+") as raised:
        main(args)
    assert "\n" not in str(raised.value)
    assert not (tmp_path / "lr" / "model.keras").exists()


def test_full_disk_stops_with_one_line_then_resumes(tiny_mnist_dir, tmp_path, reference, monkeypatch, capsys):
    """A checkpoint write failing with ENOSPC (simulated: the test runs as root, for whom
    a read-only folder is writable) stops the run; after space is freed it resumes."""
    run, calls, save = tmp_path / "full", [], tf.train.CheckpointManager.save

    def full_disk(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise tf.errors.ResourceExhaustedError(None, None, f"{self.directory}: No space left on device")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(tf.train.CheckpointManager, "save", full_disk)
    with pytest.raises(SystemExit, match=r"^error: cannot write a checkpoint to .*No space left on device\); "
                                         r"the previous checkpoint is intact$"):
        main(_cli_args(tiny_mnist_dir, run))
    assert _latest_step(run) == 8
    monkeypatch.setattr(tf.train.CheckpointManager, "save", save)
    main(_cli_args(tiny_mnist_dir, run))
    assert "from its checkpoint at step 8 of 16" in capsys.readouterr().out
    assert_same_run(run, reference)


def test_second_writer_is_refused_and_a_dead_writers_lock_is_taken_over(tiny_mnist_dir, tmp_path, reference):
    run = tmp_path / "two_writers"
    process = _start("none", _cli_args(tiny_mnist_dir, run))
    deadline = time.monotonic() + 120
    while f"pid {process.pid} " not in ((run / ".lock").read_text() if (run / ".lock").exists() else ""):
        assert process.poll() is None and time.monotonic() < deadline, "the first writer never took the lock"
        time.sleep(0.02)
    with pytest.raises(SystemExit, match=rf"being written by another process \(pid {process.pid} on "):
        main(_cli_args(tiny_mnist_dir, run))
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    main(_cli_args(tiny_mnist_dir, run))  # the dead writer's lock is free: resume (or restart) and finish
    assert_same_run(run, reference)


def _unfinished_copy(reference: Path, run: Path) -> Path:
    """The reference run as a crash after its last checkpoint and before model.keras would leave it."""
    shutil.copytree(reference, run)
    (run / "model.keras").unlink()
    return run


def test_corrupt_newest_checkpoint_falls_back_to_the_previous(tiny_mnist_dir, tmp_path, reference, capsys):
    run = _unfinished_copy(reference, tmp_path / "corrupt")
    assert _latest_step(run) == 16
    data = run / "checkpoints" / "ckpt-16.data-00000-of-00001"
    data.write_bytes(np.random.default_rng(0).bytes(data.stat().st_size))
    main(_cli_args(tiny_mnist_dir, run))  # from step 12: rows and events of steps 13-16 are written again
    out = capsys.readouterr().out
    assert "checkpoints/ckpt-16 cannot be restored" in out and "from its checkpoint at step 12 of 16" in out
    assert_same_run(run, reference)


def test_folders_that_must_not_be_mixed_are_refused(tiny_mnist_dir, tmp_path, reference):
    with pytest.raises(SystemExit, match="holds a finished run"):
        main(_cli_args(tiny_mnist_dir, reference))
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit, match="not empty and holds no keras-infogan run"):
        main(_cli_args(tiny_mnist_dir, other))
    unfinished = _unfinished_copy(reference, tmp_path / "unfinished")
    with pytest.raises(SystemExit, match=r"different config \(seed: 0 in the folder vs 1 now\)"):
        main(_cli_args(tiny_mnist_dir, unfinished) + ["--seed", "1"])
    with pytest.raises(SystemExit, match="holds an unfinished run with checkpoints; resume it"):
        main(_cli_args(tiny_mnist_dir, unfinished) + ["--no-resume"])
    with pytest.raises(RunFolderError, match="unfinished run"):
        train(_config(tiny_mnist_dir), unfinished, resume=False)


def test_overwrite_replaces_only_the_run_files(tiny_mnist_dir, tmp_path, reference):
    run = tmp_path / "overwritten"
    shutil.copytree(reference, run)
    (run / "notes.txt").write_text("mine")
    main(_cli_args(tiny_mnist_dir, run)[:-2] + ["--epochs", "1", "--out", str(run), "--overwrite"])
    assert len(_rows(run / "metrics.csv")) == 1
    assert not (run / "traversal_epoch002.png").exists() and (run / "notes.txt").read_text() == "mine"
    assert _latest_step(run) == STEPS_PER_EPOCH
