import math

import numpy as np
import pytest

from keras_infogan.evaluation.information import (
    conditional_entropy,
    entropy,
    joint_table,
    mutual_information,
)

# p(rain, dark): rows rain = no/yes, columns dark = no/yes.
RAIN_DARK = np.array([[0.70, 0.02],
                      [0.08, 0.20]])


def _rain_dark_by_hand(log):
    """The six quantities of RAIN_DARK written out with the logarithm `log`."""
    # marginals: p(rain) = (0.72, 0.28), p(dark) = (0.78, 0.22)
    h_rain = -(0.72 * log(0.72) + 0.28 * log(0.28))
    h_dark = -(0.78 * log(0.78) + 0.22 * log(0.22))
    h_joint = -(0.70 * log(0.70) + 0.02 * log(0.02) + 0.08 * log(0.08) + 0.20 * log(0.20))
    # H(rain | dark) = -sum p(r, d) log p(r | d), p(r | d) = p(r, d) / p(d)
    h_rain_given_dark = -(0.70 * log(0.70 / 0.78) + 0.08 * log(0.08 / 0.78)
                          + 0.02 * log(0.02 / 0.22) + 0.20 * log(0.20 / 0.22))
    # H(dark | rain), p(d | r) = p(r, d) / p(r)
    h_dark_given_rain = -(0.70 * log(0.70 / 0.72) + 0.02 * log(0.02 / 0.72)
                          + 0.08 * log(0.08 / 0.28) + 0.20 * log(0.20 / 0.28))
    # I = sum p(r, d) log(p(r, d) / (p(r) p(d)))
    mi = (0.70 * log(0.70 / (0.72 * 0.78)) + 0.02 * log(0.02 / (0.72 * 0.22))
          + 0.08 * log(0.08 / (0.28 * 0.78)) + 0.20 * log(0.20 / (0.28 * 0.22)))
    return h_rain, h_dark, h_joint, h_rain_given_dark, h_dark_given_rain, mi


@pytest.mark.parametrize("base, log", [("nats", math.log), ("bits", math.log2)])
def test_rain_dark_example_matches_hand_arithmetic(base, log):
    h_rain, h_dark, h_joint, h_rain_given_dark, h_dark_given_rain, mi = _rain_dark_by_hand(log)
    assert entropy(RAIN_DARK.sum(axis=1), base=base) == pytest.approx(h_rain, abs=1e-12)
    assert entropy(RAIN_DARK.sum(axis=0), base=base) == pytest.approx(h_dark, abs=1e-12)
    assert entropy(RAIN_DARK, base=base) == pytest.approx(h_joint, abs=1e-12)
    h_rain_dark = conditional_entropy(RAIN_DARK, given_axis=1, base=base)  # H(rain | dark)
    h_dark_rain = conditional_entropy(RAIN_DARK, given_axis=0, base=base)  # H(dark | rain)
    assert h_rain_dark == pytest.approx(h_rain_given_dark, abs=1e-12)
    assert h_dark_rain == pytest.approx(h_dark_given_rain, abs=1e-12)
    assert mutual_information(RAIN_DARK, base=base) == pytest.approx(mi, abs=1e-12)
    # the identities tying them together
    assert mi == pytest.approx(h_rain - h_rain_given_dark)
    assert mi == pytest.approx(h_dark - h_dark_given_rain)
    assert mi == pytest.approx(h_rain + h_dark - h_joint)


def test_rain_dark_rounded_values_in_bits():
    # the same numbers to 4 decimals, as a sanity check on the hand formulas
    assert entropy([0.72, 0.28], base="bits") == pytest.approx(0.8555, abs=1e-4)
    assert entropy([0.78, 0.22], base="bits") == pytest.approx(0.7602, abs=1e-4)
    assert entropy(RAIN_DARK, base="bits") == pytest.approx(1.2290, abs=1e-4)
    assert mutual_information(RAIN_DARK, base="bits") == pytest.approx(0.3866, abs=1e-4)


def test_bits_and_nats_differ_by_ln2():
    assert entropy(RAIN_DARK, base="nats") == pytest.approx(math.log(2) * entropy(RAIN_DARK, base="bits"))


def test_independent_variables_have_zero_mutual_information():
    p_x, p_y = np.array([0.1, 0.2, 0.7]), np.array([0.25, 0.25, 0.4, 0.1])
    joint = np.outer(p_x, p_y)
    assert mutual_information(joint) == pytest.approx(0.0, abs=1e-12)
    assert conditional_entropy(joint, given_axis=1) == pytest.approx(entropy(p_x))
    assert conditional_entropy(joint, given_axis=0) == pytest.approx(entropy(p_y))
    assert entropy(joint) == pytest.approx(entropy(p_x) + entropy(p_y))


