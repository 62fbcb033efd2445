"""Do two continuous codes of trained runs move the image the same way? Mean cos^2 of their changes.

    python experiments/code_directions.py /work/runs/lc0.2_s18/starts/0 /work/runs/lc0.2_s18/starts/1 ...

For each run folder (or .keras file) and each pair of continuous codes (i, j): 512
generator inputs x drawn from the priors (seed fixed), G in inference mode (the mode of
the pictures and of `traversal_effects`), and the mean over x of

    cos^2(d_i, d_j),   cos = <d_i, d_j> / (|d_i| |d_j|)

where d_k is the image change code k makes: locally (d_k = G(x + 0.1 e_k) - G(x), the
finite-difference Jacobian column an orthogonal-Jacobian penalty such as OroJaR, Wei et
al. 2021, would train) and globally (d_k = G(x with c_k = 1) - G(x with c_k = -1), the
code across its prior's range), each on the pixels, on 4 x 4 average-pooled pixels and on
D's trunk features. 1: the two codes move the image along one line; 0: at right angles.
Needs no labels and no data, only the models; read beside `code_effects.py`'s slant and
width correlations of the same runs.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

INPUTS, STEP, SEED = 512, 0.1, (7, 7)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", help="run folders or .keras files")
    args = parser.parse_args(argv)
    import numpy as np
    import tensorflow as tf

    from keras_infogan.loading import load_infogan, run_model_path

    def cos2(a, b) -> float:
        a, b = tf.reshape(a, [INPUTS, -1]), tf.reshape(b, [INPUTS, -1])
        products = tf.reduce_sum(a * b, -1) ** 2 / (tf.reduce_sum(a * a, -1) * tf.reduce_sum(b * b, -1) + 1e-12)
        return float(tf.reduce_mean(products))

    for run in args.runs:
        model = load_infogan(run_model_path(run), compile=False)
        spec = model.latent_spec
        z, values = spec.sample(INPUTS, tf.constant(SEED))
        z, values = z.numpy(), [v.numpy() for v in values]
        base = model.generate(z, values)
        views = {"pixels": lambda images: images, "pooled 4x4": lambda images: tf.nn.avg_pool2d(images, 4, 4, "VALID"),
                 "trunk": lambda images: model.trunk(images, training=False)}

        def with_code(index, value):  # the images with code `index` set to `value` ([n] or a number)
            codes = list(values)
            codes[index] = np.broadcast_to(np.float32(value), values[index].shape)
            return model.generate(z, codes)

        changes = {}  # code name -> "<kind> <view>" -> the change code makes in that view
        for index, code in enumerate(spec.codes):
            if code.kind == "continuous":
                ends = {"local": (base, with_code(index, values[index] + STEP)),  # (image before, image after)
                        "global": (with_code(index, -1.0), with_code(index, 1.0))}
                changes[code.name] = {f"{kind} {name}": view(after) - view(before)
                                      for kind, (before, after) in ends.items() for name, view in views.items()}
        names = list(changes)
        for i, first in enumerate(names):
            for second in names[i + 1:]:
                cells = "  ".join(f"{cell} {cos2(changes[first][cell], changes[second][cell]):.3f}"
                                  for cell in changes[first])
                print(f"{run}  {first}/{second}: {cells}", flush=True)


if __name__ == "__main__":
    main()
