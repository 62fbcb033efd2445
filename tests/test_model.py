"""InfoGAN model: the train step's maths, gradient routing, save/load and the inference API."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_infogan import InfoGAN, mnist_spec
from keras_infogan import losses

BATCH = 16


def _batch(seed=0):
    return tf.constant(np.random.default_rng(seed).uniform(-1, 1, (BATCH, 28, 28, 1)).astype("float32"))


def _model(weight=1.0, lr=0.1, seed=3):
    """A model with plain SGD so a weight change is exactly lr * gradient."""
    keras.utils.set_random_seed(seed)
    model = InfoGAN(mnist_spec(cat_weight=weight, cont_weight=weight), seed=seed)
    model.compile(d_optimizer=keras.optimizers.SGD(lr), g_optimizer=keras.optimizers.SGD(lr))
    return model


def _deltas(model, step):
    before = {name: [v.numpy() for v in getattr(model, name).trainable_variables]
              for name in ("generator", "trunk", "d_head", "q_head")}
    step()
    return {name: [v.numpy() - b for v, b in zip(getattr(model, name).trainable_variables, values)]
            for name, values in before.items()}


def test_mi_gradient_reaches_generator_q_head_and_shared_trunk():
    """Same weights, data and noise; only lambda differs. Whatever the MI term
    touches must move differently; the D head (not on the MI path) must not."""
    data = _batch()
    with_mi, without_mi = _model(weight=1.0), _model(weight=0.0)
    without_mi.set_weights(with_mi.get_weights())
    a = _deltas(with_mi, lambda: with_mi.train_on_batch(data))
    b = _deltas(without_mi, lambda: without_mi.train_on_batch(data))

    def gap(name):
        return max(float(np.abs(x - y).max()) for x, y in zip(a[name], b[name]))

    assert gap("trunk") > 1e-5, "the MI gradient does not reach the shared D trunk"
    assert gap("generator") > 1e-5, "the MI gradient does not reach the generator"
    assert gap("q_head") > 1e-5, "Q is not trained by the MI term"
    assert gap("d_head") < 1e-7, "the MI term leaked into the D head"
    # With lambda = 0, Q gets no gradient at all.
    assert max(float(np.abs(d).max()) for d in b["q_head"]) == 0.0


def test_train_step_metrics_match_the_losses_computed_by_hand():
    model = _model(lr=1e-12)  # weights effectively frozen; BN uses batch statistics in training
    data = _batch()
    seed = model._step_seed(0)  # the D/Q step's draw at step 0
    logs = model.train_on_batch(data, return_dict=True)

    spec = model.latent_spec
    z, values = spec.sample(BATCH, seed)
    fake = model.generator(spec.generator_input(z, values), training=True)
    real_logits = model.d_head(model.trunk(data, training=True))
    fake_features = model.trunk(fake, training=True)
    fake_logits = model.d_head(fake_features)
    d_loss = tf.reduce_mean(losses.discriminator_loss(real_logits, fake_logits))
    info, bounds = losses.information_loss(spec, values, model.q_head(fake_features, training=True))

    assert logs["d_loss"] == pytest.approx(float(d_loss), rel=1e-4)
    assert logs["info_loss"] == pytest.approx(float(tf.reduce_mean(info)), rel=1e-4, abs=1e-5)
    assert logs["mi_cat0"] == pytest.approx(float(tf.reduce_mean(bounds[0])), rel=1e-4, abs=1e-5)
    assert logs["d_real"] == pytest.approx(float(tf.reduce_mean(tf.sigmoid(real_logits))), rel=1e-4)
    assert logs["mi_cat0"] <= math.log(10) + 1e-6
    assert set(logs) == {"d_loss", "g_loss", "info_loss", "mi_cat0", "mi_cont0", "mi_cont1", "d_real", "d_fake"}


def test_fit_improves_the_categorical_bound_and_evaluate_works():
    keras.utils.set_random_seed(0)
    model = InfoGAN(mnist_spec())
    model.compile()
    data = tf.data.Dataset.from_tensor_slices(np.repeat(_batch().numpy(), 8, axis=0)).batch(BATCH)
    history = model.fit(data, epochs=4, verbose=0).history
    assert history["mi_cat0"][-1] > history["mi_cat0"][0]
    results = model.evaluate(data, verbose=0, return_dict=True)
    assert set(results) >= {"d_loss", "g_loss", "info_loss", "mi_cat0", "d_real", "d_fake"}
    assert all(np.isfinite(v) for v in results.values())


def test_save_load_restores_weights_optimizers_and_the_next_step(tmp_path):
    model = InfoGAN(mnist_spec(), seed=5)
    model.compile(d_optimizer=keras.optimizers.Adam(3e-4, beta_1=0.5),
                  g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5))
    for seed in range(2):
        model.train_on_batch(_batch(seed))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)

    assert isinstance(loaded, InfoGAN) and loaded.latent_spec == model.latent_spec and loaded.seed == 5
    for original, restored in ((model.d_optimizer, loaded.d_optimizer), (model.g_optimizer, loaded.g_optimizer)):
        assert float(restored.learning_rate) == pytest.approx(float(original.learning_rate))
        assert int(restored.iterations) == int(original.iterations) == 2
        for a, b in zip(original.variables, restored.variables):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    z, values = model.latent_spec.sample(4, (1, 1))
    codes = [v.numpy() for v in values]
    np.testing.assert_array_equal(model.generate(z, codes), loaded.generate(z, codes))

    # A resumed run takes exactly the same next step.
    model.train_on_batch(_batch(9))
    loaded.train_on_batch(_batch(9))
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_generate_sample_encode_shapes_and_determinism():
    model = InfoGAN(mnist_spec(learn_stddev=True))
    images = model.sample(5, seed=1)
    assert images.shape == (5, 28, 28, 1) and images.min() >= -1 and images.max() <= 1
    np.testing.assert_array_equal(images, model.sample(5, seed=1))
    assert not np.allclose(images, model.sample(5, seed=2))
    encoded = model.encode(images)
    assert encoded["cat0"]["probs"].shape == (5, 10)
    np.testing.assert_allclose(encoded["cat0"]["probs"].sum(axis=1), 1.0, rtol=1e-5)
    assert encoded["cont0"]["mean"].shape == (5,) and (encoded["cont1"]["stddev"] > 0).all()
    assert model.features(images).shape == (5, 1024)

    # Batches of 2 (three calls, the last of one row) give what the networks give on the whole input.
    np.testing.assert_allclose(model.features(images, batch_size=2), model.trunk(images, training=False), atol=1e-6)
    np.testing.assert_allclose(model.q_params(images, batch_size=2),
                               model.q_head(model.trunk(images, training=False), training=False), atol=1e-6)
    z, values = model.latent_spec.sample(5, (1, 0))
    latent = model.latent_input(z.numpy(), [v.numpy() for v in values])
    np.testing.assert_allclose(model.generate(z.numpy(), [v.numpy() for v in values], batch_size=2),
                               model.generator(latent, training=False), atol=1e-6)
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        model.features(images, batch_size=0)


@pytest.mark.parametrize("z, codes, match", [
    (np.zeros((2, 61)), [[0, 1], [0.0, 0.0], [0.0, 0.0]], r"z must have shape \[n, 62\]"),
    (np.zeros((2, 62)), [[0, 1], [0.0, 0.0]], "expected 3 code arrays"),
    (np.zeros((2, 62)), [[0, 10], [0.0, 0.0], [0.0, 0.0]], r"'cat0' ids must lie in \[0, 9\]"),
    (np.zeros((2, 62)), [[-1, 0], [0.0, 0.0], [0.0, 0.0]], r"'cat0' ids must lie in \[0, 9\]"),
    (np.zeros((2, 62)), [[0.5, 1.0], [0.0, 0.0], [0.0, 0.0]], "integer category ids"),
    (np.zeros((2, 62)), [[0, 1], [0.0], [0.0, 0.0]], r"'cont0' must have shape \[2\]"),
    (np.zeros((2, 62)), [[0, 1], [np.nan, 0.0], [0.0, 0.0]], "non-finite"),
])
def test_generate_rejects_bad_latents(z, codes, match):
    with pytest.raises(ValueError, match=match):
        InfoGAN().generate(z, [np.asarray(c) for c in codes])


@pytest.mark.parametrize("images, match", [
    (np.zeros((2, 28, 28)), r"shape \[n, 28, 28, 1\]"),
    (np.zeros((2, 32, 32, 1), "float32"), r"shape \[n, 28, 28, 1\]"),
    (np.zeros((0, 28, 28, 1), "float32"), "empty"),
    (np.zeros((2, 28, 28, 1), "uint8"), "scale_images"),
    (np.full((2, 28, 28, 1), 255.0), r"\[-1, 1\]"),
])
def test_encode_rejects_bad_images(images, match):
    with pytest.raises(ValueError, match=match):
        InfoGAN().encode(images)


def test_model_must_be_compiled_before_it_saves_a_compile_config():
    assert InfoGAN().get_compile_config() is None


def test_info_weight_zero_is_the_gan_baseline_q_learns_g_is_not_rewarded():
    """info_weight only changes G's loss: D, the trunk and Q take identical steps."""
    data = _batch()
    infogan = _model()
    baseline = InfoGAN(infogan.latent_spec, seed=3, info_weight=0.0)
    baseline.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
    baseline.set_weights(infogan.get_weights())
    a = _deltas(baseline, lambda: baseline.train_on_batch(data))
    b = _deltas(infogan, lambda: infogan.train_on_batch(data))
    for name in ("trunk", "d_head", "q_head"):
        for x, y in zip(a[name], b[name]):
            np.testing.assert_allclose(x, y, atol=1e-7)
    assert max(float(np.abs(x - y).max()) for x, y in zip(a["generator"], b["generator"])) > 1e-5


