"""Scoring a model's categorical code against labels, and the traversal callback."""

import numpy as np
import pytest

from keras_infogan import InfoGAN, mnist_spec
from keras_infogan.callbacks import TraversalPictures, traversal_picture
from keras_infogan.codes import LatentSpec, Uniform
from keras_infogan.evaluation.categorical import categorical_assignments, categorical_reports


class _Oracle(InfoGAN):
    """An InfoGAN whose Q puts category (label + 3) % 10 on every image, read from pixel [0, 0]."""

    def encode(self, images, batch_size=256):
        labels = np.rint((images[:, 0, 0, 0] + 1) * 127.5).astype(int)
        return {"cat0": {"probs": np.eye(10)[(labels + 3) % 10]}}


def test_a_permuted_perfect_code_scores_one():
    labels = np.arange(40) % 10
    images = np.zeros((40, 28, 28, 1), np.uint8)
    images[:, 0, 0, 0] = labels
    reports = categorical_reports(_Oracle(), images, labels)
    assert reports["cat0"].accuracy == 1.0 and reports["cat0"].nmi == pytest.approx(1.0)
    assert reports["cat0"].mapping == {(k + 3) % 10: k for k in range(10)}


def test_assignments_of_a_real_model_are_valid_ids():
    images = np.random.default_rng(0).integers(0, 256, (12, 28, 28, 1), dtype=np.uint8)
    ids = categorical_assignments(InfoGAN(), images)["cat0"]
    assert ids.shape == (12,) and ids.min() >= 0 and ids.max() < 10


def test_a_model_without_categorical_codes_is_refused():
    model = InfoGAN(LatentSpec(noise_dim=8, codes=(Uniform(),)))
    with pytest.raises(ValueError, match="no categorical code"):
        categorical_reports(model, np.zeros((2, 28, 28, 1), np.uint8), np.zeros(2, int))


def test_traversal_picture_has_one_panel_per_code(tmp_path):
    model = InfoGAN(mnist_spec())
    noise = model.latent_spec.sample_noise(10, (0, 1)).numpy()
    picture = traversal_picture(model, noise)
    # three panels of 10 x 10 tiles of 28 px, side by side
    assert picture.width > 3 * 10 * 28 and picture.height > 10 * 28
    callback = TraversalPictures(tmp_path, rows=4)
    callback.set_model(model)
    callback.on_train_begin()
    callback.on_epoch_end(0)
    assert (tmp_path / "traversal_epoch001.png").exists()
