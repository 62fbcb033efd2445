"""Tests for keras_infogan.data: IDX reading, split slicing, tf.data pipeline, TFDS path."""

from __future__ import annotations

import gzip
import socket
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from idx_files import write_idx, write_split

from keras_infogan.data import (DATASETS, load_arrays, load_dataset, scale_images,
                                unscale_images)

MNIST_DIR = Path(__file__).resolve().parents[1].parent / "shared/data/mnist"
NUM_TRAIN = 19690  # the offline copy holds only the first 19,690 training images
NUM_TEST = 10000

needs_mnist = pytest.mark.skipif(not MNIST_DIR.is_dir(), reason=f"no MNIST files in {MNIST_DIR}")


# ---------------------------------------------------------------- helpers

def small_arrays(n: int = 10, size: int = 28) -> tuple[np.ndarray, np.ndarray]:
    """n images [n, size, size] with pixel value = row index, labels n % 10."""
    images = np.broadcast_to(np.arange(n, dtype=np.uint8)[:, None, None], (n, size, size))
    return images.copy(), (np.arange(n) % 10).astype(np.uint8)


@pytest.fixture
def small_dir(tmp_path: Path) -> Path:
    """A folder with a valid 10-example train split and 10-example test split."""
    images, labels = small_arrays()
    write_split(tmp_path, images, labels, "train")
    write_split(tmp_path, images, labels, "t10k")
    return tmp_path


@pytest.fixture(scope="module")
def mnist_test() -> tuple[np.ndarray, np.ndarray]:
    if not MNIST_DIR.is_dir():
        pytest.skip(f"no MNIST files in {MNIST_DIR}")
    return load_arrays("mnist", "test", data_dir=str(MNIST_DIR))


@pytest.fixture(scope="module")
def mnist_train() -> tuple[np.ndarray, np.ndarray]:
    if not MNIST_DIR.is_dir():
        pytest.skip(f"no MNIST files in {MNIST_DIR}")
    return load_arrays("mnist", "train", data_dir=str(MNIST_DIR))


def first_batch(ds: tf.data.Dataset) -> np.ndarray:
    return next(iter(ds)).numpy()


# ---------------------------------------------------------------- real MNIST files

def test_real_test_split(mnist_test):
    images, labels = mnist_test
    assert images.shape == (NUM_TEST, 28, 28, 1) and images.dtype == np.uint8
    assert labels.shape == (NUM_TEST,) and labels.dtype == np.int64
    assert set(np.unique(labels)) == set(range(10))
    assert images.max() == 255 and images.min() == 0


def test_real_train_split(mnist_train):
    images, labels = mnist_train
    assert images.shape == (NUM_TRAIN, 28, 28, 1) and images.dtype == np.uint8
    # Class counts from the data folder's README.
    np.testing.assert_array_equal(
        np.bincount(labels), [1955, 2248, 1901, 2048, 1919, 1738, 1940, 2067, 1894, 1980])


@needs_mnist
@pytest.mark.parametrize("split, rows", [
    ("train[:100]", slice(0, 100)),
    ("train[19600:]", slice(19600, NUM_TRAIN)),
    ("train[-90:]", slice(19600, NUM_TRAIN)),
    ("train[:90%]", slice(0, round(0.9 * NUM_TRAIN))),
    ("train[90%:]", slice(round(0.9 * NUM_TRAIN), NUM_TRAIN)),
    ("test[:10%]", slice(0, 1000)),
    ("test[10%:20%]", slice(1000, 2000)),
    ("test[-10%:]", slice(9000, NUM_TEST)),
    ("test[5:-5]", slice(5, NUM_TEST - 5)),
])
def test_real_slices(split, rows, request):
    full_images, full_labels = request.getfixturevalue(
        "mnist_train" if split.startswith("train") else "mnist_test")
    images, labels = load_arrays("mnist", split, data_dir=str(MNIST_DIR))
    assert len(images) == len(labels) == len(range(*rows.indices(len(full_images))))
    np.testing.assert_array_equal(images, full_images[rows])
    np.testing.assert_array_equal(labels, full_labels[rows])


# ---------------------------------------------------------------- load_dataset

@needs_mnist
def test_load_dataset_batches():
    ds = load_dataset("mnist", "test[:1000]", batch_size=100, data_dir=str(MNIST_DIR), seed=0)
    assert ds.element_spec == tf.TensorSpec((100, 28, 28, 1), tf.float32)
    batches = [b.numpy() for b in ds]
    assert len(batches) == 10
    pixels = np.concatenate(batches)
    assert pixels.min() == -1.0 and pixels.max() == 1.0
    assert np.all((pixels >= -1) & (pixels <= 1))
    opts = ds.options().experimental_distribute
    assert opts.auto_shard_policy == tf.data.experimental.AutoShardPolicy.DATA


