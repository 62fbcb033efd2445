"""Real MNIST written as PNG files in class subfolders: the folder source reads exactly the
IDX images (as `train()` loads them), and training from the folder learns digit identity."""

import csv

import numpy as np
import pytest

from keras_infogan import TrainConfig
from keras_infogan.data import load_images
from keras_infogan.run_data import load_training_images


def test_folder_holds_exactly_the_idx_images(mnist_png_folder, mnist_dir):
    idx = load_images("mnist", "test", data_dir=str(mnist_dir))
    folder = load_images(str(mnist_png_folder), "train", image_shape=(28, 28, 1))
    order = np.argsort(idx.labels, kind="stable")  # the folder is sorted by class, then by file name
    assert folder.class_names == tuple(str(digit) for digit in range(10))
    np.testing.assert_array_equal(folder.labels, idx.labels[order])
    np.testing.assert_array_equal(folder.images, idx.images[order])
    as_trained = load_training_images(TrainConfig(data=str(mnist_png_folder), train_split="train"), log=print)
    np.testing.assert_array_equal(as_trained.images, idx.images[order])  # what train() feeds the model


@pytest.mark.slow
def test_training_from_the_png_folder_learns_digit_identity(mnist_png_run):
    """471 steps (3 epochs of the 10,000 images at batch 64) from the PNG folder (conftest's
    mnist_png_run): the categorical bound nears ln 10 and the code clusters the digits far above
    chance (about 0.2 for an untrained model). Seeds 0-2 of this run ended at 0.375 / 0.494 / 0.490
    (bound 2.25 nats) alone on a 2-core Intel Xeon with AVX-512; the 390-step fixture it replaced
    (batch 128, 5 epochs) ended at 0.39 to 0.56 on a 2-core AMD EPYC with AVX2 only, plain or XLA
    step: the last bits of the arithmetic draw the run. Two epochs at batch 64 were not enough
    (seed 0: 0.205). The images it trained on are the IDX images (the test above), so a run from
    the IDX files is not trained again."""
    rows = list(csv.DictReader((mnist_png_run / "metrics.csv").open()))
    assert float(rows[-1]["mi_cat0"]) > 2.0
    assert float(rows[-1]["eval_acc_cat0"]) > 0.3  # 1.5x an untrained model's