def test_probe_baseline_is_a_plain_gan_with_a_q_that_only_measures():
    """probe=True: trunk, D head and G take exactly the steps of a GAN with no MI term at all
    (lambda = 0), while Q learns; the shared-trunk baseline's trunk does not (Q's loss trains it)."""
    data = _batch()
    plain_gan = _model(weight=0.0)
    steps = {"plain": _deltas(plain_gan, lambda: plain_gan.train_on_batch(data))}
    for name, kwargs in (("probe", dict(info_weight=0.0, probe=True)), ("shared_trunk", dict(info_weight=0.0))):
        model = InfoGAN(mnist_spec(), seed=3, **kwargs)
        model.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
        model.set_weights(_model(weight=0.0).get_weights())  # the plain GAN's starting weights
        steps[name] = _deltas(model, lambda: model.train_on_batch(data))

    def gap(a, b, net):
        return max(float(np.abs(x - y).max()) for x, y in zip(steps[a][net], steps[b][net]))

    for net in ("trunk", "d_head", "generator"):
        assert gap("probe", "plain", net) < 1e-7, f"the probe's Q loss reached the {net}"
    assert max(float(np.abs(d).max()) for d in steps["probe"]["q_head"]) > 1e-5, "the probe Q does not learn"
    assert gap("shared_trunk", "plain", "trunk") > 1e-5  # today's baseline: Q's loss trains the trunk
    restored = InfoGAN.from_config(InfoGAN(info_weight=0.0, probe=True).get_config())
    assert restored.probe and restored.info_weight == 0.0
    with pytest.raises(ValueError, match="info_weight must be 0"):
        InfoGAN(probe=True)


def test_info_reward_ramp():
    model = InfoGAN(info_weight=2.0, info_delay_steps=2, info_ramp_steps=2)
    model.compile()
    scales = []
    for step in range(6):
        model.d_optimizer.iterations.assign(step)
        scales.append(float(model._info_reward_scale()))
    assert scales == [0.0, 0.0, 1.0, 2.0, 2.0, 2.0]
    with pytest.raises(ValueError, match="info_weight"):
        InfoGAN(info_weight=-1.0)
