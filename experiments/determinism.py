"""Are two identical short runs identical? Prints the largest weight difference after N steps.

    python experiments/determinism.py                                   # the class defaults
    python experiments/determinism.py --set consistency=1.0 update=same_minibatch
    python experiments/determinism.py --set gradient_penalty=1.0 penalty=wgan_gp --repeats 3
    python experiments/determinism.py --set gradient_penalty=1.0 --graph meta-off   # Grappler off
    python experiments/determinism.py --set gradient_penalty=1.0 --graph off:remapping,layout_optimizer

Builds `InfoGAN(seed=3, **settings)` twice in one process (Keras seed 1 before
each), trains each `--steps` steps of `train_on_batch` on the same fixed batch
of random images, and prints the largest absolute difference over all weights
(0: bit for bit the same) and the first weights that differ. `--repeats` does
the comparison that many times (an order problem may show only sometimes).
`--graph` changes how TensorFlow runs the steps: `meta-off` turns off all of
Grappler's graph optimizations, `eager` runs them eagerly, `off:P1,P2` turns off
the named Grappler passes (`tf.config.optimizer.set_experimental_options` keys).
Used for the diagnosis in docs/mnist_experiments.md and the gradient penalty's
limitation in docs/objectives.md.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from common import configure_graph  # noqa: E402


def _weights_after(settings: dict, steps: int, images) -> dict:
    import keras

    from keras_infogan import InfoGAN

    keras.utils.set_random_seed(1)
    model = InfoGAN(seed=3, **settings)
    model.compile()
    for _ in range(steps):
        model.train_on_batch(images)
    return {variable.path: variable.numpy() for variable in model.weights}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE", help="InfoGAN arguments")
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--graph", default="default", help="default, meta-off, eager or off:PASS,PASS,...")
    args = parser.parse_args(argv)
    settings = {}
    for item in args.set:
        key, _, value = item.partition("=")
        try:
            settings[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            settings[key] = value  # a plain word, e.g. penalty=wgan_gp
    import tensorflow as tf

    configure_graph(args.graph)
    images = tf.random.stateless_uniform([args.batch, 28, 28, 1], (5, 6), -1, 1)
    for repeat in range(args.repeats):
        first, second = _weights_after(settings, args.steps, images), _weights_after(settings, args.steps, images)
        differences = {name: float(np.max(np.abs(first[name] - second[name]))) for name in first}
        differing = [name for name, value in differences.items() if value > 0]
        print(f"{settings} run pair {repeat + 1}: largest weight difference after {args.steps} steps "
              f"{max(differences.values()):.3g}; {len(differing)} of {len(differences)} weights differ"
              + (f" (first: {', '.join(differing[:4])})" if differing else ""), flush=True)


if __name__ == "__main__":
    main()
