"""Few-label classification: a linear classifier on frozen features, few labels per class."""

from __future__ import annotations

import dataclasses

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


@dataclasses.dataclass(frozen=True)
class FewLabelResult:
    """Test accuracy of a linear classifier over several random draws of the labeled set."""

    per_class: int
    accuracies: tuple[float, ...]

    @property
    def mean(self) -> float:
        return float(np.mean(self.accuracies))

    @property
    def std(self) -> float:
        return float(np.std(self.accuracies))

    def to_dict(self) -> dict:
        return {"per_class": self.per_class, "mean": self.mean, "std": self.std,
                "accuracies": list(self.accuracies)}


def labeled_subset(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of `per_class` random examples of every class in labels [n]."""
    labels = np.asarray(labels)
    picks = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) < per_class:
            raise ValueError(f"class {label} has {len(members)} examples, fewer than per_class={per_class}")
        picks.append(rng.choice(members, per_class, replace=False))
    return np.concatenate(picks)


def few_label_accuracy(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray,
                       test_y: np.ndarray, per_class: int, draws: int = 5,
                       seed: int = 0) -> FewLabelResult:
    """Standardise, fit multinomial logistic regression on `per_class` labeled rows
    of train_x [n, d] per class, and score on test_x [m, d]; repeated for `draws`
    random labeled sets (seeded)."""
    train_x, test_x = np.asarray(train_x, np.float64), np.asarray(test_x, np.float64)
    if train_x.ndim != 2 or test_x.shape[1:] != train_x.shape[1:]:
        raise ValueError(f"features must be [n, d] and [m, d] with the same d, got {train_x.shape} and {test_x.shape}")
    if len(train_x) != len(train_y) or len(test_x) != len(test_y):
        raise ValueError("features and labels must have the same number of rows")
    if per_class < 1 or draws < 1:
        raise ValueError(f"per_class and draws must be >= 1, got {per_class} and {draws}")
    rng = np.random.default_rng(seed)
    accuracies = []
    for _ in range(draws):
        rows = labeled_subset(train_y, per_class, rng)
        classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        classifier.fit(train_x[rows], np.asarray(train_y)[rows])
        accuracies.append(float(classifier.score(test_x, test_y)))
    return FewLabelResult(per_class, tuple(accuracies))