@needs_mnist
def test_load_dataset_unshuffled_matches_arrays(mnist_test):
    ds = load_dataset("mnist", "test[:64]", batch_size=32, data_dir=str(MNIST_DIR),
                      shuffle=False, with_labels=True)
    images, labels = zip(*[(x.numpy(), y.numpy()) for x, y in ds])
    np.testing.assert_allclose(np.concatenate(images), mnist_test[0][:64] / 127.5 - 1,
                               atol=1e-6)
    np.testing.assert_array_equal(np.concatenate(labels), mnist_test[1][:64])
    assert labels[0].dtype == np.int64


def test_with_labels_and_drop_remainder(small_dir):
    ds = load_dataset("mnist", "train", batch_size=4, data_dir=str(small_dir), with_labels=True)
    assert ds.element_spec[1] == tf.TensorSpec((4,), tf.int64)
    batches = list(ds)
    assert [len(y) for _, y in batches] == [4, 4]
    ds = load_dataset("mnist", "train", batch_size=4, data_dir=str(small_dir),
                      drop_remainder=False, with_labels=True)
    labels = [y.numpy() for _, y in ds]
    assert [len(y) for y in labels] == [4, 4, 2]
    assert sorted(np.concatenate(labels)) == list(range(10))
    # No full batch, but drop_remainder=False still yields the partial one.
    ds = load_dataset("mnist", "train", batch_size=16, data_dir=str(small_dir),
                      drop_remainder=False)
    assert [b.shape[0] for b in ds] == [10]


def test_seeds_and_reshuffle(small_dir):
    def make(seed, **kwargs):
        return load_dataset("mnist", "train", batch_size=10, data_dir=str(small_dir), seed=seed,
                            **kwargs)

    np.testing.assert_array_equal(first_batch(make(1)), first_batch(make(1)))
    assert not np.array_equal(first_batch(make(1)), first_batch(make(2)))
    # Every epoch is a new permutation of the same 10 images.
    ds = make(1)
    epoch1, epoch2 = first_batch(ds), first_batch(ds)
    assert not np.array_equal(epoch1, epoch2)
    np.testing.assert_array_equal(np.sort(epoch1, axis=0), np.sort(epoch2, axis=0))
    # repeat=True runs across epochs.
    assert len(list(make(1, repeat=True).take(5))) == 5


def test_scale_roundtrip():
    pixels = np.arange(256, dtype=np.uint8)
    scaled = scale_images(pixels).numpy()
    assert scaled.dtype == np.float32 and scaled[0] == -1.0 and scaled[-1] == 1.0
    np.testing.assert_allclose(unscale_images(scaled).numpy() * 255, pixels, atol=1e-4)
    np.testing.assert_array_equal(unscale_images(np.array([-3.0, 3.0])).numpy(), [0.0, 1.0])


# ---------------------------------------------------------------- bad input

def test_ungzipped_files_accepted(tmp_path):
    images, labels = small_arrays()
    write_split(tmp_path, images, labels, gz=False)
    got_images, got_labels = load_arrays("mnist", "train[2:4]", data_dir=str(tmp_path))
    np.testing.assert_array_equal(got_images[..., 0], images[2:4])
    np.testing.assert_array_equal(got_labels, [2, 3])


def test_missing_file(tmp_path):
    images, _ = small_arrays()
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images)
    with pytest.raises(FileNotFoundError, match=r"missing: \['train-labels-idx1-ubyte.gz'\]"):
        load_arrays("mnist", "train", data_dir=str(tmp_path))
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte.gz.*does not exist"):
        load_arrays("mnist", "test", data_dir=str(tmp_path / "nowhere"))


def test_wrong_magic(tmp_path):
    images, labels = small_arrays()
    write_split(tmp_path, images, labels)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", labels, magic=2051)
    with pytest.raises(ValueError, match="train-labels.*wrong magic number 2051, expected 2049"):
        load_arrays("mnist", "train", data_dir=str(tmp_path))


@pytest.mark.parametrize("drop_bytes, match", [
    (100, r"truncated data; the header's dims \(10, 28, 28\) need 7840 data bytes"),
    (7840 + 4, "truncated header"),
])
def test_truncated_file(tmp_path, drop_bytes, match):
    images, labels = small_arrays()
    write_split(tmp_path, images, labels)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images, drop_bytes=drop_bytes)
    with pytest.raises(ValueError, match=match):
        load_arrays("mnist", "train", data_dir=str(tmp_path))


def test_truncated_gzip_stream(tmp_path):
    images, labels = small_arrays()
    write_split(tmp_path, images, labels)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(ValueError, match="train-images.*cannot decompress"):
        load_arrays("mnist", "train", data_dir=str(tmp_path))


