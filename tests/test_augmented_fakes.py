"""The categorical codes' information term read from augmented fakes (beyond the paper)."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_infogan import InfoGAN, TrainConfig
from keras_infogan.__main__ import _parser
from keras_infogan.codes import Categorical, LatentSpec, Uniform
from keras_infogan.objectives import augmented_fakes
from keras_infogan.objectives.consistency import augment
from keras_infogan.presets import PRESETS, preset_config

SEED = tf.constant([4, 9])


def test_categories_are_read_on_augmented_fakes_and_continuous_codes_on_the_fakes():
    """Hand-computed: a linear Q on flattened pixels, one Cat(3) (lambda 1) and one U(-1, 1) (lambda 0.5)."""
    spec = LatentSpec(noise_dim=2, codes=(Categorical(3, weight=1.0), Uniform(weight=0.5)))
    fake = tf.random.stateless_uniform([4, 6, 6, 1], (1, 2), -1, 1)
    weights = tf.random.stateless_normal([36, 4], (3, 4), stddev=0.3)

    def trunk(images, training):
        assert training
        return tf.reshape(images, [-1, 36])

    def q_head(features, training):
        return features @ weights

    values = [tf.constant([0, 2, 1, 2]), tf.constant([0.5, -0.25, 0.0, 0.9])]
    clean, moved, bounds = augmented_fakes.information(trunk, q_head, spec, values, fake, q_head(trunk(fake, True),
                                                                                                   True), SEED)
    logits = (tf.reshape(augment(fake, SEED), [-1, 36]) @ weights).numpy()[:, :3]
    log_q = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    cat_bound = log_q[np.arange(4), [0, 2, 1, 2]] + math.log(3)  # log Q(c | aug x) + H(c)
    mean = (tf.reshape(fake, [-1, 36]) @ weights).numpy()[:, 3]
    cont_bound = -0.5 * (values[1].numpy() - mean) ** 2 - 0.5 * math.log(2 * math.pi) + math.log(2)
    np.testing.assert_allclose(bounds[0].numpy(), cat_bound, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(bounds[1].numpy(), cont_bound, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(moved.numpy(), -cat_bound, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(clean.numpy(), -0.5 * cont_bound, rtol=1e-5, atol=1e-5)
    clean_logits = (tf.reshape(fake, [-1, 36]) @ weights).numpy()[:, :3]
    assert not np.allclose(logits, clean_logits, atol=1e-3)  # the categories really were read elsewhere


def test_the_moved_part_trains_the_generator_and_the_trunk():
    model = InfoGAN(augment_fakes=True, seed=1)
    model.compile()
    spec = model.latent_spec
    z, values = spec.sample(8, (2, 3))
    with tf.GradientTape(persistent=True) as tape:
        fake = model.generator(spec.generator_input(z, values), training=True)
        params = model.q_head(model.trunk(fake, training=True), training=True)
        info, moved, _ = model._information(values, fake, params, stream=6)
        moved = tf.reduce_mean(moved)
    for variables in (model.generator.trainable_variables, model.trunk.trainable_variables):
        grads = tape.gradient(moved, variables)
        assert all(g is not None for g in grads) and any(float(tf.reduce_max(tf.abs(g))) > 0 for g in grads)
    off = InfoGAN(seed=1)
    off.compile()
    assert off._information(values, fake, params, stream=6)[1] is None  # off: one loss, as the paper's


def test_a_run_saved_and_resumed_ends_where_an_uninterrupted_run_does(tmp_path):
    """Three trunk passes (real, fake, augmented fakes) and the consistency term's fourth, each with
    a backward pass of its own: six steps straight equal three, save, load, three more.

    Equal to float rounding, not bit for bit: the project's CI (two test workers; its CPU not recorded)
    once saw 1.5e-8 on weights of about 0.07 (probably the order of a sum of gradients, which can vary with
    how TensorFlow schedules the step's ops). A lost optimizer state or step counter (the step's
    random draws come from it) moves the weights by about a step's change or more (zeroed Adam
    moments after loading: 1.0), which the tolerance is checked to be far below (one step changes
    every weight array by over 2e-4 of its largest entry)."""
    images = tf.random.stateless_uniform([32, 28, 28, 1], (5, 6), -1, 1)

    def new_model():
        keras.utils.set_random_seed(1)
        model = InfoGAN(consistency=1.0, augment_fakes=True, seed=3, update="same_minibatch")
        model.compile()
        return model

    def weights(model):
        return [v.numpy() for v in model.weights + model.d_optimizer.variables + model.g_optimizer.variables]

    def changes(first, second):  # per array, the largest change relative to the array's largest entry
        return [float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), 1e-30)) for a, b in zip(first, second)]

    straight = new_model()
    for _ in range(5):
        straight.train_on_batch(images)
    after_five = [v.numpy() for v in straight.weights]
    straight.train_on_batch(images)
    halfway = new_model()
    for _ in range(3):
        halfway.train_on_batch(images)
    halfway.save(tmp_path / "halfway.keras")
    resumed = keras.saving.load_model(tmp_path / "halfway.keras")
    assert resumed.augment_fakes and resumed.consistency == 1.0
    for _ in range(3):
        logs = resumed.train_on_batch(images, return_dict=True)
    assert math.isfinite(logs["info_loss"]) and logs["q_consistency"] > 0
    assert int(resumed.d_optimizer.iterations) == int(resumed.g_optimizer.iterations) == 6
    tolerance = 1e-5
    assert min(changes(after_five, [v.numpy() for v in straight.weights])) > 10 * tolerance  # every array's step
    assert max(changes(weights(straight), weights(resumed))) <= tolerance


def test_the_alternating_g_step_takes_it_too():
    images = tf.random.stateless_uniform([16, 28, 28, 1], (7, 8), -1, 1)
    runs = []
    for augment_fakes in (False, True):
        keras.utils.set_random_seed(2)
        model = InfoGAN(augment_fakes=augment_fakes, seed=3, update="alternating")
        model.compile()
        model.train_on_batch(images)
        runs.append([v.numpy() for v in model.generator.trainable_variables])
    assert any(not np.array_equal(a, b) for a, b in zip(*runs))


def test_settings_are_checked_kept_and_off_by_default():
    assert InfoGAN.from_config(InfoGAN(augment_fakes=True).get_config()).augment_fakes is True
    assert TrainConfig().augment_fakes is False
    assert all(preset_config(name).augment_fakes is False for name in PRESETS)
    with pytest.raises(ValueError, match="probe"):
        InfoGAN(augment_fakes=True, probe=True, info_weight=0.0)
    with pytest.raises(ValueError, match="probe"):
        TrainConfig(augment_fakes=True, baseline="probe")
    with pytest.raises(ValueError, match="none: add a cat<K> code"):
        TrainConfig(augment_fakes=True, codes="cont,cont")
    assert TrainConfig(augment_fakes=True, baseline="shared-trunk").augment_fakes  # Q still trains the trunk
    args = _parser().parse_args(["train", "--augment-fakes", "--out", str("runs/x")])
    assert args.augment_fakes is True
