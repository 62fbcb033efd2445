"""Signal "discriminator": minus D's output, i.e. how little D believes x is real."""

from __future__ import annotations

import tensorflow as tf


class DiscriminatorSignal:
    name = "discriminator"
    description = "-D(x): minus the D head's logit (critic value for hinge/Wasserstein); needs no fit"

    def unavailable(self, spec):
        return None

    def fit(self, outputs, spec, seed):
        return {}

    def score(self, outputs, state, spec):
        return -tf.cast(outputs.d_logits, tf.float32)


SIGNAL = DiscriminatorSignal()
