"""The consistency term's adversarial step (`consistency_vat`, virtual adversarial training)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_infogan import InfoGAN, TrainConfig
from keras_infogan.codes import Categorical, LatentSpec
from keras_infogan.objectives.consistency import adversarial, consistency_loss, unit_directions

SPEC = LatentSpec(noise_dim=2, codes=(Categorical(2),))
WEIGHTS = tf.constant([[1.0, -0.5], [2.0, 0.5], [-1.0, 0.0], [0.5, 1.5]])  # 4 pixels -> 2 logits


def _linear_q(images):
    return tf.reshape(images, [-1, 4]) @ WEIGHTS


def test_unit_directions_have_length_one_per_example():
    vectors = tf.constant([[[3.0, 4.0]], [[1e-25, 0.0]], [[-2.0, 0.0]], [[0.0, 0.0]]])
    lengths = np.sqrt(np.sum(np.square(unit_directions(vectors).numpy()), axis=(1, 2)))
    np.testing.assert_allclose(lengths, [1.0, 1.0, 1.0, 0.0], rtol=1e-5)  # tiny ones do not underflow; 0 stays 0
    np.testing.assert_allclose(unit_directions(vectors).numpy()[0, 0], [0.6, 0.8], rtol=1e-5)


def test_it_moves_each_image_by_epsilon_along_the_direction_q_is_most_sensitive_to():
    """For a linear Q over 2 categories the KL's Hessian is p0 p1 (w0 - w1)(w0 - w1)^T, rank
    one: one power iteration from any start lands on +-(w0 - w1), and no direction of the
    same length raises the KL more."""
    images = tf.random.stateless_uniform([5, 2, 2, 1], (1, 2), -1, 1)
    clean = _linear_q(images)
    moved = adversarial(_linear_q, SPEC, images, clean, tf.constant([3, 4]), epsilon=0.5)
    steps = tf.reshape(moved - images, [5, 4]).numpy()
    np.testing.assert_allclose(np.linalg.norm(steps, axis=1), 0.5, rtol=1e-4)
    sensitive = (WEIGHTS[:, 0] - WEIGHTS[:, 1]).numpy()
    cosines = steps @ sensitive / (np.linalg.norm(steps, axis=1) * np.linalg.norm(sensitive))
    np.testing.assert_allclose(np.abs(cosines), 1.0, atol=1e-3)
    # Along it, a small step of length e raises the KL by 1/2 e^2 lambda_max, lambda_max = p0 p1 ||w0 - w1||^2,
    # and a step of the same length in any other direction by less.
    small = adversarial(_linear_q, SPEC, images, clean, tf.constant([3, 4]), epsilon=0.01)
    p = tf.nn.softmax(clean).numpy()
    top = 0.5 * 0.01 ** 2 * p[:, 0] * p[:, 1] * np.sum(sensitive ** 2)
    kl = consistency_loss(SPEC, clean, _linear_q(small)).numpy()
    np.testing.assert_allclose(kl, top, rtol=0.05)
    for k in range(20):
        other = images + 0.01 * unit_directions(tf.random.stateless_normal([5, 2, 2, 1], (k, 9)))
        assert np.all(consistency_loss(SPEC, clean, _linear_q(other)).numpy() <= top * 1.05)


def test_it_is_a_constant_and_a_pure_function_of_its_seed():
    images = tf.Variable(tf.random.stateless_uniform([3, 2, 2, 1], (1, 2), -1, 1))
    with tf.GradientTape() as tape:
        moved = adversarial(_linear_q, SPEC, images, _linear_q(images), tf.constant([3, 4]), epsilon=0.5)
        total = tf.reduce_sum(moved)
    assert tape.gradient(total, images) is None
    again = adversarial(_linear_q, SPEC, images, _linear_q(images), tf.constant([3, 4]), epsilon=0.5)
    np.testing.assert_array_equal(moved.numpy(), again.numpy())


def test_the_model_with_it_raises_the_kl_trains_reproducibly_and_keeps_it_in_its_config():
    images = tf.random.stateless_uniform([16, 28, 28, 1], (5, 6), -1, 1)

    def run(vat, steps):
        keras.utils.set_random_seed(1)
        model = InfoGAN(consistency=1.0, consistency_vat=vat, seed=3, update="same_minibatch")
        model.compile()
        first = model.train_on_batch(images, return_dict=True)["q_consistency"]
        for _ in range(steps - 1):
            model.train_on_batch(images)
        return model, first, [variable.numpy() for variable in model.weights]

    model, kl_with, weights = run(3.0, 4)
    _, kl_without, _ = run(0.0, 1)
    assert kl_with > kl_without  # the same weights and augmentations, plus the worst-case step
    for first, second in zip(weights, run(3.0, 4)[2]):
        np.testing.assert_array_equal(first, second)
    assert InfoGAN.from_config(model.get_config()).consistency_vat == 3.0


def test_it_needs_the_consistency_term_and_a_length_of_at_least_zero():
    with pytest.raises(ValueError, match="consistency_vat must be >= 0, and 0 without the consistency term"):
        InfoGAN(consistency_vat=3.0)
    with pytest.raises(ValueError, match="consistency_vat"):
        InfoGAN(consistency=1.0, consistency_vat=-1.0)
    with pytest.raises(ValueError, match="consistency_vat must be >= 0, and 0 without the consistency term"):
        TrainConfig(consistency_vat=3.0)
    assert TrainConfig().consistency_vat == 0.0
