"""Scores of image sets computed by hand: Fréchet distance, classifier score, class shares, purity."""

import math
import warnings

import numpy as np
import pytest

from keras_infogan.evaluation.sample_scores import class_shares, classifier_score, frechet_distance, value_purity

# ---- Fréchet distance ----


def test_frechet_distance_of_identical_sets_is_zero():
    features = np.random.default_rng(0).normal(size=(200, 6))
    assert frechet_distance(features, features) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_of_shifted_sets_is_squared_shift():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(500, 4)) @ rng.normal(size=(4, 4))  # correlated features
    shift = np.array([1.0, -2.0, 0.5, 3.0])
    # same covariance, so only the means count: ||shift||^2 = 1 + 4 + 0.25 + 9
    assert frechet_distance(a, a + shift) == pytest.approx(14.25, rel=1e-6)


def test_frechet_distance_one_dimensional_by_hand():
    a = np.array([[0.0], [2.0]])  # mean 1, variance (1 + 1) / 1 = 2
    b = np.array([[3.0], [7.0], [11.0]])  # mean 7, variance (16 + 0 + 16) / 2 = 16
    # (mu_a - mu_b)^2 + (sigma_a - sigma_b)^2
    expected = (1 - 7) ** 2 + (math.sqrt(2) - 4) ** 2
    assert frechet_distance(a, b) == pytest.approx(expected)
    assert frechet_distance(b, a) == pytest.approx(expected)


def test_frechet_distance_diagonal_covariances_by_hand():
    a = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])  # mean 0, cov diag(4/3, 4/3)
    b = a * [2.0, 3.0] + [1.0, -2.0]  # mean (1, -2), cov diag(16/3, 12)
    # sum over dimensions of (mean gap)^2 + (std gap)^2
    expected = (1 + 4) + (math.sqrt(4 / 3) - math.sqrt(16 / 3)) ** 2 + (math.sqrt(4 / 3) - math.sqrt(12)) ** 2
    assert expected == pytest.approx(5 + 20 / 3)
    assert frechet_distance(a, b) == pytest.approx(expected)


def test_frechet_distance_with_dead_features_is_finite_and_quiet():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(50, 5)), rng.normal(size=(60, 5)) + 1.0
    a[:, 2] = 0.0  # a dead ReLU unit: singular covariance
    b[:, 2] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        distance = frechet_distance(a, b)
    # a column that is 0 in both sets adds nothing
    assert distance == pytest.approx(frechet_distance(np.delete(a, 2, axis=1), np.delete(b, 2, axis=1)))


@pytest.mark.parametrize(
    "a, b, message",
    [
        (np.zeros(5), np.zeros((5, 1)), "2-D"),
        (np.zeros((1, 3)), np.zeros((5, 3)), "at least 2 rows"),
        (np.zeros((5, 3)), np.zeros((5, 2)), "same width"),
        (np.full((5, 3), np.nan), np.zeros((5, 3)), "NaN"),
    ],
)
def test_frechet_distance_bad_inputs_raise(a, b, message):
    with pytest.raises(ValueError, match=message):
        frechet_distance(a, b)


# ---- classifier score, class shares, purity ----


def test_classifier_score_extremes():
    confident_and_spread = np.tile(np.eye(10), (3, 1))
    assert classifier_score(confident_and_spread) == pytest.approx(10.0)
    all_alike = np.tile([0.1, 0.6, 0.3], (7, 1))
    assert classifier_score(all_alike) == pytest.approx(1.0)


def test_classifier_score_by_hand():
    probs = np.array([[1.0, 0.0], [0.5, 0.5]])  # p(y) = (0.75, 0.25)
    kl_first = math.log(1 / 0.75)
    kl_second = 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25)
    assert classifier_score(probs) == pytest.approx(math.exp((kl_first + kl_second) / 2))


def test_classifier_score_splits_score_each_part_on_its_own():
    probs = np.eye(2)[[0, 0, 1, 1]]
    assert classifier_score(probs) == pytest.approx(2.0)
    assert classifier_score(probs, splits=2) == pytest.approx(1.0)  # each half judged alike
    assert classifier_score(np.tile(np.eye(4), (2, 1)), splits=2) == pytest.approx(4.0)


@pytest.mark.parametrize(
    "probs, message",
    [
        (np.array([0.5, 0.5]), "num_classes"),
        (np.zeros((0, 3)), "non-empty"),
        (np.array([[0.5, 0.6]]), "sum to 1"),
        (np.array([[1.5, -0.5]]), "non-negative"),
        (np.array([[np.nan, 1.0]]), "finite"),
    ],
)
def test_probability_checks(probs, message):
    for function in (classifier_score, class_shares):
        with pytest.raises(ValueError, match=message):
            function(probs)


def test_classifier_score_bad_splits_raise():
    with pytest.raises(ValueError, match="splits"):
        classifier_score(np.eye(3), splits=4)


def test_class_shares_count_argmax():
    probs = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
    shares = class_shares(probs)
    np.testing.assert_allclose(shares, [0.5, 0.25, 0.25])
    assert shares.sum() == pytest.approx(1.0)


def test_value_purity_of_a_perfect_assignment_is_one():
    values = np.tile(np.arange(4), 5)
    permutation = np.array([7, 2, 9, 0])  # value v is always judged as class permutation[v]
    majority, purity = value_purity(values, permutation[values], num_values=4, num_classes=10)
    np.testing.assert_array_equal(majority, permutation)
    np.testing.assert_array_equal(purity, np.ones(4))


def test_value_purity_by_hand_with_an_absent_value():
    values = [0, 0, 0, 0, 1, 1, 1]
    judged = [3, 3, 3, 5, 2, 4, 4]
    majority, purity = value_purity(values, judged, num_values=3, num_classes=6)
    np.testing.assert_array_equal(majority, [3, 4, -1])
    np.testing.assert_allclose(purity[:2], [3 / 4, 2 / 3])
    assert math.isnan(purity[2])


def test_value_purity_bad_inputs_raise():
    with pytest.raises(ValueError, match="same length"):
        value_purity([0, 1], [0], num_values=2)
    with pytest.raises(ValueError, match=r"values must lie in \[0, 1\]"):
        value_purity([0, 2], [0, 1], num_values=2)
    with pytest.raises(ValueError, match="judged must hold integer"):
        value_purity([0, 1], [0.0, 1.0], num_values=2)
    with pytest.raises(ValueError, match="non-empty"):
        value_purity([], [], num_values=2)
