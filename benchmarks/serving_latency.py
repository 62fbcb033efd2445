"""Latency of an exported SavedModel's `generate` signature, as TF Serving would run it.

Loads the SavedModel with plain TensorFlow (not keras_infogan), calls `generate`
`--warmup` times, then times `--repeats` calls per batch size on random valid
inputs and prints the median and p90 latency, images/s and the export's size:

    python benchmarks/serving_latency.py saved_models/mnist            # latest version
    python benchmarks/serving_latency.py saved_models/mnist/1 --batch-sizes 1 64 256
    python benchmarks/serving_latency.py saved_models/mnist --export-from runs/mnist

This is in-process latency (no HTTP, no JSON): a floor for what TF Serving adds to.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def version_folder(path: Path) -> Path:
    """`path` if it holds saved_model.pb, else its highest integer-named version folder."""
    if (path / "saved_model.pb").is_file():
        return path
    versions = sorted((int(p.name), p) for p in path.glob("*") if p.is_dir() and p.name.isdigit()
                      and (p / "saved_model.pb").is_file())
    if not versions:
        raise SystemExit(f"error: no SavedModel in {path} (expected saved_model.pb or <version>/saved_model.pb)")
    return versions[-1][1]


def random_inputs(signature, batch_size: int, rng: np.random.Generator) -> dict:
    """Valid inputs of `signature` for `batch_size` rows: integer inputs 0, floats in [-1, 1)."""
    inputs = {}
    for name, spec in signature.structured_input_signature[1].items():
        shape = [batch_size, *spec.shape[1:]]
        if spec.dtype.is_integer:
            inputs[name] = np.zeros(shape, spec.dtype.as_numpy_dtype)
        else:
            inputs[name] = rng.uniform(-1, 1, shape).astype(spec.dtype.as_numpy_dtype)
    return inputs


def time_calls(signature, inputs: dict, warmup: int, repeats: int) -> np.ndarray:
    """Wall time in seconds of each of `repeats` calls, after `warmup` untimed calls."""
    import tensorflow as tf

    tensors = {name: tf.constant(value) for name, value in inputs.items()}
    for _ in range(warmup):
        signature(**tensors)["images"].numpy()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        signature(**tensors)["images"].numpy()
        times.append(time.perf_counter() - start)
    return np.array(times)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", type=Path, help="SavedModel version folder, or a model folder (latest version)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 256])
    parser.add_argument("--repeats", type=int, default=50, help="timed calls per batch size")
    parser.add_argument("--warmup", type=int, default=5, help="untimed calls per batch size first")
    parser.add_argument("--export-from", type=Path, default=None,
                        help="export this run (folder with model.keras, or a .keras file) to MODEL first")
    args = parser.parse_args()

    if args.export_from is not None:  # in a child process, so this one never imports keras_infogan
        subprocess.run([sys.executable, "-m", "keras_infogan", "export", str(args.export_from),
                        "--out", str(args.model)], check=True)
    folder = version_folder(args.model)

    import tensorflow as tf

    signature = tf.saved_model.load(str(folder)).signatures["generate"]
    rng = np.random.default_rng(0)
    print(f"{folder}: {folder_size(folder) / 2**20:.1f} MiB on disk; signature generate, "
          f"{args.repeats} calls per batch size after {args.warmup} warm-up calls, {os.cpu_count()} CPUs")
    print(f"{'batch':>6} {'median ms':>10} {'p90 ms':>8} {'images/s':>9}")
    for batch_size in args.batch_sizes:
        times = time_calls(signature, random_inputs(signature, batch_size, rng), args.warmup, args.repeats)
        median, p90 = np.median(times), np.percentile(times, 90)
        print(f"{batch_size:>6} {median * 1e3:>10.2f} {p90 * 1e3:>8.2f} {batch_size / median:>9.0f}")


if __name__ == "__main__":
    main()
