"""Adversarial objectives, gradient penalties, label smoothing and update schedules
(keras_infogan.objectives; docs/objectives.md): known answers, then the InfoGAN settings."""

import contextlib
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from numpy.polynomial.hermite_e import hermegauss

from keras_infogan import InfoGAN, TrainConfig, build_model, mnist_spec
from keras_infogan.__main__ import _config_from_args, _parser
from keras_infogan.objectives import GAN_LOSSES, check_settings, penalties

SCRIPTS = Path(__file__).resolve().parent / "distributed"
REPO = Path(__file__).resolve().parents[1]
NEW_SETTINGS = ("gan_loss", "gradient_penalty", "penalty", "label_smoothing", "d_steps", "update")
WGAN_GP = {"gan_loss": "wasserstein_gp", "gradient_penalty": 10.0, "penalty": "wgan_gp"}


def _sigmoid(x):
    return 1 / (1 + math.exp(-x))


def _relu_step(x):  # derivative of max(0, x)
    return 1.0 if x > 0 else 0.0


def _value_and_gradients(fn, *logits):
    """fn's per-example values and the gradient of their sum for each [n, 1] logits input."""
    tensors = [tf.constant([[v] for v in values]) for values in logits]
    with tf.GradientTape() as tape:
        tape.watch(tensors)
        values = fn(*tensors)
        total = tf.reduce_sum(values)
    return values.numpy(), [g.numpy()[:, 0] for g in tape.gradient(total, tensors)]


# ---- each loss's value and gradient at hand-computed logits ----

REAL, FAKE = [2.0, -0.5], [-1.5, 3.0]
_BCE_D = (lambda r, f: -math.log(_sigmoid(r)) - math.log(1 - _sigmoid(f)),  # value, d/dr, d/df
          lambda r: _sigmoid(r) - 1, lambda f: _sigmoid(f))
HAND = {  # name: (D value, dD/dr, dD/df), (G value, dG/df)
    "non_saturating": (_BCE_D, (lambda f: -math.log(_sigmoid(f)), lambda f: _sigmoid(f) - 1)),
    "minimax": (_BCE_D, (lambda f: math.log(1 - _sigmoid(f)), lambda f: -_sigmoid(f))),
    "maximum_likelihood": (_BCE_D, (lambda f: -math.exp(f), lambda f: -math.exp(f))),
    "hinge": ((lambda r, f: max(0, 1 - r) + max(0, 1 + f), lambda r: -_relu_step(1 - r), lambda f: _relu_step(1 + f)),
              (lambda f: -f, lambda f: -1.0)),
    "least_squares": ((lambda r, f: 0.5 * (r - 1) ** 2 + 0.5 * f ** 2, lambda r: r - 1, lambda f: f),
                      (lambda f: 0.5 * (f - 1) ** 2, lambda f: f - 1)),
    "wasserstein_gp": ((lambda r, f: f - r, lambda r: -1.0, lambda f: 1.0), (lambda f: -f, lambda f: -1.0)),
}


