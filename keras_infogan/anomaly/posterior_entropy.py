"""Signal "q_entropy": how unsure Q is of x's categories, H(Q(c|x)) summed over categorical codes.

An image of a kind the generator learned to make is assigned one category with
confidence; one that fits no category spreads Q's posterior (at most log K nats
per code).
"""

from __future__ import annotations

import tensorflow as tf


class PosteriorEntropySignal:
    name = "q_entropy"
    description = "sum over categorical codes of the entropy (nats) of Q(c|x); needs no fit"

    def unavailable(self, spec):
        return None if spec.categorical_codes() else "the codes have no categorical code"

    def fit(self, outputs, spec, seed):
        return {}

    def score(self, outputs, state, spec):
        params = spec.split_params(tf.cast(outputs.q_params, tf.float32))
        total = tf.zeros(tf.shape(params[0])[:1], tf.float32)
        for code, code_params in zip(spec.codes, params):
            if code.kind == "categorical":
                total += tf.cast(code.posterior(code_params).entropy(), tf.float32)
        return total


SIGNAL = PosteriorEntropySignal()
