"""What a checkpoint adds to an epoch of the default MNIST run.

Builds the default MNIST InfoGAN (`build_model(PRESETS["mnist"])`, batch 128), then:

1. step time: `--steps` training steps on noise images after `--warmup` steps
   (`fit_from_step`, the loop `train()` uses), times the steps of one default epoch
   (19,690 images // 128 = 153 steps; `--epoch-steps` to change) = the epoch's training time;
2. checkpoint time: `--saves` checkpoints written with `RunCheckpoints.save` (keep 2,
   as `train()`: each save also checks that every variable is finite and deletes the
   oldest checkpoint), into a temporary folder on the same disk as this repository
   unless `--dir` names another; also the size of one checkpoint and the time to
   restore the newest one.

    python benchmarks/checkpoint_cost.py
    python benchmarks/checkpoint_cost.py --saves 10 --dir /mnt/fast_disk

Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from keras_infogan import PRESETS  # noqa: E402
from keras_infogan.checkpoints import RunCheckpoints  # noqa: E402
from keras_infogan.loop import fit_from_step  # noqa: E402
from keras_infogan.stream import training_stream  # noqa: E402
from keras_infogan.train import build_model  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40, help="timed training steps (default: 40)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps first (default: 10)")
    parser.add_argument("--saves", type=int, default=6, help="checkpoints written (default: 6)")
    parser.add_argument("--epoch-steps", type=int, default=19_690 // 128,
                        help="steps in one epoch (default: 153, the 19,690 offline MNIST images at batch 128)")
    parser.add_argument("--dir", type=Path, default=Path(__file__).resolve().parents[1],
                        help="a folder on the disk to write the checkpoints to (default: this repository's)")
    args = parser.parse_args()

    config = PRESETS["mnist"]
    model = build_model(config, steps_per_epoch=args.epoch_steps)
    images = np.random.default_rng(0).integers(0, 256, (config.batch_size * 64, 28, 28, 1), dtype=np.uint8)
    total = args.warmup + args.steps
    steps = {"warmup": args.warmup, "timed": args.steps}
    seconds = {}
    for phase, count in steps.items():
        stream = training_stream(images, config.batch_size, seed=0, total_steps=count)
        start = time.perf_counter()
        fit_from_step(model, stream, epochs=1, steps_per_epoch=count, verbose=0)
        seconds[phase] = time.perf_counter() - start
    step_s = seconds["timed"] / args.steps
    epoch_s = step_s * args.epoch_steps

    folder = Path(tempfile.mkdtemp(prefix="checkpoint_cost_", dir=args.dir))
    try:
        checkpoints = RunCheckpoints(folder, model, keep=2)
        save_times = []
        for i in range(args.saves):
            start = time.perf_counter()
            prefix = checkpoints.save(step=total + i, meta={"epoch": 0})
            save_times.append(time.perf_counter() - start)
        size = sum(p.stat().st_size for p in folder.glob(Path(prefix).name + ".*"))
        start = time.perf_counter()
        checkpoints.restore_latest()
        restore_s = time.perf_counter() - start
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    save_s = statistics.median(save_times)
    print(f"training step (batch {config.batch_size}): {step_s * 1000:.0f} ms; one epoch of {args.epoch_steps} "
          f"steps: {epoch_s:.1f} s")
    print(f"checkpoint: {size / 2**20:.1f} MiB; save median {save_s:.2f} s (min {min(save_times):.2f}, max "
          f"{max(save_times):.2f}, {args.saves} saves); restore {restore_s:.2f} s")
    print(f"one checkpoint per epoch adds {save_s:.2f} s = {100 * save_s / epoch_s:.1f}% to an epoch")


if __name__ == "__main__":
    main()