@pytest.mark.parametrize("name", sorted(HAND))
def test_loss_values_and_gradients_by_hand(name):
    (d_value, d_real, d_fake), (g_value, g_fake) = HAND[name]
    objective = GAN_LOSSES[name]
    values, (grad_real, grad_fake) = _value_and_gradients(objective.discriminator, REAL, FAKE)
    np.testing.assert_allclose(values, [d_value(r, f) for r, f in zip(REAL, FAKE)], rtol=1e-6)
    np.testing.assert_allclose(grad_real, [d_real(r) for r in REAL], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(grad_fake, [d_fake(f) for f in FAKE], rtol=1e-6, atol=1e-7)
    values, (grad_fake,) = _value_and_gradients(objective.generator, FAKE)
    np.testing.assert_allclose(values, [g_value(f) for f in FAKE], rtol=1e-6)
    np.testing.assert_allclose(grad_fake, [g_fake(f) for f in FAKE], rtol=1e-6, atol=1e-7)
    assert values.shape == (2,) and objective.probability == (name in ("non_saturating", "minimax",
                                                                       "maximum_likelihood"))


def test_minimax_gradient_vanishes_when_d_rejects_fakes_non_saturating_does_not():
    logits = [-2.0, -5.0, -10.0, -20.0]  # D(G(z)) = sigma(l) -> 0
    _, (minimax,) = _value_and_gradients(GAN_LOSSES["minimax"].generator, logits)
    _, (non_saturating,) = _value_and_gradients(GAN_LOSSES["non_saturating"].generator, logits)
    assert np.all(np.diff(np.abs(minimax)) < 0) and abs(minimax[-1]) < 1e-8  # -sigma(l)
    assert np.all(np.abs(non_saturating) > 0.88)  # sigma(l) - 1 -> -1


def test_maximum_likelihood_expected_gradient_is_the_kl_direction():
    """The tutorial's claim (section 3.2.3, after Goodfellow 2014): with D optimal and held
    fixed, E_z of the gradient of -exp(sigma^-1(D(G(z)))) is the gradient of KL(p_data || p_model).
    1-D toy: p_data = N(mu, 1), G(z) = theta + z with z ~ N(0, 1), so the optimal logit is
    log p_data(x) - log p_model(x) = (mu - theta) x + (theta^2 - mu^2) / 2 and
    d/dtheta KL = theta - mu. E_z by 60-point Gauss-Hermite quadrature (exact here up to round-off)."""
    nodes, weights = hermegauss(60)
    weights = tf.constant(weights / math.sqrt(2 * math.pi), tf.float32)
    mu = 0.5
    for theta0 in (-1.0, 0.0, 0.8, 1.5):
        theta = tf.Variable(theta0)
        expected = {}
        for name in ("maximum_likelihood", "non_saturating"):
            with tf.GradientTape() as tape:
                x = theta + tf.constant(nodes, tf.float32)
                optimal_logit = (mu - theta0) * x + (theta0 ** 2 - mu ** 2) / 2  # theta0: D held fixed
                loss = tf.reduce_sum(weights * GAN_LOSSES[name].generator(optimal_logit[:, None]))
            expected[name] = float(tape.gradient(loss, theta))
        assert expected["maximum_likelihood"] == pytest.approx(theta0 - mu, rel=1e-4, abs=1e-6)
        if theta0 != mu:  # the non-saturating game's expected gradient is another one
            assert abs(expected["non_saturating"] - (theta0 - mu)) > 0.05


def test_bce_discriminator_approaches_p_data_over_p_data_plus_p_model():
    """p_data = N(1, 1), p_model = N(-1, 1): the optimal D is p_data / (p_data + p_model) = sigma(2x)."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    real = tf.constant(rng.normal(1.0, 1.0, (8192, 1)), tf.float32)
    fake = tf.constant(rng.normal(-1.0, 1.0, (8192, 1)), tf.float32)
    critic = keras.Sequential([keras.Input((1,)), keras.layers.Dense(16, activation="tanh"), keras.layers.Dense(1)])
    optimizer = keras.optimizers.Adam(0.02)

    @tf.function
    def train(steps):
        for _ in tf.range(steps):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(GAN_LOSSES["non_saturating"].discriminator(critic(real), critic(fake)))
            optimizer.apply_gradients(zip(tape.gradient(loss, critic.trainable_variables), critic.trainable_variables))

    train(tf.constant(600))
    x = np.linspace(-2.5, 2.5, 51, dtype="float32")[:, None]
    p_data, p_model = np.exp(-(x - 1) ** 2 / 2), np.exp(-(x + 1) ** 2 / 2)
    d = keras.ops.convert_to_numpy(tf.sigmoid(critic(x)))
    assert np.abs(d - p_data / (p_data + p_model)).max() < 0.03


def _linear_critic(slope):
    """D(x) = <slope, x> + 0.3 on [n, 2, 2, 1] images: grad_x D = slope for every x."""
    w = tf.Variable(np.reshape(slope, (1, 2, 2, 1)).astype("float32"))
    return w, lambda images: tf.reduce_sum(w * images, axis=[1, 2, 3])[:, None] + 0.3


def test_gradient_penalties_of_a_linear_critic_with_known_slope():
    slope = np.array([0.5, -1.0, 2.0, 0.5])
    norm = math.sqrt(float(slope @ slope))  # sqrt(5.5)
    rng = np.random.default_rng(1)
    real, fake = (tf.constant(rng.uniform(-1, 1, (3, 2, 2, 1)), tf.float32) for _ in range(2))
    seed = tf.constant([4, 2])
    w, critic = _linear_critic(slope)
    known = [("r1", 0.5 * norm ** 2, slope),  # 1/2 ||w||^2, gradient w
             ("wgan_gp", (norm - 1) ** 2, 2 * (norm - 1) * slope / norm)]  # (||w|| - 1)^2
    for kind, value, grad in known:
        with tf.GradientTape() as tape:
            per_example = penalties.penalty(kind, critic, real, fake, seed)
            mean = tf.reduce_mean(per_example)
        np.testing.assert_allclose(per_example, [value] * 3, rtol=1e-5)
        np.testing.assert_allclose(tape.gradient(mean, w).numpy().ravel(), grad, rtol=1e-5)
        np.testing.assert_allclose(penalties.penalty(kind, critic, real, fake, seed, scale=1024.0), per_example,
                                   rtol=1e-6)  # a loss scale is undone
    # WGAN-GP's interpolates: one e in [0, 1) per example, on the segment from fake to real.
    e = (penalties.interpolates(real, fake, seed) - fake) / (real - fake)
    e = tf.reshape(e, [3, -1]).numpy()
    np.testing.assert_allclose(e, e[:, :1].repeat(4, axis=1), rtol=1e-4)
    assert np.all((e >= 0) & (e < 1)) and len(set(e[:, 0].round(4))) == 3
    with pytest.raises(ValueError, match="penalty must be one of"):
        penalties.penalty("l2", critic, real, fake, seed)


@pytest.mark.parametrize("name", ["non_saturating", "least_squares"])
def test_one_sided_label_smoothing_changes_only_the_real_term(name):
    objective = GAN_LOSSES[name]
    smoothed = lambda r, f: objective.discriminator(r, f, 0.9)  # noqa: E731
    values, grads = _value_and_gradients(smoothed, REAL, FAKE)
    plain_values, plain_grads = _value_and_gradients(objective.discriminator, REAL, FAKE)
    if name == "non_saturating":  # -0.9 log D(x) - 0.1 log(1 - D(x)) - log(1 - D(G(z)))
        real_term = [-0.9 * math.log(_sigmoid(r)) - 0.1 * math.log(1 - _sigmoid(r)) for r in REAL]
        fake_term = [-math.log(1 - _sigmoid(f)) for f in FAKE]
        real_grad = [_sigmoid(r) - 0.9 for r in REAL]
    else:  # 1/2 (D(x) - 0.9)^2 + 1/2 D(G(z))^2
        real_term, fake_term = [0.5 * (r - 0.9) ** 2 for r in REAL], [0.5 * f ** 2 for f in FAKE]
        real_grad = [r - 0.9 for r in REAL]
    np.testing.assert_allclose(values, np.add(real_term, fake_term), rtol=1e-6)
    np.testing.assert_allclose(grads[0], real_grad, rtol=1e-5)
    np.testing.assert_array_equal(grads[1], plain_grads[1])  # the fake term is untouched
    assert not np.allclose(values, plain_values)
    other_fake = [0.25, -2.0]
    np.testing.assert_allclose(smoothed(np.array(REAL)[:, None], np.array(other_fake)[:, None]) - values,
                               objective.discriminator(np.array(REAL)[:, None], np.array(other_fake)[:, None])
                               - plain_values, atol=1e-6)  # smoothing's change does not depend on the fakes
    for other in ("hinge", "wasserstein_gp"):
        with pytest.raises(ValueError, match="no target to smooth"):
            GAN_LOSSES[other].discriminator(np.array(REAL)[:, None], np.array(FAKE)[:, None], 0.9)


# ---- InfoGAN with the settings ----

def _images(n=8, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1)).astype("float32")


def _sgd_model(seed=3, **settings):
    keras.utils.set_random_seed(seed)
    model = InfoGAN(mnist_spec(), seed=seed, **settings)
    model.compile(d_optimizer=keras.optimizers.SGD(0.05), g_optimizer=keras.optimizers.SGD(0.05))
    return model


@pytest.mark.parametrize("update, strategy", [("alternating", None), ("same_minibatch", "mirrored")])
def test_d_steps_advance_d_k_times_per_g_step(update, strategy):
    """Graph mode. Under a (one-device) MirroredStrategy, with a gradient penalty, the G
    step's tf.cond runs in cross-replica context (2 replicas: test_under_mirrored_strategy_...)."""
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0"]) if strategy else None
    with mirrored.scope() if mirrored else contextlib.nullcontext():
        model = _sgd_model(d_steps=3, update=update, gradient_penalty=1.0 if mirrored else 0.0)
    g_moved = []
    for call in range(6):
        before = [v.numpy() for v in model.generator.trainable_weights]
        model.train_on_batch(_images(seed=call))
        g_moved.append(any(not np.array_equal(v.numpy(), b) for v, b in zip(model.generator.trainable_weights, before)))
        assert int(model.d_optimizer.iterations.numpy()) == call + 1
        assert int(model.g_optimizer.iterations.numpy()) == (call + 1) // 3
    assert g_moved == [False, False, True, False, False, True]


def test_explicit_defaults_take_exactly_the_default_steps():
    """The default path: InfoGAN() and InfoGAN(<every new setting at its default>) take
    bit-identical steps (weights, optimizer state, logs) over 3 steps."""
    defaults = dict(gan_loss="non_saturating", gradient_penalty=0.0, penalty="r1", label_smoothing=1.0, d_steps=1,
                    update="alternating")
    models = []
    for settings in ({}, defaults):
        keras.utils.set_random_seed(11)
        model = InfoGAN(mnist_spec(), seed=11, **settings)
        model.compile()
        logs = [model.train_on_batch(_images(16, seed=step), return_dict=True) for step in range(3)]
        models.append((model, logs))
    (a, a_logs), (b, b_logs) = models
    assert a_logs == b_logs and "d_penalty" not in a_logs[-1]
    for x, y in zip(a.weights + a.d_optimizer.variables + a.g_optimizer.variables,
                    b.weights + b.d_optimizer.variables + b.g_optimizer.variables):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    assert {key: a.get_config()[key] for key in NEW_SETTINGS} == defaults


def test_settings_are_saved_restored_and_built_from_a_train_config(tmp_path):
    settings = dict(gan_loss="least_squares", gradient_penalty=2.0, penalty="r1", label_smoothing=0.9, d_steps=2,
                    update="same_minibatch")
    model = InfoGAN(mnist_spec(), **settings)
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    assert {key: getattr(loaded, key) for key in NEW_SETTINGS} == settings
    assert loaded.objective is GAN_LOSSES["least_squares"] and "d_penalty" in [m.name for m in loaded.metrics]
    # A model saved before these settings existed loads with the defaults.
    old = {key: value for key, value in model.get_config().items() if key not in NEW_SETTINGS}
    restored = InfoGAN.from_config(old)
    assert (restored.gan_loss, restored.gradient_penalty, restored.label_smoothing, restored.d_steps,
            restored.update) == ("non_saturating", 0.0, 1.0, 1, "alternating")
    built = build_model(TrainConfig(**settings))
    assert {key: getattr(built, key) for key in NEW_SETTINGS} == settings


def test_flags_reach_the_train_config():
    args = _parser().parse_args(["train", "--out", "run", "--gan-loss", "hinge", "--gradient-penalty", "1.5",
                                 "--penalty", "wgan_gp", "--d-steps", "5", "--update", "same_minibatch"])
    config = _config_from_args(args)
    assert (config.gan_loss, config.gradient_penalty, config.penalty, config.d_steps, config.update) == (
        "hinge", 1.5, "wgan_gp", 5, "same_minibatch")
    assert _config_from_args(_parser().parse_args(["train", "--out", "run", "--label-smoothing", "0.9"])
                             ).label_smoothing == 0.9
    with pytest.raises(SystemExit):
        _parser().parse_args(["train", "--out", "run", "--gan-loss", "vanilla"])


@pytest.mark.parametrize("settings, match", [
    ({"d_steps": 0}, r"d_steps must be an integer >= 1"),
    ({"label_smoothing": 0.0}, r"label_smoothing must be in \(0, 1\]"),
    ({"label_smoothing": 1.1}, r"label_smoothing must be in \(0, 1\]"),
    ({"gan_loss": "hinge", "label_smoothing": 0.9}, "gan_loss 'hinge' has none"),
    (dict(WGAN_GP, label_smoothing=0.9), "gan_loss 'wasserstein_gp' has none"),
    ({"gan_loss": "wasserstein_gp"}, "needs its Lipschitz penalty"),
    ({"gan_loss": "wasserstein_gp", "gradient_penalty": 10.0}, "needs its Lipschitz penalty"),
    ({"gan_loss": "vanilla"}, "gan_loss must be one of"),
    ({"gradient_penalty": -1.0}, "gradient_penalty must be a finite weight >= 0"),
    ({"penalty": "l2"}, "penalty must be one of"),
    ({"update": "simultaneous"}, "update must be one of"),
])
def test_invalid_settings_are_refused(settings, match):
    for make in (check_settings, TrainConfig, InfoGAN):
        with pytest.raises(ValueError, match=match):
            make(**settings)


SMOKE = [("non_saturating", {}), ("minimax", {}), ("maximum_likelihood", {"label_smoothing": 0.9}), ("hinge", {}),
         ("least_squares", {"gradient_penalty": 1.0}), ("wasserstein_gp", WGAN_GP)]


@pytest.mark.parametrize("update", ["alternating", "same_minibatch"])
@pytest.mark.parametrize("gan_loss, settings", SMOKE, ids=[name for name, _ in SMOKE])
def test_two_steps_of_every_objective_and_update(gan_loss, settings, update):
    """Eager (fast to start); d_steps 2 in graph mode is in test_d_steps_... and the distributed checks."""
    keras.utils.set_random_seed(1)
    model = InfoGAN(mnist_spec(), seed=1, update=update, **dict(settings, gan_loss=gan_loss))
    model.compile(run_eagerly=True)
    nets = (model.generator, model.trunk, model.d_head, model.q_head)
    before = [[v.numpy() for v in net.trainable_weights] for net in nets]
    for step in range(2):
        logs = model.train_on_batch(_images(4, seed=step), return_dict=True)
    assert all(np.isfinite(value) for value in logs.values())
    assert ("d_penalty" in logs) == ("gradient_penalty" in settings)
    assert int(model.g_optimizer.iterations) == 2
    for net, weights in zip(nets, before):  # every network learned
        assert any(not np.array_equal(v.numpy(), b) for v, b in zip(net.trainable_weights, weights)), net.name
    results = model.evaluate(_images(4, seed=9), verbose=0, return_dict=True)
    assert all(np.isfinite(value) for value in results.values())


def test_penalty_under_mixed_precision_matches_float32():
    """A tiny conv critic in mixed_float16 (float32 head) with the loss scale 2**15,
    against the same weights in float32: penalty values and their weight gradients."""
    rng = np.random.default_rng(5)
    real, fake = (tf.constant(rng.uniform(-1, 1, (4, 8, 8, 1)), tf.float32) for _ in range(2))
    critics = {}
    for policy in ("mixed_float16", "float32"):
        keras.utils.set_random_seed(5)
        critics[policy] = keras.Sequential([
            keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, strides=2, dtype=policy), keras.layers.LeakyReLU(0.1),
            keras.layers.Flatten(), keras.layers.Dense(1, dtype="float32")])
    assert critics["mixed_float16"].layers[0].compute_dtype == "float16"
    for kind in penalties.PENALTIES:
        results = {}
        for policy, scale in (("mixed_float16", 2.0 ** 15), ("float32", 1.0)):
            critic = critics[policy]
            with tf.GradientTape() as tape:
                mean = tf.reduce_mean(penalties.penalty(kind, critic, real, fake, tf.constant([1, 2]), scale=scale))
            grads = tape.gradient(mean, critic.trainable_variables)  # None: the last bias
            results[policy] = [mean] + [g for g in grads if g is not None]
        for half, full in zip(results["mixed_float16"], results["float32"]):
            assert np.all(np.isfinite(half.numpy()))
            np.testing.assert_allclose(half.numpy(), full.numpy(), rtol=2e-2, atol=2e-2 * float(np.abs(full).max()))


