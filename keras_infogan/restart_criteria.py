"""Restart criteria: how a restarts run scores its starts without labels (the highest score wins).

A criterion measures each start right after it stops (`measure(model, folder,
epochs, images)`, with `images` a fixed sample of unlabeled training images) and
then turns all the starts' measures into scores (`score(measures)`). Add a
criterion by writing those two functions and an entry in `CRITERIA`.

- "consensus": each start's argmax partition of the sample, compared by NMI with
  every other start's; the winner is the medoid, the start whose categories the
  others agree with most. Needs at least 3 starts.
- "consistency": the start's mean augmentation-consistency KL over its last epoch
  (the `q_consistency` column of its metrics.csv, averaged over that epoch's
  real training images); the winner is the start whose categories change least
  when an image is slightly rotated, shifted, zoomed or thickened. Needs the
  consistency term (`TrainConfig.consistency` > 0). On 19 held-out MNIST runs
  the KL after 10 epochs ranked the runs almost as their held-out accuracy did
  (Spearman -0.95, docs/mnist_experiments.md).

Example:
    criterion = CRITERIA["consistency"]
    measures = [criterion.measure(model, folder, 10, images) for model, folder in starts]
    winner = int(np.argmax(criterion.score(measures)))
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path
from typing import Callable

import numpy as np


def consensus_scores(partitions: list[np.ndarray]) -> list[float]:
    """Mean NMI of each partition (cluster ids of the same images) with every other one.

    Example:
        consensus_scores([np.array([0, 0, 1, 1]), np.array([1, 1, 0, 0]), np.array([0, 1, 0, 1])])
        # [0.5, 0.5, 0.0]: the first two agree with each other, the third with neither
    """
    from sklearn.metrics import normalized_mutual_info_score

    if len(partitions) < 2:
        raise ValueError(f"consensus needs at least 2 partitions, got {len(partitions)}")
    lengths = {len(p) for p in partitions}
    if len(lengths) != 1:
        raise ValueError(f"partitions must label the same images, got lengths {sorted(lengths)}")
    return [float(np.mean([normalized_mutual_info_score(mine, other)
                           for j, other in enumerate(partitions) if j != i]))
            for i, mine in enumerate(partitions)]


def partition(model, images: np.ndarray) -> np.ndarray:
    """Argmax of every categorical code of `model` on uint8 `images`, as one cluster id per image."""
    from keras_infogan.evaluation.categorical import categorical_assignments

    assignments = categorical_assignments(model, images)
    ids = np.zeros(len(images), dtype=np.int64)
    for code in model.latent_spec.categorical_codes():
        ids = ids * code.num_categories + assignments[code.name]
    return ids


def last_epoch_consistency(folder, epochs: int) -> float:
    """The mean consistency KL of epoch `epochs` (1-based) in the run folder's metrics.csv.

    Raises:
        ValueError: the folder's metrics.csv has no such epoch or no finite KL for it.
    """
    from keras_infogan.run_folder import METRICS_FILE  # here: run_folder imports configs, which imports this

    path = Path(folder) / METRICS_FILE
    rows = list(csv.DictReader(path.open(newline=""))) if path.exists() else []
    values = [row.get("q_consistency") for row in rows if row.get("epoch") == str(epochs - 1)]
    try:
        value = float(values[-1])
    except (IndexError, TypeError, ValueError):
        raise ValueError(f"{path} has no q_consistency for epoch {epochs}: the consistency criterion needs "
                         f"a start trained with the consistency term") from None
    if not np.isfinite(value):
        raise ValueError(f"{path}: q_consistency of epoch {epochs} is {value}")
    return value


@dataclasses.dataclass(frozen=True)
class Criterion:
    """measure(model, folder, epochs, images) -> a start's measure; score(measures) -> scores, highest wins.

    `record` names each measure in restarts.json (None: not recorded, e.g. a partition);
    `needs_model`: False when `measure` reads only the start's folder (it is then passed None for a start
    trained to its end before, whose model is not loaded).
    """

    measure: Callable
    score: Callable[[list], list[float]]
    min_starts: int
    needs_consistency: bool
    record: str | None
    needs_model: bool = True


CRITERIA: dict[str, Criterion] = {
    "consensus": Criterion(measure=lambda model, folder, epochs, images: partition(model, images),
                           score=consensus_scores, min_starts=3, needs_consistency=False, record=None),
    "consistency": Criterion(measure=lambda model, folder, epochs, images: last_epoch_consistency(folder, epochs),
                             score=lambda kls: [-kl for kl in kls], min_starts=2, needs_consistency=True,
                             record="q_consistency", needs_model=False),
}


def check_settings(criterion: str, restarts: int, consistency: float) -> None:
    """One clear error for a criterion that does not exist or cannot score these starts."""
    if criterion not in CRITERIA:
        raise ValueError(f"restart_criterion must be one of {sorted(CRITERIA)}, got {criterion!r}")
    if restarts == 1:
        return
    needed = CRITERIA[criterion].min_starts
    if restarts < needed:
        raise ValueError(f"restarts must be 1 (none) or at least {needed} with the {criterion} criterion, "
                         f"got {restarts}")
    if CRITERIA[criterion].needs_consistency and not consistency > 0:
        raise ValueError(f"the {criterion} restart criterion scores the starts by the consistency term's KL; "
                         f"it needs --consistency > 0, got {consistency}")
