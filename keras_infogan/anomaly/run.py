"""The `score` command's job: score images with a run's anomaly scorer and write a CSV.

    score_run("runs/mnist", data="mnist", split="test", out="scores.csv")

The scorer is `RUN/anomaly_scorer.npz`; when the run has none (or `refit`), it is
fitted on the run's own training images (its config.json: data, train_split,
exclude_labels) and saved there first.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Callable

import numpy as np

from keras_infogan.anomaly.scorer import SCORER_FILE, AnomalyScorer, fit_scorer, load_scorer
from keras_infogan.atomic import write_text_atomic
from keras_infogan.configs import TrainConfig
from keras_infogan.data import load_images
from keras_infogan.loading import load_infogan, run_model_path
from keras_infogan.run_data import load_training_images, saved_run_config


def run_scorer(run: str | os.PathLike, refit: bool = False, seed: int = 0,
               log: Callable[[str], None] = print, config: TrainConfig | None = None) -> AnomalyScorer:
    """The run folder's scorer: loaded from RUN/anomaly_scorer.npz, or fitted and saved there
    (on the training images of `config`, default the run's saved config)."""
    run = Path(run)
    if not run.is_dir():
        raise ValueError(f"{run} is not a run folder (the scorer is fitted on the training data its config.json "
                         f"names and saved in it)")
    model = load_infogan(run_model_path(run), compile=False)
    path = run / SCORER_FILE
    if path.exists() and not refit:
        return load_scorer(path, model)
    config = config or saved_run_config(run)
    train = load_training_images(config, log)
    log(f"fitting the anomaly scorer on {len(train.images)} training images ({train.description})")
    scorer = fit_scorer(model, train.images, seed=seed, log=log)
    scorer.save(path)
    log(f"wrote {path}")
    return scorer


def score_run(run: str | os.PathLike, data=None, split: str = "test", out: str | os.PathLike | None = None,
              data_dir: str | None = None, refit: bool = False, seed: int = 0,
              log: Callable[[str], None] = print) -> dict[str, np.ndarray]:
    """Score `split` of `data` (default: the run's data) and write one CSV row per image.

    Columns: index (position in the split), label (when the data has labels), one per
    signal, and "anomaly". Returns the scores. `out` defaults to RUN/scores_<split>.csv.
    """
    run = Path(run)
    config = saved_run_config(run)
    scorer = run_scorer(run, refit, seed, log, config)
    if data is None:
        data, data_dir = config.data, config.data_dir if data_dir is None else data_dir
    images = load_images(data, split, image_shape=config.image_shape(), fit=config.image_fit, data_dir=data_dir)
    scores = scorer.score(images.images)
    out = Path(out) if out is not None else run / f"scores_{split.replace('/', '_')}.csv"
    write_text_atomic(out, scores_csv(scores, scorer.columns, images.labels))
    log(f"scored {len(images.images)} images of {images.description}; wrote {out}")
    return scores


def scores_csv(scores: dict[str, np.ndarray], columns, labels: np.ndarray | None = None) -> str:
    """CSV text: index, label (if any), then each score column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["index", *(["label"] if labels is not None else []), *columns])
    for i in range(len(scores[columns[0]])):
        writer.writerow([i, *([int(labels[i])] if labels is not None else []),
                         *(f"{scores[name][i]:.6g}" for name in columns)])
    return buffer.getvalue()
