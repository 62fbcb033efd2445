"""Distributed training on CPU.

MirroredStrategy runs over one CPU split into 2 logical devices, which must happen
before TensorFlow initialises its devices, so those checks run in a fresh process
(tests/distributed/mirrored_checks.py, which prints its measurements as JSON). The
multi-worker test starts 2 worker processes on localhost
(tests/distributed/multiworker_worker.py). Strategy selection, `is_chief` and the
scope checks run in this process.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import keras
import pytest
import tensorflow as tf

from keras_infogan import InfoGAN, TrainConfig
from keras_infogan.__main__ import main
from keras_infogan.distribute import chief_dir, is_chief, make_strategy, resolve_strategy

SCRIPTS = Path(__file__).resolve().parent / "distributed"
REPO = Path(__file__).resolve().parents[1]


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    env.update(TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


# ---- MirroredStrategy over 2 logical CPUs (one subprocess for all checks) ----

@pytest.fixture(scope="module")
def mirrored() -> dict:
    # oneDNN picks different (fused) kernels for the per-replica graph than for the
    # single-device reference; where a ReLU input sits at ~0 that rounding can flip
    # one unit's derivative (a 5e-5 weight gap on one of 4 steps). Without oneDNN both
    # sides use the same Eigen kernels and agree to float32 round-off (~2e-7).
    result = subprocess.run([sys.executable, str(SCRIPTS / "mirrored_checks.py")], capture_output=True,
                            text=True, timeout=900, env=_env(TF_ENABLE_ONEDNN_OPTS="0"))
    assert result.returncode == 0, result.stderr[-5000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_mirrored_steps_equal_the_single_device_per_replica_reference(mirrored):
    """Each MirroredStrategy step (global batch 16 on 2 replicas, SGD) equals, within
    1e-5, the single-device reference of mirrored_checks.py: the two half-batches'
    gradients of (sum of per-example losses / global batch), with each replica's own
    noise, codes and batch-norm statistics, summed and applied; moving statistics
    averaged. Logged losses are global-batch means."""
    assert mirrored["replicas"] == 2
    equivalence = mirrored["equivalence"]
    assert equivalence["strategy_captured"] and equivalence["distributed_variables"]
    assert len(equivalence["steps"]) == 2
    for step, result in enumerate(equivalence["steps"], start=1):
        assert result["max_weight_gap"] < 1e-5, (step, result)
        assert result["max_weight_change"] > 1e-2, "the step barely moved the weights: the comparison is weak"
        assert result["iterations"] == [step, step]
        assert result["logged_d_loss"] == pytest.approx(result["reference_d_loss"], rel=1e-5)
    # Every variable (weights, batch-norm moving statistics, optimizer state) is identical on both replicas.
    assert equivalence["replica_gap"] == 0.0


def test_replicas_draw_different_noise_and_codes(mirrored):
    noise = mirrored["noise"]
    assert noise["z_gap_between_replicas"] > 0  # every noise entry differs
    assert not noise["cats_equal"]
    assert noise["matches_step_seed"]  # replica r draws from step_seed(seed, step, r, stream)


def test_inference_under_two_replicas_gives_one_row_per_input(mirrored):
    """generate, features and q_params of a model built in the strategy's scope (10 rows, batches
    of 4): one output row per input row, equal to the networks called directly."""
    assert mirrored["inference"]["rows"] == [10, 10, 10]
    assert mirrored["inference"]["max_gap"] < 1e-5


def test_jit_compile_is_refused_under_mirrored_strategy(mirrored):
    assert "jit_compile=True does not work with MirroredStrategy over 2 replicas" in mirrored["xla_error"]


def test_mixed_precision_overflow_on_one_replica_skips_the_step_on_all(mirrored):
    overflow = mirrored["overflow"]
    assert overflow["wrapped"] == "LossScaleOptimizer"
    assert overflow["d_weight_change"] == 0.0 and overflow["d_steps"] == 0
    assert overflow["d_scales"] == [2.0 ** 14, 2.0 ** 14]  # halved from 2**15 on both replicas
    assert overflow["g_steps"] == 1  # the G step had finite gradients everywhere
    assert overflow["replica_gap"] == 0.0


# ---- MultiWorkerMirroredStrategy: 2 worker processes on localhost ----

def _free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("localhost", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@pytest.mark.slow
def test_multiworker_workers_agree_and_only_the_chief_writes(tiny_mnist_dir, tmp_path):
    import numpy as np

    workdir, results, scratch = tmp_path / "run", tmp_path / "results", tmp_path / "tmp"
    results.mkdir()
    scratch.mkdir()
    cluster = {"worker": [f"localhost:{port}" for port in _free_ports(2)]}
    workers, logs = [], [tmp_path / f"worker{i}.log" for i in range(2)]
    for index, log in enumerate(logs):
        tf_config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
        with log.open("w") as out:
            workers.append(subprocess.Popen(
                [sys.executable, str(SCRIPTS / "multiworker_worker.py"), str(tiny_mnist_dir), str(workdir),
                 str(results)], env=_env(TF_CONFIG=tf_config, TMPDIR=str(scratch)), stdout=out,
                stderr=subprocess.STDOUT))
    try:
        for worker in workers:
            worker.wait(timeout=600)
    finally:
        for worker in workers:  # one worker failing leaves the other waiting for it
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    for worker, log in zip(workers, logs):
        assert worker.returncode == 0, log.read_text()[-5000:]

    chief, other = (json.loads((results / f"worker{i}.json").read_text()) for i in range(2))
    assert chief["is_chief"] and not other["is_chief"]
    assert chief["replicas"] == other["replicas"] == 2
    assert chief["steps"] == other["steps"] == 3  # 96 images, global batch 32
    assert chief["d_loss"] == other["d_loss"]
    assert chief["resumed_at_step_2"] and other["resumed_at_step_2"]  # both from the chief's checkpoint
    a, b = np.load(results / "worker0.npz"), np.load(results / "worker1.npz")
    assert a.files == b.files
    for name in a.files:  # weights, moving statistics and both optimizers' state
        np.testing.assert_array_equal(a[name], b[name])

    # Only the chief wrote the run folder: one metrics row, its checkpoints, one export version.
    assert {p.name for p in workdir.iterdir()} == {
        "config.json", "metrics.csv", "info_curve.csv", "traversal_epoch001.png", "model.keras", "export",
        "checkpoints", ".lock"}
    assert {p.name for p in (workdir / "checkpoints").iterdir()} == {
        "checkpoint", "ckpt-2.index", "ckpt-2.data-00000-of-00001", "ckpt-3.index", "ckpt-3.data-00000-of-00001"}
    assert len((workdir / "metrics.csv").read_text().strip().splitlines()) == 2  # header + epoch 1
    assert [p.name for p in (workdir / "export").iterdir()] == ["1"]
    assert (workdir / "export" / "1" / "saved_model.pb").is_file()
    assert chief["exported"] == str(workdir / "export" / "1") and other["exported"] is None
    assert list(scratch.iterdir()) == []  # the other worker's scratch folders are gone


# ---- in-process: strategy names, the chief, scope checks, the flag ----

def test_make_strategy_names():
    assert make_strategy("default") is tf.distribute.get_strategy()
    assert make_strategy("auto") is tf.distribute.get_strategy()  # no GPUs here
    assert resolve_strategy(None) is tf.distribute.get_strategy()
    with pytest.raises(ValueError, match="strategy must be one of"):
        make_strategy("horovod")
    with pytest.raises(TypeError, match="tf.distribute.Strategy"):
        resolve_strategy(3)


def test_multiworker_needs_tf_config_and_tpu_needs_a_tpu(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    monkeypatch.delenv("TPU_NAME", raising=False)
    with pytest.raises(ValueError, match="TF_CONFIG"):
        make_strategy("multiworker")
    with pytest.raises(ValueError, match="found no TPU"):
        make_strategy("tpu")


@pytest.mark.parametrize("tf_config, chief", [
    (None, True),
    ({"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 0}}, True),
    ({"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 1}}, False),
    ({"cluster": {"chief": ["c:1"], "worker": ["a:1"]}, "task": {"type": "chief", "index": 0}}, True),
    ({"cluster": {"chief": ["c:1"], "worker": ["a:1"]}, "task": {"type": "worker", "index": 0}}, False),
    ({"cluster": {"worker": ["a:1"], "evaluator": ["e:1"]}, "task": {"type": "evaluator", "index": 0}}, False),
])
def test_is_chief_from_tf_config(monkeypatch, tmp_path, tf_config, chief):
    if tf_config is None:
        monkeypatch.delenv("TF_CONFIG", raising=False)
    else:
        monkeypatch.setenv("TF_CONFIG", json.dumps(tf_config))
    assert is_chief() is chief
    with chief_dir(tmp_path / "run") as out:
        assert (out == tmp_path / "run") is chief
        kept = out
    assert chief or not kept.exists()


def test_model_and_optimizers_must_share_the_strategy_scope():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    outside = InfoGAN()
    with strategy.scope():
        with pytest.raises(ValueError, match="created outside any strategy scope"):
            outside.compile()
        inside = InfoGAN()
    assert inside.distribute_strategy is strategy
    with pytest.raises(ValueError, match="create the optimizers inside"):
        inside.compile(d_optimizer=keras.optimizers.Adam())  # created outside the scope
    inside.compile()  # outside the block: compile enters the model's own scope
    assert inside.d_optimizer._distribution_strategy is strategy


def test_strategy_flag(tmp_path):
    with pytest.raises(SystemExit):
        main(["train", "--strategy", "horovod", "--out", str(tmp_path)])
    with pytest.raises(ValueError, match="strategy must be one of"):
        TrainConfig(strategy="horovod")
