"""k-means++ on features, few-label classification and discriminator features, on known cases."""

import numpy as np
import pytest

from keras_infogan import InfoGAN, mnist_spec
from keras_infogan.evaluation.features import discriminator_features
from keras_infogan.evaluation.few_label import few_label_accuracy, labeled_subset
from keras_infogan.evaluation.kmeans import kmeans_assignments, kmeans_report


def _blobs(n_per_class: int, seed: int, classes: int = 4, dim: int = 6):
    """Well separated Gaussian blobs: features [classes * n, dim], labels [classes * n]."""
    rng = np.random.default_rng(seed)
    centres = 20.0 * np.eye(classes, dim)
    labels = np.repeat(np.arange(classes), n_per_class)
    return centres[labels] + rng.normal(size=(len(labels), dim)), labels


def test_kmeans_finds_separated_blobs_under_any_label_permutation():
    train_x, _ = _blobs(50, seed=0)
    test_x, test_y = _blobs(30, seed=1)
    permuted = np.array([2, 0, 3, 1])[test_y]
    report = kmeans_report(train_x, test_x, permuted, seed=0)
    assert report.accuracy == 1.0 and report.nmi == pytest.approx(1.0) and report.ari == pytest.approx(1.0)


def test_kmeans_checks_shapes_and_k():
    with pytest.raises(ValueError, match="same d"):
        kmeans_assignments(np.zeros((10, 3)), np.zeros((5, 4)), k=2)
    with pytest.raises(ValueError, match="k must be"):
        kmeans_assignments(np.zeros((3, 2)), np.zeros((5, 2)), k=4)


def test_few_label_classifier_is_perfect_on_separable_features_and_at_chance_on_noise():
    train_x, train_y = _blobs(40, seed=0)
    test_x, test_y = _blobs(40, seed=1)
    separable = few_label_accuracy(train_x, train_y, test_x, test_y, per_class=3, draws=3)
    assert separable.accuracies == (1.0, 1.0, 1.0) and separable.std == 0.0
    rng = np.random.default_rng(2)
    noise = few_label_accuracy(rng.normal(size=train_x.shape), train_y, rng.normal(size=test_x.shape), test_y,
                               per_class=10, draws=5)
    assert noise.mean < 0.45  # chance is 0.25
    assert noise.to_dict()["per_class"] == 10 and len(noise.to_dict()["accuracies"]) == 5


def test_labeled_subset_takes_the_same_count_of_every_class():
    labels = np.array([0] * 5 + [1] * 7 + [2] * 3)
    rows = labeled_subset(labels, 3, np.random.default_rng(0))
    assert np.bincount(labels[rows]).tolist() == [3, 3, 3] and len(set(rows)) == 9
    with pytest.raises(ValueError, match="class 2 has 3 examples"):
        labeled_subset(labels, 4, np.random.default_rng(0))


def test_few_label_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="same number of rows"):
        few_label_accuracy(np.zeros((4, 2)), np.zeros(3), np.zeros((2, 2)), np.zeros(2), per_class=1)
    with pytest.raises(ValueError, match="same d"):
        few_label_accuracy(np.zeros((4, 2)), np.zeros(4), np.zeros((2, 3)), np.zeros(2), per_class=1)


def test_discriminator_features_are_the_trunk_output():
    model = InfoGAN(mnist_spec(noise_dim=8))
    images = np.random.default_rng(0).integers(0, 256, (6, 28, 28, 1), dtype=np.uint8)
    features = discriminator_features(model, images)
    expected = model.trunk(images.astype(np.float32) / 127.5 - 1.0, training=False).numpy()
    assert features.shape == (6, 1024)
    np.testing.assert_allclose(features, expected, atol=1e-5)
    with pytest.raises(ValueError, match="uint8"):
        discriminator_features(model, images.astype(np.float32))


def test_spatial_features_are_averaged_over_space():
    class _Spatial(InfoGAN):
        def features(self, images, batch_size=256):
            return np.arange(len(images) * 2 * 2 * 3, dtype=np.float32).reshape(len(images), 2, 2, 3)

    features = discriminator_features(_Spatial(mnist_spec(noise_dim=4)), np.zeros((2, 28, 28, 1), np.uint8))
    np.testing.assert_allclose(features[0], [4.5, 5.5, 6.5])
