"""Where a training step's time goes, op by op (tf.profiler trace of the default MNIST step).

    python benchmarks/profile_step.py --steps 20
    python benchmarks/profile_step.py --set update=same_minibatch --top 25

Traces `--steps` steps of `model.fit` (after `--warmup` untraced ones) with
`tf.profiler.experimental`, reads the host plane of the trace (the TensorFlow ops
executed on the CPU threads) and prints, per op type, the total time over the
traced steps, its share of all op time, the time per step and how many times it
ran per step. Op time is summed over threads, so with 2 cores it can exceed the
wall time. With `--set jit_compile=True` the step is one XLA program; its
thunks (matrix products, convolutions, fusions of element-wise work) are listed
as "XLA <kind>". `--logdir` keeps the trace for TensorBoard's profile plugin (trace
viewer). Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def op_times(logdir: Path) -> dict[str, tuple[float, int]]:
    """{op type: (total seconds, count)} of the TF ops in the newest trace under `logdir`."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    traces = sorted(logdir.rglob("*.xplane.pb"), key=lambda p: p.stat().st_mtime)
    if not traces:
        raise SystemExit(f"no trace written under {logdir}")
    space = xplane_pb2.XSpace()
    space.ParseFromString(traces[-1].read_bytes())
    totals = collections.defaultdict(lambda: [0.0, 0])
    for plane in space.planes:
        if not plane.name.startswith("/host:CPU"):
            continue
        names = {key: meta.name for key, meta in plane.event_metadata.items()}
        for line in plane.lines:
            for event in line.events:
                op_type = _op_type(names.get(event.metadata_id, ""), line.name)
                if op_type is None:
                    continue
                totals[op_type][0] += event.duration_ps / 1e12
                totals[op_type][1] += 1
    return {op: (seconds, count) for op, (seconds, count) in totals.items()}


def _op_type(name: str, thread: str) -> str | None:
    """The op type of a trace event, or None for runtime events.

    TensorFlow ops are "op_name:OpType"; runtime events ("ExecutorState::Process",
    "KernelAndDeviceFunc::Run", "EagerLocalExecute: ...", tf.data's "Iterator::...")
    are not. A step compiled with XLA runs as one TensorFlow op whose work shows as
    XLA thunks on the Eigen threads, named "<kind>.<N>" ("MatMul.70",
    "multiply_add_fusion.3"): they count as "XLA <kind>"."""
    if ":" in name and "::" not in name and ": " not in name:
        return name.rsplit(":", 1)[1]
    if "Eigen" in thread and ":" not in name and name:
        return "XLA " + re.sub(r"\.\d+$", "", name)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=20, help="traced steps (default: 20)")
    parser.add_argument("--warmup", type=int, default=10, help="untraced steps first (default: 10)")
    parser.add_argument("--top", type=int, default=20, help="op types to list (default: 20)")
    parser.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE",
                        help="TrainConfig overrides, e.g. update=same_minibatch jit_compile=True")
    parser.add_argument("--logdir", type=Path, default=None, help="keep the trace here (default: a temporary folder)")
    args = parser.parse_args()

    import tensorflow as tf

    from common import config_overrides, noise_dataset
    from keras_infogan import TrainConfig, build_model

    overrides = config_overrides(args.set)
    config = TrainConfig(**overrides)
    batch = config.batch_size
    dataset = noise_dataset(batch, config.image_shape())
    model = build_model(config)
    model.fit(dataset, steps_per_epoch=args.warmup, epochs=1, verbose=0)
    with tempfile.TemporaryDirectory() as scratch:
        logdir = args.logdir or Path(scratch)
        tf.profiler.experimental.start(str(logdir))
        start = time.perf_counter()
        model.fit(dataset, steps_per_epoch=args.steps, epochs=1, verbose=0)
        wall = time.perf_counter() - start
        tf.profiler.experimental.stop()
        times = op_times(logdir)
    total = sum(seconds for seconds, _ in times.values())
    print(f"config overrides: {overrides or 'none'}; {args.steps} traced steps of batch {batch}: wall {wall:.2f} s "
          f"({args.steps * batch / wall:.0f} images/s under the profiler), op time {total:.2f} s over all threads")
    print("\n| op type | total s | share | ms per step | runs per step |\n|---|---|---|---|---|")
    for op, (seconds, count) in sorted(times.items(), key=lambda item: -item[1][0])[:args.top]:
        print(f"| {op} | {seconds:.3f} | {seconds / total:.1%} | {1000 * seconds / args.steps:.1f} | "
              f"{count / args.steps:.0f} |")


if __name__ == "__main__":
    main()
