"""PROTOTYPE: the categorical codes' information term read from augmented fakes (beyond the paper).

    python experiments/augmented_fakes_prototype.py experiments/seed_study.py train --seeds 0 --epochs 10 \
        --out /tmp/study/augfake --set consistency=1.0 jit_compile=True

Runs the script named first (with the arguments after it) with `InfoGAN` patched so
that the categorical part of L_I is E log Q(c | aug(G(z, c))), with `aug` the
consistency term's augmentations (`objectives.consistency.augment`) drawn from a
step seed of their own, for Q and G alike; the continuous codes keep Q's outputs on
the clean fakes. A screen, not a feature: the extra trunk pass joins the D/Q loss's
backward pass, so two identical runs are not bit-identical (see "Thread count and the
determinism fix" in docs/mnist_experiments.md), and only the train step's first
`_trunk_features` call is covered (the same-minibatch update). Results:
docs/mnist_experiments.md, "The categorical code read from augmented fakes". Kept as the
record of the screen's code; the package's version, reproducible and covering both update
modes, is `keras_infogan/objectives/augmented_fakes.py` (`--augment-fakes`).
"""

from __future__ import annotations

import runpy
import sys

import tensorflow as tf

from keras_infogan import losses
from keras_infogan import model as model_module
from keras_infogan.objectives import consistency

AUGMENT_FAKES_STREAM = 7  # a step-seed stream the package does not use (model.py uses 0-5)
_traced = {}
_trunk_features = model_module.InfoGAN._trunk_features
_information_loss = losses.information_loss


def trunk_features(self, real, fake):
    """The package's method, remembering the model and the fakes of the step being traced."""
    _traced.update(model=self, fake=fake)
    return _trunk_features(self, real, fake)


def information_loss(spec, values, params):
    """The package's loss, with the categorical codes' Q outputs taken on augmented fakes."""
    fake = _traced.get("fake")
    if fake is None or getattr(fake, "graph", None) is not getattr(params, "graph", None):
        return _information_loss(spec, values, params)  # not the train step (e.g. test_step): unchanged
    model = _traced["model"]
    augmented = consistency.augment(fake, model._step_seed(AUGMENT_FAKES_STREAM))
    augmented_params = model.q_head(model.trunk(augmented, training=True), training=True)
    parts = [moved if code.kind == "categorical" else clean for code, clean, moved in
             zip(spec.codes, spec.split_params(params), spec.split_params(augmented_params))]
    return _information_loss(spec, values, tf.concat(parts, axis=-1))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    model_module.InfoGAN._trunk_features = trunk_features
    losses.information_loss = information_loss
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")
