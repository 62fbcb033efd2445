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
        latent = spec.generator_input(z, values)
        columns, start = {}, spec.noise_dim  # continuous code name -> its generator-input column
        for code in spec.codes:
            if code.kind == "continuous":
                columns[code.name] = start
            start += code.input_dim

        def generate(column, value=None, shift=0.0):
            set_to = latent[:, column:column + 1] + shift if value is None else tf.fill([INPUTS, 1], value)
            return model.generator(tf.concat([latent[:, :column], set_to, latent[:, column + 1:]], 1),
                                   training=False)

        base = model.generator(latent, training=False)
        ends = {name: {"local": (base, generate(column, shift=STEP)),  # (image before, image after)
                       "global": (generate(column, value=-1.0), generate(column, value=1.0))}
                for name, column in columns.items()}
        views = {"pixels": lambda images: images, "pooled 4x4": lambda images: tf.nn.avg_pool2d(images, 4, 4, "VALID"),
                 "trunk": lambda images: model.trunk(images, training=False)}
        names = list(columns)
        for i, first in enumerate(names):
            for second in names[i + 1:]:
                cells = []
                for kind in ("local", "global"):
                    for view_name, view in views.items():
                        (a0, a1), (b0, b1) = ends[first][kind], ends[second][kind]
                        cells.append(f"{kind} {view_name} {cos2(view(a1) - view(a0), view(b1) - view(b0)):.3f}")
                print(f"{run}  {first}/{second}: " + "  ".join(cells), flush=True)


if __name__ == "__main__":
    main()
