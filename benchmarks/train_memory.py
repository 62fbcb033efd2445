"""Does one process's memory grow with every model it trains? (restarts, notebooks)

    python benchmarks/train_memory.py --runs 5 --data-dir ../shared/data/mnist
    python benchmarks/train_memory.py --runs 5 --data-dir ../shared/data/mnist --keep-graphs

Calls `keras_infogan.train` `--runs` times in one process, each a new run folder
(what five restarts do: every start is a `train` call), and prints the resident
memory (VmRSS) after each call and a garbage collection. `--keep-graphs` calls
the function without `keras_infogan.graph_release`'s decorator, as before it: each
trained model's train-step graph then stays in TensorFlow's gradient registry.
Runs are short (`--images` training images, one epoch, batch 128): what grows is
per trained model, not per step. Extra TrainConfig fields: `--set field=value`.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))


def rss_mib() -> float:
    """This process's resident memory (VmRSS), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="train calls in this process")
    parser.add_argument("--images", type=int, default=2560, help="training images per run (one epoch)")
    parser.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"))
    parser.add_argument("--keep-graphs", action="store_true", help="train without the graph release (the leak)")
    parser.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE", help="TrainConfig overrides")
    args = parser.parse_args()

    from common import config_overrides

    from keras_infogan import TrainConfig, train

    run = train.__wrapped__ if args.keep_graphs else train
    values = dict(data="mnist", data_dir=args.data_dir, train_split=f"train[:{args.images}]", eval_split=None,
                  epochs=1, batch_size=128, jit_compile=False)
    values.update(config_overrides(args.set))
    print(f"graph release {'off' if args.keep_graphs else 'on'}; before training: {rss_mib():.0f} MiB", flush=True)
    previous = None
    with tempfile.TemporaryDirectory() as folder:
        for k in range(args.runs):
            run(TrainConfig(seed=k, **values), Path(folder) / str(k), verbose=0)
            gc.collect()
            now = rss_mib()
            grown = "" if previous is None else f" ({now - previous:+.0f} MiB)"
            print(f"after run {k + 1}: {now:.0f} MiB{grown}", flush=True)
            previous = now


if __name__ == "__main__":
    main()
