"""Novelty detection on MNIST: does each anomaly signal pick out a digit the model never saw?

For each run folder (trained with `--exclude-labels D`), fit the run's anomaly scorer
on its own training images (the same images it was trained on, digit D left out),
score the 10,000 test images, and report ROC-AUC and average precision of every
signal for "digit D" (positives) against the other nine digits, next to two
pixel-space baselines fitted on the same training images. Out-of-distribution rows
score 1,000 uniform-noise images and 1,000 pillow-rendered letters against the same
nine digits. Nothing is tuned on the positives: the scorer's settings are fixed.

    python benchmarks/anomaly.py RUN [RUN ...] --data-dir ../shared/data/mnist

Prints one Markdown table per run and a summary table (the mean over runs).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from sklearn.metrics import average_precision_score, roc_auc_score  # noqa: E402

from keras_infogan.anomaly.baselines import BASELINES  # noqa: E402
from keras_infogan.anomaly.ood import letter_images, noise_images  # noqa: E402
from keras_infogan.anomaly.run import run_scorer  # noqa: E402
from keras_infogan.data import load_images  # noqa: E402
from keras_infogan.pictures import image_grid, labelled_panels, save_png  # noqa: E402
from keras_infogan.run_data import load_training_images, saved_run_config  # noqa: E402


def evaluate_run(run: Path, data_dir: str, ood_count: int, picture: Path | None = None) -> tuple[str, dict]:
    """(left-out digit, {row name: {score name: (auc, ap)}}) for one run folder; with
    `picture`, also a PNG of its 24 most and 24 least anomalous test images."""
    config = saved_run_config(run)
    left_out = config.excluded_labels()
    if len(left_out) != 1:
        raise SystemExit(f"{run}: trained with exclude_labels={config.exclude_labels!r}; expected one digit")
    digit = int(left_out[0])
    scorer = run_scorer(run, log=lambda line: print(f"  {line}", file=sys.stderr))
    train = load_training_images(config, log=lambda line: None)
    test = load_images(config.data, "test", image_shape=config.image_shape(), data_dir=data_dir)
    inliers = test.labels != digit
    shape = config.image_shape()
    sets = {f"digit {digit} (novel class)": test.images[~inliers],
            "uniform noise": noise_images(ood_count, shape, seed=1),
            "letters (pillow)": letter_images(ood_count, shape, seed=1)}
    baselines = {name: make().fit(train.images) for name, make in BASELINES.items()}
    inlier_scores = _all_scores(scorer, baselines, test.images[inliers])
    if picture is not None:
        _picture(scorer.score(test.images)["anomaly"], test, digit, picture)
    rows = {}
    for name, images in sets.items():
        outlier_scores = _all_scores(scorer, baselines, images)
        truth = np.r_[np.zeros(int(inliers.sum())), np.ones(len(images))]
        rows[name] = {score: (roc_auc_score(truth, np.r_[inlier_scores[score], outlier_scores[score]]),
                              average_precision_score(truth, np.r_[inlier_scores[score], outlier_scores[score]]))
                      for score in inlier_scores}
        rows[name]["prevalence"] = (0.5, truth.mean())
    return str(digit), rows


def _all_scores(scorer, baselines: dict, images: np.ndarray) -> dict[str, np.ndarray]:
    scores = scorer.score(images)
    scores.update({name: baseline.score(images) for name, baseline in baselines.items()})
    return scores


def _picture(scores: np.ndarray, test, digit: int, path: Path) -> None:
    order = np.argsort(scores)
    most, least = order[::-1][:24], order[:24]
    novel = int((test.labels[most] == digit).sum())
    save_png(labelled_panels([
        (f"the 24 most anomalous test images ({novel} of them {digit}s, the left-out digit)",
         image_grid(test.images[most] / 255.0, 2, 12)),
        ("the 24 least anomalous test images", image_grid(test.images[least] / 255.0, 2, 12))]), path)
    print(f"wrote {path}; labels of the 24 most anomalous: {test.labels[most].tolist()}", file=sys.stderr)


def markdown(rows: dict, title: str) -> str:
    columns = [c for c in next(iter(rows.values())) if c != "prevalence"]
    lines = [f"#### {title}", "", "| outliers (AUC / AP) | " + " | ".join(columns) + " | AP of chance |",
             "|---|" + "---|" * (len(columns) + 1)]
    for name, row in rows.items():
        cells = [f"{row[c][0]:.3f} / {row[c][1]:.3f}" for c in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {row['prevalence'][1]:.3f} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="run folders, each trained with --exclude-labels D")
    parser.add_argument("--data-dir", default=None, help="MNIST IDX folder (default: each run's config.json)")
    parser.add_argument("--ood-count", type=int, default=1000, help="noise and letter images (default: 1000)")
    parser.add_argument("--picture", type=Path, default=None,
                        help="PNG of the first run's most and least anomalous test images")
    args = parser.parse_args(argv)
    per_run = {}
    for i, run in enumerate(args.runs):
        print(f"scoring {run}", file=sys.stderr)
        digit, rows = evaluate_run(run, args.data_dir or saved_run_config(run).data_dir, args.ood_count,
                                   args.picture if i == 0 else None)
        per_run[digit] = rows
        print(markdown(rows, f"digit {digit} left out ({run})") + "\n", flush=True)
    if len(per_run) > 1:
        novel = {f"digit {d} left out": rows[next(k for k in rows if k.startswith("digit"))]
                 for d, rows in sorted(per_run.items())}
        print(markdown(novel, "novel digit against the other nine, per left-out digit") + "\n")
        names = list(next(iter(novel.values())))
        mean = {name: tuple(np.mean([row[name][i] for row in novel.values()]) for i in (0, 1)) for name in names}
        ood = {kind: {name: tuple(np.mean([rows[kind][name][i] for rows in per_run.values()]) for i in (0, 1))
                      for name in names} for kind in ("uniform noise", "letters (pillow)")}
        print(markdown({f"mean over {len(novel)} left-out digits": mean, **{f"{k}, mean over runs": v
                                                                            for k, v in ood.items()}},
                       "summary") + "\n")


if __name__ == "__main__":
    main()
