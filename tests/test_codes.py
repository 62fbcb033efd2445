"""Latent codes: entropies, posteriors and MI bounds against hand-computed values."""

import math

import numpy as np
import pytest
import tensorflow as tf

from keras_infogan.codes import Categorical, LatentSpec, Uniform, mnist_spec


def test_entropies_are_known_values():
    assert Categorical(10).entropy() == pytest.approx(math.log(10))  # 2.302585
    assert Categorical(2).entropy() == pytest.approx(math.log(2))
    assert Uniform(-1, 1).entropy() == pytest.approx(math.log(2))
    assert Uniform(0, 5).entropy() == pytest.approx(math.log(5))
    # The TFP prior agrees with the closed form.
    assert float(Categorical(10).prior().entropy()) == pytest.approx(math.log(10), rel=1e-6)
    assert float(Uniform(-3, 1).prior().entropy()) == pytest.approx(math.log(4), rel=1e-6)


def test_categorical_bound_is_entropy_for_a_perfect_q_and_zero_for_a_blind_q():
    code = Categorical(10)
    values = tf.constant([0, 3, 9])
    confident = tf.one_hot(values, 10) * 100.0           # Q puts all mass on the true value
    blind = tf.zeros([3, 10])                           # Q is uniform: knows nothing
    np.testing.assert_allclose(code.info_lower_bound(values, confident), [math.log(10)] * 3, atol=1e-5)
    np.testing.assert_allclose(code.info_lower_bound(values, blind), [0.0] * 3, atol=1e-6)


def test_categorical_log_likelihood_by_hand():
    logits = tf.constant([[1.0, 2.0, 3.0]])
    # log softmax of entry 1: 2 - log(e^1 + e^2 + e^3)
    expected = 2.0 - math.log(math.exp(1) + math.exp(2) + math.exp(3))
    got = Categorical(3).log_likelihood(tf.constant([1]), logits)
    assert float(got[0]) == pytest.approx(expected, rel=1e-6)


def test_uniform_with_fixed_sigma_is_a_scaled_squared_error():
    code = Uniform(-1, 1)
    assert code.num_params == 1
    values, means = tf.constant([0.5, -0.25]), tf.constant([[0.1], [-0.25]])
    # log N(c; mu, 1) = -0.5 log(2 pi) - 0.5 (c - mu)^2 ; bound adds ln 2
    expected = [-0.5 * math.log(2 * math.pi) - 0.5 * 0.4 ** 2 + math.log(2),
                -0.5 * math.log(2 * math.pi) + math.log(2)]
    np.testing.assert_allclose(code.info_lower_bound(values, means), expected, rtol=1e-6)


def test_uniform_with_learned_sigma_reads_log_sigma():
    code = Uniform(-1, 1, learn_stddev=True)
    assert code.num_params == 2
    params = tf.constant([[0.2, math.log(0.5)]])
    posterior = code.posterior(params)
    assert float(posterior.stddev()[0]) == pytest.approx(0.5, rel=1e-6)
    # log N(0.7; 0.2, 0.5) = -0.5 log(2 pi) - log 0.5 - 0.5 (0.5 / 0.5)^2
    expected = -0.5 * math.log(2 * math.pi) - math.log(0.5) - 0.5
    assert float(code.log_likelihood(tf.constant([0.7]), params)[0]) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("make, match", [
    (lambda: Categorical(1), "at least 2 categories"),
    (lambda: Categorical(2.5), "must be an int"),
    (lambda: Uniform(1, 1), "low < high"),
    (lambda: Uniform(2, -1), "low < high"),
    (lambda: Uniform(0, float("inf")), "finite"),
    (lambda: Categorical(10, weight=-1.0), "weight"),
    (lambda: Uniform(weight=float("nan")), "weight"),
    (lambda: LatentSpec(noise_dim=62, codes=()), "at least one latent code"),
    (lambda: LatentSpec(noise_dim=0, codes=(Categorical(10),)), "noise_dim"),
    (lambda: LatentSpec(codes=(Categorical(10),), noise="cauchy"), "noise prior"),
    (lambda: LatentSpec(codes=(Categorical(3, name="a"), Uniform(name="a"))), "unique"),
    (lambda: LatentSpec(codes=("categorical",)), "Categorical or Uniform"),
    (lambda: LatentSpec(codes=(Categorical(10),), noise_scale=0.0), "noise_scale"),
    (lambda: LatentSpec(codes=(Categorical(10),), noise_scale=float("nan")), "noise_scale"),
])
def test_invalid_specs_raise_clear_errors(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_spec_names_widths_and_config_round_trip():
    spec = mnist_spec(cont_weight=0.5, learn_stddev=True)
    assert spec.names == ["cat0", "cont0", "cont1"]
    assert spec.input_dim == 62 + 10 + 1 + 1
    assert spec.num_params == 10 + 2 + 2
    again = LatentSpec.from_config(spec.get_config())
    assert again == spec


def test_sampling_is_stateless_and_in_range():
    spec = mnist_spec()
    z, values = spec.sample(500, (7, 3))
    z2, values2 = spec.sample(500, (7, 3))
    z3, _ = spec.sample(500, (7, 4))
    np.testing.assert_array_equal(z, z2)
    for a, b in zip(values, values2):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(z, z3)
    assert z.shape == (500, 62) and np.abs(z).max() <= 1.0
    assert values[0].dtype == tf.int32 and set(np.unique(values[0])) == set(range(10))
    assert -1.0 <= float(tf.reduce_min(values[1])) and float(tf.reduce_max(values[1])) <= 1.0


def test_generator_input_is_noise_then_one_hot_then_continuous():
    spec = mnist_spec()
    z = tf.zeros([2, 62])
    latent = spec.generator_input(z, [tf.constant([3, 0]), tf.constant([0.5, -1.0]), tf.constant([0.0, 0.25])])
    assert latent.shape == (2, 74)
    np.testing.assert_array_equal(latent[0, 62:72], np.eye(10)[3])
    np.testing.assert_allclose(latent[:, 72], [0.5, -1.0])
    np.testing.assert_allclose(latent[:, 73], [0.0, 0.25])
    with pytest.raises(ValueError, match="expected 3 code values"):
        spec.generator_input(z, [tf.constant([3, 0])])


def test_noise_scale_multiplies_only_the_noise_and_survives_a_config_round_trip():
    spec = LatentSpec(noise_dim=3, codes=(Categorical(2), Uniform()), noise_scale=0.1)
    latent = spec.generator_input(tf.constant([[1.0, -0.5, 0.25]]), [tf.constant([1]), tf.constant([0.5])])
    np.testing.assert_allclose(latent[0], [0.1, -0.05, 0.025, 0.0, 1.0, 0.5], rtol=1e-6)
    assert LatentSpec.from_config(spec.get_config()) == spec
    old_config = {key: value for key, value in spec.get_config().items() if key != "noise_scale"}
    assert LatentSpec.from_config(old_config).noise_scale == 1.0  # models saved before the field


def test_normal_noise_prior():
    z, _ = LatentSpec(noise_dim=8, codes=(Categorical(2),), noise="normal").sample(4000, (1, 1))
    assert abs(float(tf.math.reduce_std(z)) - 1.0) < 0.05
    assert float(tf.reduce_max(tf.abs(z))) > 1.5
