"""The shared real-MNIST run of the slow tests, in one place: its PNG folder, its training
recipe and the anomaly AUCs its test checks. tests/conftest.py builds the fixtures from it,
tests/test_anomaly.py scores it, and experiments/fixture_draws.py trains it on other seeds
to set the tests' thresholds."""

from pathlib import Path

import numpy as np
from PIL import Image

# 471 steps: 3 epochs of the 10,000 test images at batch 64, the step compiled with XLA.
RECIPE = dict(epochs=3, batch_size=64, jit_compile=True)


def write_png_folder(data_dir, folder: Path) -> Path:
    """The 10,000 MNIST test images as <label>/<index>.png under `folder` (the folder
    source sorts them by class, then by name: that order sets the training shuffle)."""
    from keras_infogan.data import load_images

    test = load_images("mnist", "test", data_dir=str(data_dir))
    for label in range(10):
        (folder / str(label)).mkdir(parents=True)
    for index, (image, label) in enumerate(zip(test.images, test.labels)):
        Image.fromarray(image[..., 0]).save(folder / str(label) / f"{index:05d}.png")
    return folder


def train_png_run(folder: Path, out: Path, seed: int = 0):
    """`RECIPE` of the default MNIST InfoGAN networks on the PNG folder, scored on it after
    every epoch (metrics.csv)."""
    from keras_infogan import TrainConfig, train

    return train(TrainConfig(data=str(folder), train_split="train", eval_split="train", seed=seed, **RECIPE),
                 out, verbose=0)


def anomaly_aucs(run: Path, data_dir) -> dict:
    """ROC AUCs of the run's anomaly scorer (fitted on the images it trained on) for 500 noise
    images and 500 letters against 2,000 training digits it never saw, and of the pixel PCA
    baseline for the letters: {"noise", "letters", "letters_pixel_pca"}."""
    from sklearn.metrics import roc_auc_score

    from keras_infogan.anomaly.baselines import BASELINES
    from keras_infogan.anomaly.ood import letter_images, noise_images
    from keras_infogan.anomaly.run import run_scorer
    from keras_infogan.data import load_images

    scorer = run_scorer(run, log=lambda line: None)
    fitted_on = load_images("mnist", "test", data_dir=str(data_dir)).images
    digits = load_images("mnist", "train[:2000]", data_dir=str(data_dir)).images
    letters = letter_images(500, seed=2)
    truth = np.r_[np.zeros(len(digits)), np.ones(500)]
    digit_scores = scorer.score(digits)["anomaly"]
    pca = BASELINES["pixel_pca"]().fit(fitted_on)
    return {"noise": roc_auc_score(truth, np.r_[digit_scores, scorer.score(noise_images(500, seed=2))["anomaly"]]),
            "letters": roc_auc_score(truth, np.r_[digit_scores, scorer.score(letters)["anomaly"]]),
            "letters_pixel_pca": roc_auc_score(truth, np.r_[pca.score(digits), pca.score(letters)])}