def test_wrong_image_size(tmp_path):
    images, labels = small_arrays(size=32)
    write_split(tmp_path, images, labels)
    with pytest.raises(ValueError, match=r"shape \(32, 32, 1\) but the dataset expects \(28, 28, 1\)"):
        load_arrays("mnist", "train", data_dir=str(tmp_path))


def test_count_mismatch(tmp_path):
    images, labels = small_arrays()
    write_split(tmp_path, images, labels[:9])
    with pytest.raises(ValueError, match="10 images but .*train-labels.* has 9 labels"):
        load_arrays("mnist", "train", data_dir=str(tmp_path))


def test_label_out_of_range(tmp_path):
    images, labels = small_arrays()
    labels[3] = 12
    write_split(tmp_path, images, labels)
    with pytest.raises(ValueError, match=r"labels outside 0..9, first 12 at index 3"):
        load_arrays("mnist", "train", data_dir=str(tmp_path))


@pytest.mark.parametrize("split", ["train[5:5]", "train[7:3]", "train[:4%]"])
def test_empty_slice(small_dir, split):
    with pytest.raises(ValueError, match="empty dataset"):
        load_arrays("mnist", split, data_dir=str(small_dir))


@pytest.mark.parametrize("split, match", [
    ("validation", r"Unknown split 'validation'.*\['test', 'train'\]"),
    ("t10k", "Unknown split 't10k'"),
    ("train[5]", "Bad split syntax"),
    ("train[:5", "Bad split syntax"),
    ("train[1:2:3]", "Bad split syntax"),
    ("train+test", "Bad split syntax"),
    ("train[a:b]", "Bad slice bound 'a'"),
    ("train[1.5:]", "Bad slice bound '1.5'"),
    ("train[10%:5]", "both bounds must be absolute or both percentages"),
    ("train[:11]", "out of range -10..10"),
    ("train[:101%]", "out of range -100%..100%"),
])
def test_bad_split(small_dir, split, match):
    with pytest.raises(ValueError, match=match):
        load_arrays("mnist", split, data_dir=str(small_dir))


def test_idx_data_dir_of_another_dataset(small_dir):
    """Any TFDS name is accepted now; IDX files in data_dir are read only as mnist/fashion_mnist."""
    match = r"holds IDX files, but 'cifar10' is not read from IDX files \(only \['fashion_mnist', 'mnist'\] are\)"
    with pytest.raises(ValueError, match=match):
        load_arrays("cifar10", "train", data_dir=str(small_dir))
    with pytest.raises(ValueError, match=match):
        load_dataset("cifar10", data_dir=str(small_dir))


def test_bad_batch_size(small_dir):
    with pytest.raises(ValueError, match="has 10 examples, fewer than one batch of batch_size=16"):
        load_dataset("mnist", "train", batch_size=16, data_dir=str(small_dir))
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        load_dataset("mnist", "train", batch_size=0, data_dir=str(small_dir))


# ---------------------------------------------------------------- TFDS path, offline

@pytest.fixture
def no_network(monkeypatch):
    """Fails any Python-level socket connection made during the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("test tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_tfds_mocked(no_network):
    tfds = pytest.importorskip("tensorflow_datasets")
    info = DATASETS["mnist"]
    with tfds.testing.mock_data(num_examples=20):
        images, labels = load_arrays("mnist", "train")
        ds = load_dataset("mnist", split="train", batch_size=8, seed=0, with_labels=True)
        batches = [(x.numpy(), y.numpy()) for x, y in ds]
    assert images.shape == (20, *info.image_shape) and images.dtype == np.uint8
    assert labels.shape == (20,) and labels.dtype == np.int64
    assert labels.min() >= 0 and labels.max() < info.num_classes
    assert ds.element_spec[0] == tf.TensorSpec((8, 28, 28, 1), tf.float32)
    assert len(batches) == 2  # 20 examples, drop_remainder
    for x, y in batches:
        assert x.shape == (8, 28, 28, 1) and x.dtype == np.float32 and y.dtype == np.int64
        assert x.min() >= -1.0 and x.max() <= 1.0


def test_deterministic_option(small_dir):
    assert load_dataset("mnist", "train", 4, data_dir=str(small_dir)).options().deterministic is True
    fast = load_dataset("mnist", "train", 4, data_dir=str(small_dir), deterministic=False)
    assert fast.options().deterministic is False
    assert fast.options().experimental_distribute.auto_shard_policy == tf.data.experimental.AutoShardPolicy.DATA


def test_pipeline_turns_tf_data_autotune_off(tiny_mnist_dir):
    """Autotune's sleeping optimisation thread delays every iterator deletion (each
    epoch end in fit) to the end of its current 10 ms * 2^k sleep."""
    dataset = load_dataset("mnist", "train", 32, data_dir=str(tiny_mnist_dir))
    assert dataset.options().autotune.enabled is False
    assert dataset.options().experimental_distribute.auto_shard_policy == tf.data.experimental.AutoShardPolicy.DATA
