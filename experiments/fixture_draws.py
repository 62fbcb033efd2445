"""Draws of the test suite's shared real-MNIST run (tests/conftest.py `mnist_png_run`) on
other seeds, for setting the thresholds of the tests that read it.

    python experiments/fixture_draws.py --data-dir ../shared/data/mnist --epochs 3 --batch-size 64 \\
        --seeds 0 1 2 --workdir /tmp/fixture_draws

Writes the 10,000 MNIST test images as <label>/<index>.png under WORKDIR (as the fixture
does: the folder order, sorted by class, sets the shuffle), trains the fixture's recipe
(XLA step, scored on the folder after every epoch) once per seed, one after another, and
prints per seed: training seconds, the categorical bound `mi_cat0` and the accuracy of
cat0 after every epoch (tests/test_folder_mnist.py), and the anomaly AUCs of
tests/test_anomaly.py (noise and letters against 2,000 unseen training digits).
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def write_png_folder(data_dir: str, folder: Path) -> Path:
    """The test split as class subfolders of PNGs (skipped when the folder is complete)."""
    from PIL import Image

    from keras_infogan.data import load_images

    if len(list(folder.glob("*/*.png"))) == 10_000:
        return folder
    test = load_images("mnist", "test", data_dir=data_dir)
    for index, label in enumerate(test.labels):
        (folder / str(label)).mkdir(parents=True, exist_ok=True)
        Image.fromarray(test.images[index, ..., 0]).save(folder / str(label) / f"{index:05d}.png")
    return folder


def draw(folder: Path, data_dir: str, epochs: int, batch_size: int, seed: int, out: Path) -> str:
    import numpy as np
    from sklearn.metrics import roc_auc_score

    from keras_infogan import TrainConfig, train
    from keras_infogan.anomaly.ood import letter_images, noise_images
    from keras_infogan.anomaly.run import run_scorer
    from keras_infogan.data import load_images

    start = time.perf_counter()
    train(TrainConfig(data=str(folder), train_split="train", eval_split="train", epochs=epochs,
                      batch_size=batch_size, seed=seed, jit_compile=True), out, verbose=0)
    seconds = time.perf_counter() - start
    rows = list(csv.DictReader((out / "metrics.csv").open()))
    scorer = run_scorer(out, log=lambda line: None)
    digits = scorer.score(load_images("mnist", "train[:2000]", data_dir=data_dir).images)["anomaly"]
    truth = np.r_[np.zeros(len(digits)), np.ones(500)]
    aucs = [roc_auc_score(truth, np.r_[digits, scorer.score(odd(500, seed=2))["anomaly"]])
            for odd in (noise_images, letter_images)]
    bounds = " ".join("%.2f" % float(row["mi_cat0"]) for row in rows)
    accuracies = " ".join("%.3f" % float(row["eval_acc_cat0"]) for row in rows)
    return (f"batch {batch_size}, {epochs} epochs, seed {seed}: trained in {seconds:.0f} s; mi_cat0 {bounds}; "
            f"acc {accuracies}; AUC noise {aucs[0]:.3f}, letters {aucs[1]:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="folder of the MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--workdir", type=Path, required=True, help="PNG folder and run folders go here")
    args = parser.parse_args()
    folder = write_png_folder(args.data_dir, args.workdir / "mnist_png")
    for seed in args.seeds:
        out = args.workdir / f"b{args.batch_size}_e{args.epochs}_s{seed}"
        if out.exists():
            raise SystemExit(f"{out} exists: remove it or choose another --workdir")
        print(draw(folder, args.data_dir, args.epochs, args.batch_size, seed, out), flush=True)


if __name__ == "__main__":
    main()
