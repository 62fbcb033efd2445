"""Draws of the test suite's shared real-MNIST run (tests/conftest.py `mnist_png_run`) on
other seeds, for setting the thresholds of the tests that read it.

    python experiments/fixture_draws.py --data-dir ../shared/data/mnist --seeds 0 1 2 \\
        --workdir /tmp/fixture_draws

Writes the PNG folder under WORKDIR (unless it is there) and trains the fixture's recipe
once per seed, one after another, with the tests' own code (tests/mnist_png.py: change
the recipe there and the fixture follows). Prints per seed: training seconds, the
categorical bound `mi_cat0` and the accuracy of cat0 after every epoch
(tests/test_folder_mnist.py), and the anomaly AUCs of tests/test_anomaly.py.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from mnist_png import RECIPE, anomaly_aucs, train_png_run, write_png_folder  # noqa: E402


def draw(folder: Path, data_dir: str, seed: int, out: Path) -> str:
    start = time.perf_counter()
    train_png_run(folder, out, seed=seed)
    seconds = time.perf_counter() - start
    rows = list(csv.DictReader((out / "metrics.csv").open()))
    aucs = anomaly_aucs(out, data_dir)
    bounds = " ".join("%.2f" % float(row["mi_cat0"]) for row in rows)
    accuracies = " ".join("%.3f" % float(row["eval_acc_cat0"]) for row in rows)
    return (f"seed {seed}: trained in {seconds:.0f} s; mi_cat0 {bounds}; acc {accuracies}; AUC noise "
            f"{aucs['noise']:.3f}, letters {aucs['letters']:.3f}, letters by pixel PCA {aucs['letters_pixel_pca']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="folder of the MNIST IDX files")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--workdir", type=Path, required=True, help="PNG folder and run folders go here")
    args = parser.parse_args()
    folder = args.workdir / "mnist_png"
    if not folder.exists():
        write_png_folder(args.data_dir, folder)
    elif len(list(folder.glob("*/*.png"))) != 10_000:
        raise SystemExit(f"{folder} is not a complete PNG folder of the 10,000 test images: remove it")
    print(f"recipe (tests/mnist_png.py): {RECIPE}", flush=True)
    for seed in args.seeds:
        out = args.workdir / f"seed{seed}"
        if out.exists():
            raise SystemExit(f"{out} exists: remove it or choose another --workdir")
        print(draw(folder, args.data_dir, seed, out), flush=True)


if __name__ == "__main__":
    main()
