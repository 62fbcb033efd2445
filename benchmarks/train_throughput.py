"""Steady-state training throughput (images/s) and peak memory of the MNIST InfoGAN.

Each configuration runs in its own process (so its peak RSS is its own): a
warm-up fit compiles the step, then `--steps` timed steps run on real MNIST
batches (or uniform noise images when no IDX folder is found).

    python benchmarks/train_throughput.py --batch-sizes 64 128 --steps 300
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def measure(batch_size: int, steps: int, jit_compile: bool, joint_batches: bool, data_dir: str | None) -> dict:
    """Train `steps` steps after a warm-up; return images/s, wall time and peak RSS."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf

    from keras_infogan import TrainConfig, build_model, load_dataset

    config = TrainConfig(batch_size=batch_size, jit_compile=jit_compile, joint_batches=joint_batches)
    if data_dir:
        dataset = load_dataset("mnist", "train", batch_size, data_dir=data_dir, repeat=True, seed=0)
    else:
        noise = np.random.default_rng(0).uniform(-1, 1, (batch_size * 8, 28, 28, 1)).astype("float32")
        dataset = tf.data.Dataset.from_tensor_slices(noise).batch(batch_size, drop_remainder=True).repeat()
    model = build_model(config)
    model.fit(dataset, steps_per_epoch=20, epochs=1, verbose=0)  # trace, compile, warm caches
    start = time.perf_counter()
    model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    return {"batch_size": batch_size, "jit_compile": jit_compile, "joint_batches": joint_batches,
            "steps": steps, "seconds": round(seconds, 2), "images_per_s": round(steps * batch_size / seconds, 1),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "threads": os.cpu_count(), "data": "mnist" if data_dir else "noise"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--steps", type=int, default=300, help="timed steps per configuration")
    parser.add_argument("--jit-compile", action="store_true", help="XLA-compile the train step")
    parser.add_argument("--joint-batches", action="store_true", help="real+fake share D's batch norm")
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA) if DEFAULT_DATA.exists() else None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(measure(args.batch_sizes[0], args.steps, args.jit_compile, args.joint_batches,
                                 args.data_dir)))
        return
    print(f"{'batch':>5} {'xla':>5} {'joint':>5} {'steps':>5} {'seconds':>8} {'images/s':>9} {'peak RSS MiB':>12}")
    for batch_size in args.batch_sizes:
        command = [sys.executable, __file__, "--child", "--batch-sizes", str(batch_size), "--steps", str(args.steps)]
        command += ["--jit-compile"] * args.jit_compile + ["--joint-batches"] * args.joint_batches
        command += ["--data-dir", args.data_dir] if args.data_dir else []
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
        print(f"{result['batch_size']:>5} {str(result['jit_compile']):>5} {str(result['joint_batches']):>5} "
              f"{result['steps']:>5} {result['seconds']:>8} {result['images_per_s']:>9} {result['peak_rss_mib']:>12}")


if __name__ == "__main__":
    main()
