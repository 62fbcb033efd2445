"""Adversarial and information losses against hand-computed values."""

import math

import numpy as np
import tensorflow as tf

from keras_infogan import losses
from keras_infogan.codes import Categorical, LatentSpec, Uniform


def _sigmoid(x):
    return 1 / (1 + math.exp(-x))


def test_discriminator_loss_by_hand():
    real, fake = tf.constant([[2.0], [0.0]]), tf.constant([[-1.0], [3.0]])
    expected = [-math.log(_sigmoid(2.0)) - math.log(1 - _sigmoid(-1.0)),
                -math.log(_sigmoid(0.0)) - math.log(1 - _sigmoid(3.0))]
    np.testing.assert_allclose(losses.discriminator_loss(real, fake), expected, rtol=1e-6)


def test_generator_loss_is_non_saturating():
    fake = tf.constant([[-4.0], [0.0], [4.0]])
    expected = [-math.log(_sigmoid(v)) for v in (-4.0, 0.0, 4.0)]
    np.testing.assert_allclose(losses.generator_loss(fake), expected, rtol=1e-6)
    # Non-saturating: a confident D (logit -4) still gives G a strong gradient.
    with tf.GradientTape() as tape:
        x = tf.constant([[-4.0]])
        tape.watch(x)
        loss = losses.generator_loss(x)
    assert abs(float(tape.gradient(loss, x)[0, 0])) > 0.9


def test_information_loss_weights_each_code():
    spec = LatentSpec(noise_dim=4, codes=(Categorical(4, weight=2.0), Uniform(weight=0.5)))
    values = [tf.constant([1]), tf.constant([0.3])]
    params = tf.constant([[0.0, 0.0, 0.0, 0.0, 0.3]])  # uniform Q for the category, exact mean
    loss, bounds = losses.information_loss(spec, values, params)
    cont_bound = -0.5 * math.log(2 * math.pi) + math.log(2)
    np.testing.assert_allclose(bounds[0], [0.0], atol=1e-6)
    np.testing.assert_allclose(bounds[1], [cont_bound], rtol=1e-6)
    np.testing.assert_allclose(loss, [-(2.0 * 0.0 + 0.5 * cont_bound)], rtol=1e-6)
