"""Scoring a model's categorical code against labels, the callbacks (traversals, L_I curve), plots."""

import numpy as np
import pytest

from keras_infogan import InfoGAN, mnist_spec
from keras_infogan.callbacks import InfoCurve, TraversalPictures
from keras_infogan.pictures import traversal_picture
from keras_infogan.codes import LatentSpec, Uniform
from keras_infogan.evaluation.categorical import categorical_assignments, categorical_reports
from keras_infogan.evaluation.plots import plot_confusion, plot_info_curves, read_info_curve


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


def test_info_curve_rows_are_window_means_of_the_per_step_bounds(tmp_path):
    """With a window dividing the epoch, each epoch's mean of the windows equals the
    epoch mean Keras logs, and the step column counts optimizer steps."""
    model = InfoGAN(mnist_spec(noise_dim=8))
    model.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)).astype(np.float32)
    path = tmp_path / "info_curve.csv"
    history = model.fit(images, batch_size=8, epochs=2, verbose=0, shuffle=False,
                        callbacks=[InfoCurve(path, every=4)])
    curve = read_info_curve(path)
    np.testing.assert_array_equal(curve["step"], [4, 8, 12, 16])
    for code in ("cat0", "cont0", "cont1"):
        epoch_means = curve[f"mi_{code}"].reshape(2, 2).mean(axis=1)
        np.testing.assert_allclose(epoch_means, history.history[f"mi_{code}"], atol=1e-4)
    # the per-step values differ from the running means, so this is not a copy of them
    assert len(set(np.round(curve["mi_cat0"], 5))) == 4
    with pytest.raises(ValueError, match="every"):
        InfoCurve(path, every=0)


def test_plots_write_pngs(tmp_path):
    curve = {"step": np.array([50.0, 100.0]), "mi_cat0": np.array([1.0, 2.0]), "mi_cont0": np.array([0.1, 0.2])}
    plot_info_curves({"InfoGAN": curve, "GAN baseline": curve}, {"cat0": 2.3, "cont0": 0.69},
                     tmp_path / "curves.png")
    plot_info_curves({"InfoGAN": [curve, curve, curve], "probe baseline": [curve]}, {"cat0": 2.3},
                     tmp_path / "seeds.png")  # several seeds per label
    plot_confusion(np.array([[5, 1], [0, 7]]), tmp_path / "confusion.png", "test", columns=[1, 0])
    for name in ("curves.png", "seeds.png", "confusion.png"):
        assert (tmp_path / name).stat().st_size > 1000
    with pytest.raises(FileNotFoundError, match="no L_I curve"):
        read_info_curve(tmp_path / "missing.csv")