def test_mixed_precision_steps_with_a_penalty_are_finite():
    """The penalty's second-order gradients are larger: at the initial loss scale 2**15
    the first D step may overflow, be skipped and halve the scale (dynamic loss scaling)."""
    model = build_model(TrainConfig(mixed_precision=True, **WGAN_GP))
    for step in range(3):
        logs = model.train_on_batch(_images(8, seed=step), return_dict=True)
    assert model.mixed_float16 and all(np.isfinite(value) for value in logs.values()) and logs["d_penalty"] > 0
    assert int(model.d_optimizer.iterations) >= 1 and all(np.all(np.isfinite(w)) for w in model.get_weights())


def test_under_mirrored_strategy_the_penalty_averages_over_the_global_batch():
    """tests/distributed/objective_checks.py on 2 logical CPUs (a fresh process)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", TF_ENABLE_ONEDNN_OPTS="0",
               PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    env.pop("TF_CONFIG", None)
    result = subprocess.run([sys.executable, str(SCRIPTS / "objective_checks.py")], capture_output=True, text=True,
                            timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-5000:]
    checks = json.loads(result.stdout.strip().splitlines()[-1])
    assert checks["replicas"] == 2
    for kind, penalty in checks["penalty"].items():
        assert penalty["loss"] == pytest.approx(penalty["reference_loss"], rel=1e-5), kind
        assert penalty["max_grad_gap"] < 1e-5 * penalty["max_grad"], kind
    training = checks["training"]  # d_steps 2: 4 D steps, 2 G steps on both replicas
    assert (training["d_iterations"], training["g_iterations"]) == (4, 2)
    assert training["finite"] and training["g_change"] > 0 and training["replica_gap"] == 0.0
