"""Q's augmentation consistency on real images (beyond the paper): the warp, the KL, the model's use of it."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_infogan import InfoGAN, TrainConfig
from keras_infogan.codes import Categorical, LatentSpec, Uniform
from keras_infogan.objectives.consistency import affine, augment, consistency_loss
from keras_infogan.presets import preset_config


def _dot(row, col, size=5):
    image = -np.ones((1, size, size, 1), np.float32)
    image[0, row, col, 0] = 1.0
    return image


def test_affine_rotates_clockwise_shifts_and_keeps_the_identity():
    no_angle, no_shift, unit = tf.zeros([1]), tf.zeros([1, 2]), tf.ones([1])
    quarter = affine(_dot(0, 2), tf.constant([math.pi / 2]), no_shift, unit).numpy()
    np.testing.assert_allclose(quarter, _dot(2, 4), atol=1e-5)  # top middle -> right middle
    moved = affine(_dot(0, 2), no_angle, tf.constant([[1.0, 0.5]]), unit).numpy()[0, :, :, 0]
    expected = -np.ones((5, 5))
    expected[0, 3] = expected[1, 3] = 0.0  # one pixel right, half a pixel down: bilinear halves
    np.testing.assert_allclose(moved, expected, atol=1e-5)
    doubled = affine(_dot(1, 2), no_angle, no_shift, tf.constant([2.0])).numpy()[0, :, :, 0]
    assert doubled[0, 2] == pytest.approx(1.0) and doubled[1, 2] == pytest.approx(0.0)  # 1 above the centre -> 2
    assert doubled[2, 2] == pytest.approx(-1.0) and doubled[0, 1] == pytest.approx(0.0)  # and twice as wide
    images = tf.random.stateless_uniform([3, 28, 28, 1], (1, 2), -1, 1)
    same = affine(images, tf.zeros([3]), tf.zeros([3, 2]), tf.ones([3]))
    np.testing.assert_array_equal(same.numpy(), images.numpy())


def test_augment_is_a_pure_function_of_its_seed_and_stays_in_range():
    images = tf.random.stateless_uniform([16, 28, 28, 1], (3, 4), -1, 1)
    first, again, other = (augment(images, seed) for seed in ((1, 2), (1, 2), (1, 3)))
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    assert not np.allclose(first.numpy(), other.numpy())
    assert float(tf.reduce_min(first)) >= -1.0 - 1e-6 and float(tf.reduce_max(first)) <= 1.0 + 1e-6
    still = augment(images, (1, 2), max_degrees=0, max_shift=0, max_zoom=0, strokes=False)
    np.testing.assert_allclose(still.numpy(), images.numpy(), atol=1e-6)
    compiled = tf.function(lambda x: augment(x, tf.constant([1, 2])), jit_compile=True)(images)  # XLA too
    assert compiled.shape == images.shape


def test_consistency_is_the_kl_of_the_categorical_codes_with_the_clean_posterior_fixed():
    spec = LatentSpec(noise_dim=2, codes=(Categorical(2), Uniform(), Categorical(3)))
    clean = tf.constant([[0.0, math.log(3.0), 5.0, 0.0, 0.0, 0.0]])  # p = (1/4, 3/4); the mean; uniform over 3
    augmented = tf.Variable([[0.0, 0.0, -5.0, 0.0, 0.0, math.log(2.0)]])  # q = (1/2, 1/2); (1/4, 1/4, 1/2)
    with tf.GradientTape() as tape:
        loss = consistency_loss(spec, clean, augmented)
    by_hand = (0.25 * math.log(0.25 / 0.5) + 0.75 * math.log(0.75 / 0.5)
               + (1 / 3) * (math.log((1 / 3) / 0.25) * 2 + math.log((1 / 3) / 0.5)))
    np.testing.assert_allclose(loss.numpy(), [by_hand], rtol=1e-5)  # the continuous code's outputs are ignored
    grad = tape.gradient(loss, augmented).numpy()
    assert grad[0, 2] == 0 and np.any(grad[0, :2] != 0) and np.any(grad[0, 3:] != 0)
    np.testing.assert_allclose(consistency_loss(spec, clean, clean).numpy(), [0.0], atol=1e-6)


def test_the_model_trains_q_on_it_and_keeps_it_in_its_config():
    model = InfoGAN(consistency=0.5, seed=3)
    model.compile()
    images = tf.random.stateless_uniform([8, 28, 28, 1], (5, 6), -1, 1)
    logs = model.train_on_batch(images, return_dict=True)
    assert logs["q_consistency"] > 0
    assert InfoGAN.from_config(model.get_config()).consistency == 0.5
    with pytest.raises(ValueError, match="probe"):
        InfoGAN(consistency=0.5, probe=True, info_weight=0.0)
    with pytest.raises(ValueError, match="probe baseline.*contradicts"):
        TrainConfig(consistency=0.5, baseline="probe")
    assert TrainConfig().consistency == 0.0  # the paper's objective unless asked for (or by the MNIST preset)
    assert TrainConfig(baseline="shared-trunk", consistency=1.0).consistency == 1.0  # only G's reward goes


def test_identical_runs_with_it_end_with_identical_weights():
    """Three trunk passes per step once summed their gradients in an order that varied
    between runs (weights differed by 1e-3 after 6 steps); `replicas.sum_gradients` fixes it."""
    images = tf.random.stateless_uniform([32, 28, 28, 1], (5, 6), -1, 1)

    def weights_after_steps():
        keras.utils.set_random_seed(1)
        model = InfoGAN(consistency=1.0, seed=3, update="same_minibatch")
        model.compile()
        for _ in range(6):
            model.train_on_batch(images)
        return [variable.numpy() for variable in model.weights]

    for first, second in zip(weights_after_steps(), weights_after_steps()):
        np.testing.assert_array_equal(first, second)


def test_the_mnist_preset_uses_it_and_its_probe_baseline_does_not():
    assert preset_config("mnist").consistency == 1.0 and preset_config("svhn").consistency == 0.0
    assert preset_config("mnist", baseline="probe").consistency == 0.0
    assert preset_config("mnist", baseline="shared-trunk").consistency == 1.0
    with pytest.raises(ValueError, match="probe baseline.*contradicts"):
        preset_config("mnist", baseline="probe", consistency=1.0)  # asked for by name: refused, not dropped
