"""`jit_compile="auto"`: measure the train step with and without XLA on this machine, keep the faster.

Which way runs faster depends on the CPU far more than on the model. Measured
with `benchmarks/compare_reference.py` (the MNIST networks, batch 128): XLA
1.55x the plain TensorFlow step on a 2-core AMD EPYC with AVX2 only (Zen 3),
0.98-1.04x on a 2-core AMD EPYC with AVX-512 (Zen 4), 0.96x on a 2-core Intel
CPU with AVX-512. No fixed choice is right on all three, so a run whose config says
"auto" times a few steps each way at start-up, on throwaway copies of its
networks and its own training images, and keeps the faster one: XLA only when it
is at least `MARGIN` faster, since it also costs a longer compile. One log line
says what was measured and chosen.

A measured choice is written to the run folder (`XLA_CHOICE_FILE`) and read
back when the run resumes, so a resumed run computes exactly what the
uninterrupted one would. Runs of fewer than `MIN_STEPS` steps (tests, smoke runs) and
multi-replica strategies (where Keras cannot compile the step with XLA) use the
plain step without measuring.

    jit = choose_jit_compile(config, build, images, num_replicas, total_steps, run_dir, resuming, log)
"""

from __future__ import annotations

import dataclasses
import gc
import json
import statistics
import time
from pathlib import Path
from typing import Callable

import numpy as np

from keras_infogan.atomic import write_text_atomic

XLA_CHOICE_FILE = "xla_choice.json"
MIN_STEPS = 1000  # the measurement took 19-24 s on 2 CPU cores: not worth it for shorter runs
MARGIN = 0.03  # XLA must be this much faster to be chosen
STEPS_PER_ROUND, ROUNDS, WARMUP_STEPS = 8, 3, 2


def choose_jit_compile(config, build: Callable, images: np.ndarray, num_replicas: int, total_steps: int,
                       run_dir: Path, resuming: bool, log: Callable = print) -> bool:
    """The `jit_compile` this run trains with: the config's own when it is a bool, else decided here.

    Args:
        config: the run's `TrainConfig`.
        build: `build(config) -> compiled InfoGAN` (a throwaway model per setting timed).
        images: the training images (uint8 [N, H, W, C]); a few batches are timed.
        num_replicas: replicas of the run's strategy.
        total_steps: the run's length in global steps.
        run_dir: the run folder (this process's copy of it); a measured choice is
            recorded there (the others follow from the config alone).
        resuming: read the recorded choice instead of measuring.
        log: takes the one line saying what was chosen and why.
    """
    if isinstance(config.jit_compile, bool):
        return config.jit_compile
    if num_replicas > 1 or total_steps < MIN_STEPS:  # decided by the config alone: nothing to record
        reason = (f"{num_replicas} replicas (XLA needs one)" if num_replicas > 1
                  else f"{total_steps} steps, fewer than {MIN_STEPS}: not measured")
        log(f"jit_compile auto: plain step ({reason})")
        return False
    path = Path(run_dir) / XLA_CHOICE_FILE
    if resuming and path.exists():
        record = json.loads(path.read_text())
        log(f"jit_compile auto: {'XLA' if record['jit_compile'] else 'plain'} step, as chosen when this run "
            f"started ({path.name})")
        return bool(record["jit_compile"])
    start = time.perf_counter()
    rates = measure_step_rates(config, build, images)
    record = {"jit_compile": rates["xla"] > (1 + MARGIN) * rates["plain"], "images_per_s": rates,
              "reason": f"measured in {time.perf_counter() - start:.0f} s, {ROUNDS} x {STEPS_PER_ROUND} "
                        f"steps each way; XLA needs {MARGIN:.0%} more"}
    if resuming:
        record["reason"] += "; the choice of the run's start was not recorded, so this resume may differ from it"
    write_text_atomic(path, json.dumps(record, indent=2) + "\n")
    log(f"jit_compile auto: {'XLA' if record['jit_compile'] else 'plain'} step ({_describe(record)})")
    return record["jit_compile"]


def measure_step_rates(config, build: Callable, images: np.ndarray) -> dict:
    """Median images/s of the train step with XLA and without, timed in alternating rounds."""
    runners = {name: _ready_model(config, build, images, jit) for name, jit in (("plain", False), ("xla", True))}
    seconds = {name: [] for name in runners}
    for _ in range(ROUNDS):
        for name in runners:
            seconds[name].append(_time_steps(*runners[name]))
    del runners
    gc.collect()  # free the throwaway models now, not in the middle of the run's first epoch
    images_per_round = STEPS_PER_ROUND * config.batch_size
    return {name: round(images_per_round / statistics.median(times), 1) for name, times in seconds.items()}


def _ready_model(config, build: Callable, images: np.ndarray, jit: bool) -> tuple:
    """(model, iterator over the run's batches), the step traced and compiled."""
    from keras_infogan.stream import training_stream

    model = build(dataclasses.replace(config, jit_compile=jit))
    stream = training_stream(images, config.batch_size, config.seed,
                             total_steps=WARMUP_STEPS + ROUNDS * STEPS_PER_ROUND)
    iterator = iter(model.distribute_strategy.experimental_distribute_dataset(stream))
    model.make_train_function()
    for _ in range(WARMUP_STEPS):
        model.train_function(iterator)
    return model, iterator


def _time_steps(model, iterator) -> float:
    """Seconds for STEPS_PER_ROUND steps, up to their results being on the host."""
    import tensorflow as tf

    start = time.perf_counter()
    for _ in range(STEPS_PER_ROUND):
        logs = model.train_function(iterator)
    tf.nest.map_structure(lambda t: t.numpy() if hasattr(t, "numpy") else t, logs)
    return time.perf_counter() - start


def _describe(record: dict) -> str:
    rates = record["images_per_s"]
    return f"XLA {rates['xla']:.0f} images/s, plain {rates['plain']:.0f} images/s; {record['reason']}"
