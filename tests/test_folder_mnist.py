"""Real MNIST written as PNG files in class subfolders: the folder source reads exactly the
IDX images, and training from the folder learns digit identity as training from IDX does."""

import csv

import numpy as np
import pytest

from keras_infogan import TrainConfig, train
from keras_infogan.data import load_images


def test_folder_holds_exactly_the_idx_images(mnist_png_folder, mnist_dir):
    idx = load_images("mnist", "test", data_dir=str(mnist_dir))
    folder = load_images(str(mnist_png_folder), "train", image_shape=(28, 28, 1))
    order = np.argsort(idx.labels, kind="stable")  # the folder is sorted by class, then by file name
    assert folder.class_names == tuple(str(digit) for digit in range(10))
    np.testing.assert_array_equal(folder.labels, idx.labels[order])
    np.testing.assert_array_equal(folder.images, idx.images[order])


@pytest.mark.slow
def test_training_from_the_png_folder_learns_digit_identity(mnist_png_run, mnist_dir, tmp_path):
    """390 steps (5 epochs of the 10,000 images) from the PNG folder (conftest's mnist_png_run):
    the categorical bound nears ln 10 and the code clusters the digits far above chance (about
    0.2 for an untrained model; this run ends at 0.39 on a 2-core AMD EPYC with AVX2 only, higher
    on the other CPUs seen: the last bits of the arithmetic draw the run). Its first epoch matches
    the same epoch trained from the IDX files within seed noise."""
    common = dict(batch_size=128, seed=0)
    rows = list(csv.DictReader((mnist_png_run / "metrics.csv").open()))
    assert float(rows[-1]["mi_cat0"]) > 2.0
    assert float(rows[-1]["eval_acc_cat0"]) > 0.3  # 1.5x an untrained model's

    idx_run = TrainConfig(data_dir=str(mnist_dir), train_split="test", eval_split="test", epochs=1, **common)
    train(idx_run, tmp_path / "idx", verbose=0)
    idx_first = list(csv.DictReader((tmp_path / "idx" / "metrics.csv").open()))[0]
    assert abs(float(rows[0]["eval_acc_cat0"]) - float(idx_first["eval_acc_cat0"])) < 0.1
    assert abs(float(rows[0]["mi_cat0"]) - float(idx_first["mi_cat0"])) < 0.3
