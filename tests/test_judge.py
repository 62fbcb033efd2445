"""The judge: scores computed by hand, caching, input checks, and (slow) real MNIST accuracy."""

import json
import math
import time
import warnings

import numpy as np
import pytest
from idx_files import write_split

from keras_infogan import InfoGAN, mnist_spec
from keras_infogan.data import load_arrays
from keras_infogan.evaluation import judge as judge_module
from keras_infogan.evaluation.judge import (
    SampleQuality,
    class_shares,
    classifier_score,
    default_cache_dir,
    frechet_distance,
    judge_cache_path,
    judge_predict,
    load_or_train_judge,
    sample_quality,
    value_purity,
)

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


# ---- a judge trained on synthetic bars ----


@pytest.fixture(scope="module")
def bars_dir(tmp_path_factory):
    """MNIST-format folder: 640 train and 200 test images of 10 noisy bar patterns."""
    folder = tmp_path_factory.mktemp("bars")
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 640), ("t10k", 200)):
        labels = rng.integers(0, 10, n)
        images = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
        for i, label in enumerate(labels):
            images[i, 2 + 2 * label: 4 + 2 * label, rng.integers(2, 8):rng.integers(20, 27)] = 255
        write_split(folder, images, labels, prefix)
    return folder


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("judges")


@pytest.fixture(scope="module")
def bars_judge(bars_dir, cache_dir):
    return load_or_train_judge("mnist", "train", bars_dir, cache_dir=cache_dir, epochs=2)


def _unit(images):
    return images / 255.0


def test_judge_layers_and_outputs(bars_judge, bars_dir):
    assert bars_judge.get_layer("features").units == 128
    images, _ = load_arrays("mnist", "test", bars_dir)
    probs, features = judge_predict(bars_judge, _unit(images[:37]), batch_size=16)
    assert probs.shape == (37, 10) and features.shape == (37, 128)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_judge_scores_real_images_far_above_noise(bars_judge, bars_dir):
    train, _ = load_arrays("mnist", "train", bars_dir)
    test, labels = load_arrays("mnist", "test", bars_dir)
    noise = np.random.default_rng(0).uniform(size=test.shape)
    test_probs, test_features = judge_predict(bars_judge, _unit(test))
    noise_probs, noise_features = judge_predict(bars_judge, noise)
    train_features = judge_predict(bars_judge, _unit(train))[1]

    assert np.mean(test_probs.argmax(axis=1) == labels) > 0.9
    assert classifier_score(test_probs) > 5.0
    assert classifier_score(noise_probs) < 2.0
    real_distance = frechet_distance(train_features, test_features)
    assert frechet_distance(noise_features, test_features) > 10 * real_distance
    for probs in (test_probs, noise_probs):
        assert class_shares(probs).sum() == pytest.approx(1.0)


def test_second_call_loads_from_cache(bars_judge, bars_dir, cache_dir, monkeypatch):
    (path,) = cache_dir.glob("*.keras")  # one file, no temporary leftovers
    assert list(cache_dir.iterdir()) == [path]
    mtime = path.stat().st_mtime_ns

    def no_training(*args, **kwargs):
        raise AssertionError("the judge was retrained instead of loaded")

    monkeypatch.setattr(judge_module, "train_judge", no_training)
    loaded = load_or_train_judge("mnist", "train", bars_dir, cache_dir=cache_dir, epochs=2)
    assert path.stat().st_mtime_ns == mtime
    images = _unit(load_arrays("mnist", "test", bars_dir)[0][:20])
    np.testing.assert_allclose(judge_predict(loaded, images)[0], judge_predict(bars_judge, images)[0],
                               atol=1e-6)


def test_cache_key_tracks_data_and_recipe(bars_dir, tmp_path, monkeypatch):
    images, labels = load_arrays("mnist", "train", bars_dir)
    path = judge_cache_path("mnist", "train", images, labels, tmp_path)
    assert path.parent == tmp_path and path.suffix == ".keras"
    assert judge_cache_path("mnist", "train", images.copy(), labels.copy(), tmp_path) == path
    changed = images.copy()
    changed[0, 0, 0, 0] ^= 1
    relabeled = labels.copy()
    relabeled[0] = (relabeled[0] + 1) % 10
    others = [
        judge_cache_path("mnist", "train", changed, labels, tmp_path),
        judge_cache_path("mnist", "train", images, relabeled, tmp_path),
        judge_cache_path("mnist", "train[:90%]", images, labels, tmp_path),
        judge_cache_path("mnist", "train", images, labels, tmp_path, epochs=5),
        judge_cache_path("mnist", "train", images, labels, tmp_path, seed=1),
    ]
    assert len({path, *others}) == 6
    monkeypatch.setenv("KERAS_INFOGAN_CACHE", str(tmp_path / "root"))
    assert default_cache_dir() == tmp_path / "root" / "judges"
    assert judge_cache_path("mnist", "train", images, labels).parent == tmp_path / "root" / "judges"