def test_one_to_one_relation_has_mutual_information_equal_to_entropy():
    p = np.array([0.5, 0.3, 0.15, 0.05])
    joint = np.diag(p)[:, [2, 0, 3, 1]]  # y is a permutation of x
    assert mutual_information(joint) == pytest.approx(entropy(p))
    assert conditional_entropy(joint, given_axis=0) == pytest.approx(0.0, abs=1e-12)
    assert conditional_entropy(joint, given_axis=1) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("k", [1, 2, 10, 37])
def test_uniform_entropy_is_log_k(k):
    assert entropy(np.full(k, 1 / k)) == pytest.approx(math.log(k))
    assert entropy(np.full(k, 1 / k), base="bits") == pytest.approx(math.log2(k))


def test_zero_probabilities_contribute_nothing():
    assert entropy([1.0, 0.0, 0.0]) == 0.0
    assert entropy([0.5, 0.0, 0.5], base="bits") == pytest.approx(1.0)
    assert mutual_information([[0.5, 0.0], [0.0, 0.5]], base="bits") == pytest.approx(1.0)


def test_chain_rule():
    joint = np.random.default_rng(0).dirichlet(np.ones(12)).reshape(3, 4)
    h_x, h_y = entropy(joint.sum(axis=1)), entropy(joint.sum(axis=0))
    assert entropy(joint) == pytest.approx(h_y + conditional_entropy(joint, given_axis=1))
    assert entropy(joint) == pytest.approx(h_x + conditional_entropy(joint, given_axis=0))
    assert mutual_information(joint) == pytest.approx(h_x - conditional_entropy(joint, given_axis=1))


def test_normalize_divides_by_the_sum():
    counts = RAIN_DARK * 50  # 35, 1, 4, 10
    assert entropy(counts, normalize=True) == pytest.approx(entropy(RAIN_DARK))
    assert mutual_information(counts, normalize=True) == pytest.approx(mutual_information(RAIN_DARK))
    assert conditional_entropy(counts, normalize=True) == pytest.approx(conditional_entropy(RAIN_DARK))


def test_joint_table_counts_pairs():
    x = [0, 0, 1, 1, 1, 2]
    y = [1, 1, 0, 0, 2, 2]
    expected = np.array([[0, 2, 0], [2, 0, 1], [0, 0, 1]]) / 6
    np.testing.assert_allclose(joint_table(x, y), expected)
    assert joint_table(x, y, num_x=4, num_y=5).shape == (4, 5)
    # y determined by x: I(x; y) = H(y)
    labels = np.array([3, 1, 3, 0, 1, 1])
    assert mutual_information(joint_table(labels, 9 - labels)) == pytest.approx(
        entropy(joint_table(labels, np.zeros(6, int)), base="nats"))


@pytest.mark.parametrize(
    "function, table, message",
    [
        (entropy, [0.5, -0.1, 0.6], "negative"),
        (entropy, [0.5, np.nan, 0.5], "NaN"),
        (entropy, [0.5, np.inf], "NaN or infinite"),
        (entropy, [0.5, 0.4], "sum to 1"),
        (entropy, [], "empty"),
        (entropy, ["a", "b"], "real numbers"),
        (mutual_information, [0.5, 0.5], "2-D"),
        (mutual_information, np.full((2, 2, 2), 1 / 8), "2-D"),
        (mutual_information, np.zeros((0, 3)), "empty"),
        (mutual_information, [[0.5, 0.5], [0.5, 0.5]], "sum to 1"),
        (conditional_entropy, [[0.6, -0.1], [0.3, 0.2]], "negative"),
        (conditional_entropy, [1.0], "2-D"),
    ],
)
def test_bad_tables_raise(function, table, message):
    with pytest.raises(ValueError, match=message):
        function(table)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="base"):
        entropy([0.5, 0.5], base=2)
    with pytest.raises(ValueError, match="given_axis"):
        conditional_entropy(RAIN_DARK, given_axis=2)
    with pytest.raises(ValueError, match="sums to 0"):
        entropy([0.0, 0.0], normalize=True)
    with pytest.raises(ValueError, match="same length"):
        joint_table([0, 1], [0, 1, 2])
    with pytest.raises(ValueError, match="integer"):
        joint_table([0.5, 1.0], [0, 1])
    with pytest.raises(ValueError, match="non-negative"):
        joint_table([0, -1], [0, 1])
    with pytest.raises(ValueError, match="empty"):
        joint_table([], [])
    with pytest.raises(ValueError, match="num_y"):
        joint_table([0, 1], [0, 3], num_y=3)
