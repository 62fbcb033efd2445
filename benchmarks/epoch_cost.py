"""What the command line's epoch adds to the pure training step, callback by callback.

    python benchmarks/epoch_cost.py --data-dir ../shared/data/mnist --epochs 3 > epoch_cost.log

Runs `keras_infogan.train` (what `python -m keras_infogan train` runs) for a few
epochs of the default MNIST config in a temporary folder, with every built-in
callback's hooks timed, then the same number of steps of the bare compiled step
through `model.fit` with no callbacks (one untimed epoch, then as many timed
as the CLI ran; their median). Prints, per epoch after the first: the epoch's
wall time, its ratio to the pure epoch, the seconds all callbacks' hooks took and
their share of the epoch (not subject to the noise of comparing two separate
runs), and the seconds each callback took (per-epoch scores, traversal picture, L_I curve,
metrics.csv, checkpoint, NaN guard). `--verbose` is the progress output of the CLI
run: 2 (one line per epoch; what `train` prints into a file or pipe, the default
here), 1 (the progress bar redrawn every step; what it prints on a terminal) or 0.
Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import collections
import importlib
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
HOOKS = ("on_epoch_begin", "on_epoch_end", "on_train_batch_begin", "on_train_batch_end")


def timed_callbacks(callbacks: list, seconds: dict) -> list:
    """The callbacks, each hook wrapped to add its wall time to seconds[(epoch, name)]."""
    epoch = [0]
    for callback in callbacks:
        name = type(callback).__name__
        for hook in HOOKS:
            original = getattr(callback, hook)

            def wrapped(*args, _original=original, _name=name, _hook=hook, **kwargs):
                if _hook == "on_epoch_begin":
                    epoch[0] = args[0]
                start = time.perf_counter()
                result = _original(*args, **kwargs)
                seconds[(epoch[0], _name)] += time.perf_counter() - start
                return result

            setattr(callback, hook, wrapped)
    return callbacks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA), help="MNIST IDX folder")
    parser.add_argument("--epochs", type=int, default=3, help="epochs of the CLI run (default: 3)")
    parser.add_argument("--verbose", type=int, choices=(0, 1, 2), default=2,
                        help="progress output of the CLI run (default: 2, as the CLI into a file)")
    parser.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE",
                        help="TrainConfig overrides, e.g. jit_compile=True")
    args = parser.parse_args()

    import keras
    import tensorflow as tf

    from common import config_overrides
    from keras_infogan import TrainConfig, build_model
    train_module = importlib.import_module("keras_infogan.train")  # the module, not the function it exports
    from keras_infogan.run_data import load_run_data
    from keras_infogan.stream import steps_per_epoch, training_stream

    overrides = config_overrides(args.set)
    config = TrainConfig(data="mnist", data_dir=args.data_dir, epochs=args.epochs, **overrides)
    seconds = collections.defaultdict(float)
    original = train_module._callbacks
    train_module._callbacks = lambda *a, **k: timed_callbacks(original(*a, **k), seconds)
    epoch_ends = []
    marker = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: epoch_ends.append(time.perf_counter()))
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        train_module.train(config, Path(folder) / "run", verbose=args.verbose, callbacks=[marker])
        total = time.perf_counter() - start
    train_module._callbacks = original

    images = load_run_data(config, log=lambda line: None).train.images
    per_epoch = steps_per_epoch(len(images), config.batch_size)
    keras.utils.set_random_seed(config.seed)
    model = build_model(config, steps_per_epoch=per_epoch)
    stream = training_stream(images, config.batch_size, config.seed, total_steps=(args.epochs + 1) * per_epoch)
    model.fit(stream, steps_per_epoch=per_epoch, epochs=1, verbose=0)
    pure_epochs = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        model.fit(stream, steps_per_epoch=per_epoch, epochs=1, verbose=0)
        pure_epochs.append(time.perf_counter() - start)
    pure = statistics.median(pure_epochs)
    del tf

    print(f"config overrides: {overrides or 'none'}; verbose={args.verbose}; {per_epoch} steps per epoch of batch "
          f"{config.batch_size}; CLI run of {args.epochs} epochs: {total:.1f} s in all")
    print(f"pure steps (model.fit, no callbacks), {args.epochs} epochs after one untimed: "
          f"{', '.join(f'{t:.2f}' for t in pure_epochs)} s; median {pure:.2f} s = "
          f"{per_epoch * config.batch_size / pure:.0f} images/s")
    names = sorted({name for _, name in seconds})
    print("\n| epoch | epoch wall s | CLI images/s | vs pure median | callbacks s | callbacks' share | "
          + " | ".join(names) + " |")
    print("|---|---|---|---|---|---|" + "---|" * len(names))
    for epoch in range(1, len(epoch_ends)):
        wall = epoch_ends[epoch] - epoch_ends[epoch - 1]  # the previous epoch's end hooks, then this epoch
        rate = per_epoch * config.batch_size / wall
        hooks = sum(seconds[(epoch, name)] for name in names)
        cells = " | ".join(f"{seconds[(epoch, name)]:.2f}" for name in names)
        print(f"| {epoch + 1} | {wall:.2f} | {rate:.0f} | {pure / wall:.1%} | {hooks:.2f} | {hooks / wall:.1%} | "
              f"{cells} |")

if __name__ == "__main__":
    main()
