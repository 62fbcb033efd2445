"""The judge: training, caching, input checks, sample_quality, and (slow) real MNIST accuracy."""

import json
import time

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
)

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