def test_interrupted_save_leaves_no_cache_file(bars_dir, tmp_path, monkeypatch):
    class HalfSaved:
        def save(self, filepath):
            open(filepath, "wb").write(b"PK\x03\x04 partial")
            raise KeyboardInterrupt

    monkeypatch.setattr(judge_module, "train_judge", lambda *args, **kwargs: HalfSaved())
    with pytest.raises(KeyboardInterrupt):
        load_or_train_judge("mnist", "train", bars_dir, cache_dir=tmp_path, epochs=2)
    assert list(tmp_path.iterdir()) == []


def test_corrupt_cache_file_raises(bars_dir, tmp_path):
    images, labels = load_arrays("mnist", "train", bars_dir)
    judge_cache_path("mnist", "train", images, labels, tmp_path, epochs=2).write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="cannot be loaded"):
        load_or_train_judge("mnist", "train", bars_dir, cache_dir=tmp_path, epochs=2)


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((4, 28, 28)), r"shape \[n, 28, 28, 1\]"),
        (np.zeros((4, 32, 32, 1)), r"shape \[n, 28, 28, 1\]"),
        (np.zeros((0, 28, 28, 1)), "empty"),
        (np.zeros((4, 28, 28, 1), np.uint8), "images / 255"),
        (np.full((4, 28, 28, 1), 255.0), r"\[0, 1\]"),
        (np.full((4, 28, 28, 1), -1.0), r"\[0, 1\]"),
        (np.full((4, 28, 28, 1), np.nan), "NaN"),
    ],
)
def test_judge_rejects_bad_images(bars_judge, images, message):
    with pytest.raises(ValueError, match=message):
        judge_predict(bars_judge, images)


# ---- the report of an InfoGAN ----


@pytest.fixture(scope="module")
def untrained_infogan():
    return InfoGAN(mnist_spec())


def test_sample_quality_report(untrained_infogan, bars_judge, bars_dir):
    train = _unit(load_arrays("mnist", "train", bars_dir)[0][:100])
    test = _unit(load_arrays("mnist", "test", bars_dir)[0][:100])
    report = sample_quality(untrained_infogan, bars_judge, train, test, num_samples=50, batch_size=16)
    assert isinstance(report, SampleQuality)
    assert 1.0 <= report.classifier_score <= 10.0
    assert report.frechet_distance > report.frechet_floor >= 0.0
    assert report.class_shares.shape == (10,) and report.class_shares.sum() == pytest.approx(1.0)
    assert report.code == "cat0" and report.num_samples == 50
    assert report.majority.shape == (10,) and report.purity.shape == (10,)
    present = report.majority >= 0
    assert np.all((report.purity[present] > 0) & (report.purity[present] <= 1))
    as_dict = report.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    # the same seed gives the same report
    again = sample_quality(untrained_infogan, bars_judge, train, test, num_samples=50, batch_size=50)
    assert again.classifier_score == pytest.approx(report.classifier_score, rel=1e-5)
    np.testing.assert_array_equal(again.majority, report.majority)


def test_sample_quality_bad_arguments_raise(untrained_infogan, bars_judge):
    real = np.zeros((10, 28, 28, 1), np.float32)
    with pytest.raises(ValueError, match="no code 'cat7'"):
        sample_quality(untrained_infogan, bars_judge, real, real, num_samples=10, code="cat7")
    with pytest.raises(ValueError, match="not categorical"):
        sample_quality(untrained_infogan, bars_judge, real, real, num_samples=10, code="cont0")
    with pytest.raises(ValueError, match="real_test must be floats"):
        sample_quality(untrained_infogan, bars_judge, real, real.astype(np.uint8), num_samples=10)


# ---- real MNIST ----


@pytest.mark.slow
def test_judge_on_real_mnist(mnist_dir, tmp_path):
    start = time.perf_counter()
    judge = load_or_train_judge("mnist", "train", mnist_dir, cache_dir=tmp_path)
    seconds = time.perf_counter() - start
    images, labels = load_arrays("mnist", "test", mnist_dir)
    accuracy = float(np.mean(judge_predict(judge, _unit(images))[0].argmax(axis=1) == labels))
    print(f"judge on real MNIST: test accuracy {accuracy:.4f}, load + training {seconds:.1f} s")
    assert accuracy > 0.97
