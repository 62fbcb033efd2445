"""Training throughput of the MNIST InfoGAN (the paper's networks) per configuration.

For each configuration a child process (so no TensorFlow state is shared and the
peak RSS is its own) builds the model with `build_model(TrainConfig(...))` and the
package's input pipeline (`load_dataset`, repeated), then:

1. warm-up: `--warmup` steps through `model.fit` (tracing, XLA compilation, caches);
2. timed: `--steps` steps through `model.fit` -> images/s and wall time;
3. data wait: `--steps` more steps, each batch taken from the pipeline's iterator in
   Python and fed to the same compiled step (`model.train_function`); the time spent
   in `next(iterator)` over the loop's wall time is the share of time a step waits for
   data (prefetching hides the pipeline when this is near 0);
4. pipeline alone: how many images/s the input pipeline delivers with no training.

    python benchmarks/throughput.py                      # all configurations, 150 steps each
    python benchmarks/throughput.py --configs default mixed --steps 300 --warmup 30

Configurations: default (batch 128, float32, no XLA), xla (jit_compile), mixed
(mixed_float16 with loss scaling), batch64, batch256, and preset / preset_xla: the
MNIST preset's step (Q's augmentation consistency on: one more trunk pass on the real
batch; its weight does not change the cost), and preset_vat: the preset's step with
`--consistency-vat 3` (one more trunk pass forward and backward), and preset_augfakes /
preset_augfakes_xla: the preset's step with `--augment-fakes` (one more trunk pass on the
fakes, forward and backward); r1: an R1 gradient
penalty of weight 1, and r1_grappler_off: the same with Grappler's graph optimizations off
(which makes penalty runs bit-reproducible, docs/objectives.md). Real MNIST batches come from
`--data-dir` (default: ../shared/data/mnist next to the repository); without it,
uniform noise images. Run it on an otherwise idle machine: anything else running
(e.g. a training run) makes the figures meaningless.
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

CONFIGS = {
    "default": {"batch_size": 128},
    "xla": {"batch_size": 128, "jit_compile": True},
    "mixed": {"batch_size": 128, "mixed_precision": True},
    "batch64": {"batch_size": 64},
    "batch256": {"batch_size": 256},
    # the MNIST preset's step: TrainConfig's plus Q's augmentation consistency (one more trunk pass)
    "preset": {"batch_size": 128, "consistency": 1.0},
    "preset_xla": {"batch_size": 128, "consistency": 1.0, "jit_compile": True},
    "preset_vat": {"batch_size": 128, "consistency": 1.0, "consistency_vat": 3.0},
    "preset_augfakes": {"batch_size": 128, "consistency": 1.0, "augment_fakes": True},
    "preset_augfakes_xla": {"batch_size": 128, "consistency": 1.0, "augment_fakes": True, "jit_compile": True},
    "r1": {"batch_size": 128, "gradient_penalty": 1.0},
    "r1_grappler_off": {"batch_size": 128, "gradient_penalty": 1.0},
}
GRAPH = {"r1_grappler_off": "meta-off"}  # common.configure_graph modes; the others run TensorFlow's default


def measure(name: str, steps: int, warmup: int, data_dir: str | None) -> dict:
    """Run one configuration (in this process); return its figures."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from common import configure_graph, noise_dataset
    from keras_infogan import TrainConfig, build_model, load_dataset

    configure_graph(GRAPH.get(name, "default"))
    config = TrainConfig(**CONFIGS[name])
    batch = config.batch_size
    if data_dir:
        dataset = load_dataset("mnist", "train", batch, data_dir=data_dir, repeat=True, seed=0)
    else:
        dataset = noise_dataset(batch, (28, 28, 1), batches=8)
    model = build_model(config)

    start = time.perf_counter()
    model.fit(dataset, steps_per_epoch=warmup, epochs=1, verbose=0)
    warmup_seconds = time.perf_counter() - start

    start = time.perf_counter()
    model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.perf_counter() - start

    iterator, wait = iter(dataset), 0.0
    start = time.perf_counter()
    for _ in range(steps):
        before = time.perf_counter()
        data = next(iterator)
        wait += time.perf_counter() - before
        logs = model.train_function([data])
    float(logs["d_loss"])
    loop_seconds = time.perf_counter() - start

    iterator = iter(dataset)
    start = time.perf_counter()
    for _ in range(steps):
        next(iterator)
    pipeline_seconds = time.perf_counter() - start

    # build_model compiles "auto" as the plain step (train() decides it by measuring)
    return {"config": name, "batch_size": batch, "jit_compile": config.jit_compile is True,
            "mixed_precision": config.mixed_precision, "steps": steps, "warmup_s": round(warmup_seconds, 1),
            "seconds": round(seconds, 2), "images_per_s": round(steps * batch / seconds, 1),
            "loop_images_per_s": round(steps * batch / loop_seconds, 1),
            "data_wait_share": round(wait / loop_seconds, 4),
            "pipeline_images_per_s": round(steps * batch / pipeline_seconds),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "cpus": os.cpu_count(), "data": "mnist" if data_dir else "noise"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", nargs="+", choices=sorted(CONFIGS), default=list(CONFIGS),
                        help="configurations to run, each in its own process (default: all)")
    parser.add_argument("--steps", type=int, default=150, help="timed steps per configuration (default: 150)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed steps first (default: 20)")
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA) if DEFAULT_DATA.exists() else None,
                        help="MNIST IDX folder (default: ../shared/data/mnist if present, else noise images)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this JSON file")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.steps < 1 or args.warmup < 1:
        parser.error("--steps and --warmup must be at least 1")

    if args.child:
        print(json.dumps(measure(args.child, args.steps, args.warmup, args.data_dir)))
        return
    header = (f"{'config':<16} {'batch':>5} {'xla':>5} {'mixed':>5} {'steps':>5} {'wall s':>7} {'images/s':>9} "
              f"{'data wait':>9} {'pipeline img/s':>14} {'peak RSS MiB':>12}")
    print(header)
    results = []
    for name in args.configs:
        command = [sys.executable, __file__, "--child", name, "--steps", str(args.steps), "--warmup", str(args.warmup)]
        command += ["--data-dir", args.data_dir] if args.data_dir else []
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            print(f"{name:<16} failed:\n{run.stderr[-3000:]}")
            continue
        r = json.loads(run.stdout.strip().splitlines()[-1])
        results.append(r)
        print(f"{r['config']:<16} {r['batch_size']:>5} {str(r['jit_compile']):>5} {str(r['mixed_precision']):>5} "
              f"{r['steps']:>5} {r['seconds']:>7} {r['images_per_s']:>9} {r['data_wait_share']:>9.1%} "
              f"{r['pipeline_images_per_s']:>14} {r['peak_rss_mib']:>12}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
