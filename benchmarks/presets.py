"""Per preset: trainable parameters of G, the shared trunk, the D head and the Q head,
and the steady-state training throughput at the preset's batch size.

Each preset runs in a child process (no TensorFlow state shared). The model is
`build_model(PRESETS[name])` (the preset's networks, codes, optimizers and batch
size); the batches are uniform noise images of the preset's image shape, already
in memory, so only the training step is timed: `--warmup` steps through
`model.fit` (tracing), then `--steps` timed steps -> images/s.

    python benchmarks/presets.py                         # every preset, 30 timed steps
    python benchmarks/presets.py --presets svhn chairs --steps 60

Run it on an otherwise idle machine and name the CPU with the figures
(`lscpu | grep "Model name"`): the throughput depends on it far more than on anything here.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time


def measure(name: str, steps: int, warmup: int) -> dict:
    """Parameter counts and images/s of one preset (in this process)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np

    from common import noise_dataset
    from keras_infogan import PRESETS, build_model

    config = PRESETS[name]
    batch = config.batch_size
    model = build_model(config)
    counts = {net: int(sum(np.prod(v.shape) for v in getattr(model, net).trainable_variables))
              for net in ("generator", "trunk", "d_head", "q_head")}
    dataset = noise_dataset(batch, config.image_shape())
    model.fit(dataset, steps_per_epoch=warmup, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    return {"preset": name, "image_shape": list(config.image_shape()), "codes": config.codes,
            "batch_size": batch, **counts, "images_per_s": steps * batch / seconds, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", nargs="+", default=None, help="presets to measure (default: all)")
    parser.add_argument("--steps", type=int, default=30, help="timed training steps per preset (default: 30)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps first (default: 5)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.steps, args.warmup)))
        return
    from keras_infogan.presets import PRESETS

    names = args.presets or list(PRESETS)
    print("| preset | image | batch | G | trunk | D head | Q head | images/s |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        out = subprocess.run([sys.executable, __file__, "--child", name, "--steps", str(args.steps),
                              "--warmup", str(args.warmup)], check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"| {name} | {'x'.join(map(str, r['image_shape']))} | {r['batch_size']} | {r['generator']:,} | "
              f"{r['trunk']:,} | {r['d_head']:,} | {r['q_head']:,} | {r['images_per_s']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
