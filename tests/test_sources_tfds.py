"""Tests for keras_infogan.sources.tfds_source, offline: `tfds.testing.mock_data` makes
random examples from each builder's real feature spec (its code; no metadata files needed)."""

from __future__ import annotations

import socket

import numpy as np
import pytest
import tensorflow as tf

from test_data import no_network  # noqa: F401 (a fixture: Python-level connections fail the test)

from keras_infogan.data import load_dataset
from keras_infogan.sources import has_split, read_source, source_splits, tfds_source

tfds = pytest.importorskip("tensorflow_datasets")


@pytest.fixture
def offline(no_network, monkeypatch):
    """Any Python-level connection attempt or name lookup fails the test."""
    monkeypatch.setattr(socket, "getaddrinfo", socket.socket.connect)  # no_network's refusal


def mocked(num_examples: int = 6):
    return tfds.testing.mock_data(num_examples=num_examples)


@pytest.mark.parametrize("name, shape", [
    ("mnist", (28, 28, 1)), ("fashion_mnist", (28, 28, 1)), ("svhn_cropped", (32, 32, 3)), ("cifar10", (32, 32, 3)),
])
def test_labeled_datasets(offline, name, shape):
    with mocked():
        data = read_source(name, "train[:4]")
    assert data.images.shape == (6, *shape) and data.images.dtype == np.uint8  # mock_data ignores slices
    assert data.labels.dtype == np.int64 and 0 <= data.labels.min() <= data.labels.max() < 10
    assert data.num_classes == 10 and len(data.class_names) == 10
    assert data.description == f"tfds {name} split train[:4]"


def test_version_and_conversion(offline):
    with mocked():
        data = read_source("mnist:3.0.1", "test", image_shape=(32, 32, 3))
    assert data.images.shape == (6, 32, 32, 3)
    np.testing.assert_array_equal(data.images[..., 0], data.images[..., 2])  # gray repeated


def test_celeb_a_has_no_labels(offline):
    with mocked(3):
        data = read_source("celeb_a", "validation")
        small = read_source("celeb_a", image_shape=(16, 16, 1))
        dataset = load_dataset("celeb_a", batch_size=2, image_size=8, channels=3, seed=0)
        with pytest.raises(ValueError, match="with_labels=True, but tfds celeb_a split train has no labels"):
            load_dataset("celeb_a", batch_size=2, with_labels=True)
    assert data.images.shape == (3, 218, 178, 3) and data.labels is None and data.num_classes is None
    assert small.images.shape == (3, 16, 16, 1)
    assert dataset.element_spec == tf.TensorSpec((2, 8, 8, 3), tf.float32)


def test_dsprites_needs_label_feature(offline):
    with mocked(4):
        with pytest.raises(ValueError, match=r"'dsprites' has several ClassLabel features \['label_shape', "
                                             r"'label_scale', .*none named 'label'; choose one with label_feature="):
            read_source("dsprites")
        shapes = read_source("dsprites", label_feature="label_shape")
        unlabeled = read_source("dsprites", label_feature="none")
        with pytest.raises(ValueError, match=r"no ClassLabel feature 'value_shape'; its ClassLabel features: "
                                             r"\['label_shape'"):
            read_source("dsprites", label_feature="value_shape")
    assert shapes.images.shape == (4, 64, 64, 1) and shapes.num_classes == 3
    assert shapes.class_names == ("0", "1", "2") and shapes.labels.max() < 3
    assert unlabeled.labels is None


def test_image_feature(offline):
    with mocked(2):
        assert read_source("shapes3d", image_feature="image", label_feature="label_shape").num_classes == 4
        with pytest.raises(ValueError, match=r"'mnist' has no Image feature 'label'; its Image features: \['image'\]"):
            read_source("mnist", image_feature="label")


def test_splits_under_mock(offline):
    with mocked(2):
        assert has_split("mnist", "test") and has_split("svhn_cropped", "train[:10%]")


def test_absent_data_has_no_splits(offline, tmp_path):
    """Without prepared data TFDS knows no split, and nothing is downloaded to find out."""
    assert source_splits("mnist", data_dir=tmp_path) == ()
    assert not has_split("cifar10", "test", data_dir=str(tmp_path))


def test_unknown_name(offline):
    with pytest.raises(ValueError, match=r"unknown TFDS dataset 'mnsit' \(close TFDS names: mnist.*\), and no folder "
                                         r"of that name exists"):
        read_source("mnsit")
    with pytest.raises(FileNotFoundError, match="data/faces does not exist: it is neither a folder nor a TFDS"):
        read_source("data/faces")
    with pytest.raises(ValueError, match="cannot be loaded at version 9.9.9"):
        read_source("mnist:9.9.9")


def test_download_needed(offline, tmp_path, monkeypatch):
    def fail(self, *args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", fail)
    monkeypatch.setattr(tfds_source, "_offline", lambda: None)  # the probe got through, the download fails
    match = (r"TFDS dataset 'cifar10' is not in .*cifar10/3.0.2 and needs a download, which failed \(OSError: "
             r"network is unreachable\); without internet, pass a folder of images, a folder of IDX files")
    with pytest.raises(FileNotFoundError, match=match):
        read_source("cifar10", data_dir=tmp_path)


def test_offline_download_fails_at_once(offline, tmp_path, monkeypatch):
    def never(self, *args, **kwargs):
        raise AssertionError("no download may be tried when the internet is unreachable")

    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", never)
    monkeypatch.setattr(tfds_source, "_offline", lambda: "storage.googleapis.com: [Errno -3] name resolution")
    match = r"needs a download, but this machine cannot reach the internet \(storage.googleapis.com: "
    with pytest.raises(FileNotFoundError, match=match):
        read_source("svhn_cropped", data_dir=tmp_path)


def test_prepared_data(offline, tmp_path):
    """The real read path on prepared data: TFDS's dummy_mnist, generated locally (no download).
    Preparing data needs importlib_resources (TFDS's etils imports it lazily)."""
    pytest.importorskip("importlib_resources")
    tfds.testing.DummyMnist(data_dir=str(tmp_path)).download_and_prepare()
    data = read_source("dummy_mnist", "test[:50%]", data_dir=tmp_path, image_shape=(14, 14, 1))
    assert data.images.shape == (10, 14, 14, 1) and data.num_classes == 10
    assert source_splits("dummy_mnist", data_dir=tmp_path) == ("test", "train")
    with pytest.raises(ValueError, match=r"tfds dummy_mnist split validation: Unknown split 'validation'"):
        read_source("dummy_mnist", "validation", data_dir=tmp_path)
