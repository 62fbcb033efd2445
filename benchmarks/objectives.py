"""The GAN tutorial's objectives compared on MNIST at one seed and one step budget.

For each objective a child process trains the MNIST preset (`train()`, the same
seed, data and number of steps; only the adversarial game differs) and scores the
model on the 10,000 test images:

- categorical-code accuracy: argmax Q(cat0|x) as clusters, Hungarian-matched to the labels;
- the judge's Fréchet distance (generated vs real test, in the judge's features) and
  classifier score, and the smallest share of generated images judged as one digit
  (0.1 when every digit is drawn equally; near 0 when a digit is dropped);
- whether training diverged (a NaN/Inf loss or weight stops a run: `NonFiniteError`).

It prints a Markdown table and writes a picture with one panel of samples per
objective (rows: noise draws; columns: the 10 values of cat0).

    python benchmarks/objectives.py --epochs 5 --out runs/objectives   # ~25 min on 2 cores

The data is the offline MNIST folder (`--data-dir`, default ../shared/data/mnist next to
the repository). Runs already finished in `--out` are scored again, not retrained.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"

OBJECTIVES = {  # TrainConfig fields of each game; everything else is the MNIST preset
    "non_saturating": {},
    "minimax": {"gan_loss": "minimax"},
    "maximum_likelihood": {"gan_loss": "maximum_likelihood"},
    "hinge": {"gan_loss": "hinge"},
    "least_squares": {"gan_loss": "least_squares"},
    "wasserstein_gp": {"gan_loss": "wasserstein_gp", "penalty": "wgan_gp", "gradient_penalty": 10.0},
}


def run_one(name: str, out: Path, epochs: int, data_dir: str, num_samples: int) -> dict:
    """Train (or reuse) one objective's run and score it (in this process)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from keras_infogan.checkpoints import NonFiniteError
    from keras_infogan.data import load_arrays
    from keras_infogan.evaluation.categorical import categorical_reports
    from keras_infogan.evaluation.judge import load_or_train_judge, sample_quality
    from keras_infogan.loading import load_infogan
    from keras_infogan.presets import preset_config
    from keras_infogan.train import train

    folder = out / name
    config = preset_config("mnist", data_dir=data_dir, epochs=epochs, eval_split=None, **OBJECTIVES[name])
    start, diverged = time.perf_counter(), None
    if not (folder / "model.keras").exists():
        try:
            train(config, folder, verbose=0, overwrite=True)
        except NonFiniteError as error:
            diverged = str(error).split(";")[0]
    minutes = (time.perf_counter() - start) / 60
    result = {"objective": name, "diverged": diverged, "minutes": minutes}
    if diverged:
        return result
    model = load_infogan(folder, compile=False)
    train_images, _ = load_arrays("mnist", "train", data_dir)
    test_images, test_labels = load_arrays("mnist", "test", data_dir)
    result["accuracy"] = categorical_reports(model, test_images, test_labels)["cat0"].accuracy
    judge = load_or_train_judge("mnist", "train", data_dir=data_dir)
    quality = sample_quality(model, judge, train_images / 255.0, test_images / 255.0,
                             num_samples=num_samples, seed=0).to_dict()
    result.update(frechet=quality["frechet_distance"], classifier_score=quality["classifier_score"],
                  smallest_share=min(quality["class_shares"]))
    return result


def _picture(out: Path, names: list[str]) -> Path:
    """One panel per objective: 5 noise rows x the 10 values of cat0."""
    import numpy as np

    from keras_infogan.data import unscale_images
    from keras_infogan.loading import load_infogan
    from keras_infogan.pictures import image_grid, labelled_panels, save_png

    panels = []
    for name in names:
        if not (out / name / "model.keras").exists():
            continue
        model = load_infogan(out / name, compile=False)
        z = np.repeat(model.latent_spec.sample_noise(5, (0, 1)).numpy(), 10, axis=0)
        cats = np.tile(np.arange(10), 5)
        zeros = np.zeros(50, np.float32)
        images = unscale_images(model.generate(z, [cats, zeros, zeros])).numpy()
        panels.append((name, image_grid(images, 5, 10)))
    return save_png(labelled_panels(panels), out / "samples_per_objective.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=5, help="epochs of the 19,690 images per run (default: 5)")
    parser.add_argument("--out", type=Path, default=Path("runs/objectives"), help="folder of the runs")
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA), help="folder of the MNIST IDX files")
    parser.add_argument("--objectives", nargs="+", default=list(OBJECTIVES), choices=list(OBJECTIVES))
    parser.add_argument("--num-samples", type=int, default=5000, help="generated images judged per run")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, args.out, args.epochs, args.data_dir, args.num_samples)))
        return
    print("| objective | cat0 test accuracy | Fréchet distance | classifier score | smallest class share "
          "| diverged | minutes |")
    print("|---|---|---|---|---|---|---|")
    for name in args.objectives:
        out = subprocess.run([sys.executable, __file__, "--child", name, "--out", str(args.out), "--epochs",
                              str(args.epochs), "--data-dir", args.data_dir, "--num-samples", str(args.num_samples)],
                             check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        if r["diverged"]:
            print(f"| {name} | - | - | - | - | {r['diverged']} | {r['minutes']:.1f} |", flush=True)
        else:
            print(f"| {name} | {r['accuracy']:.3f} | {r['frechet']:.2f} | {r['classifier_score']:.2f} | "
                  f"{r['smallest_share']:.3f} | no | {r['minutes']:.1f} |", flush=True)
    print(f"wrote {_picture(args.out, args.objectives)}")


if __name__ == "__main__":
    main()
