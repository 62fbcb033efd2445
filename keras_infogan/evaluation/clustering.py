"""Scoring an unsupervised clustering (e.g. argmax of a categorical code's Q head)
against true labels.

Label and cluster ids are non-negative integers. Clusters carry no names, so a
clustering is scored after matching cluster ids to labels with the Hungarian
algorithm (maximising the number of examples whose cluster maps to their label).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

_TOP_CONFUSIONS = 5


def as_ids(values: Any, name: str, allow_integral_floats: bool = True) -> np.ndarray:
    """Checks `values` is a non-empty 1-D array of non-negative integers (floats with
    integer values too, if allowed); returns int64 [n]."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    if array.dtype.kind == "f" and allow_integral_floats:
        if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
            raise ValueError(f"{name} must be integer-valued, got non-integer floats")
    elif array.dtype.kind not in "iub":
        raise ValueError(f"{name} must be integer-valued, got dtype {array.dtype}")
    array = array.astype(np.int64)
    if array.min() < 0:
        raise ValueError(f"{name} must be non-negative ids, got minimum {array.min()}")
    return array


def _check_pair(labels: Any, clusters: Any) -> tuple[np.ndarray, np.ndarray]:
    labels = as_ids(labels, "labels")
    clusters = as_ids(clusters, "clusters")
    if labels.shape != clusters.shape:
        raise ValueError(
            f"labels and clusters must have the same length, got {labels.size} and {clusters.size}")
    return labels, clusters


def _check_count(count: int | None, ids: np.ndarray, name: str, id_name: str) -> int:
    needed = int(ids.max()) + 1
    if count is None:
        return needed
    if count < needed:
        raise ValueError(f"{name}={count} is too small for {id_name} up to {needed - 1}")
    return int(count)


def confusion_matrix(
    labels: np.ndarray,
    clusters: np.ndarray,
    num_classes: int | None = None,
    num_clusters: int | None = None,
) -> np.ndarray:
    """Counts int64 [num_classes, num_clusters]: row = true label, column = cluster id.

    labels, clusters: integer ids [n]. The sizes default to the largest id + 1.
    """
    labels, clusters = _check_pair(labels, clusters)
    num_classes = _check_count(num_classes, labels, "num_classes", "labels")
    num_clusters = _check_count(num_clusters, clusters, "num_clusters", "cluster ids")
    flat = np.bincount(labels * num_clusters + clusters, minlength=num_classes * num_clusters)
    return flat.reshape(num_classes, num_clusters)


def _match(labels: np.ndarray, clusters: np.ndarray) -> tuple[dict[int, int], dict[int, int]]:
    """Returns (one-to-one Hungarian matches, full mapping), both cluster id -> label.

    Only ids that occur are matched, so an absent label or cluster never takes a
    partner from a present one.
    """
    label_ids, label_index = np.unique(labels, return_inverse=True)
    cluster_ids, cluster_index = np.unique(clusters, return_inverse=True)
    counts = confusion_matrix(label_index, cluster_index, len(label_ids), len(cluster_ids))
    rows, cols = linear_sum_assignment(counts, maximize=True)
    matched = {int(cluster_ids[c]): int(label_ids[r]) for r, c in zip(rows, cols)}
    mapping = {}
    for column, cluster in enumerate(cluster_ids):
        majority = int(label_ids[np.argmax(counts[:, column])])
        mapping[int(cluster)] = matched.get(int(cluster), majority)
    return matched, mapping


def match_clusters(labels: np.ndarray, clusters: np.ndarray) -> dict[int, int]:
    """Maps every cluster id occurring in `clusters` to a label; labels, clusters: ids [n].

    The Hungarian algorithm pairs clusters and labels one-to-one so that the
    number of examples whose cluster is paired with their label is maximal; the
    confusion matrix may be rectangular. With more clusters than classes the
    clusters left unpaired map to their majority label (ties: smallest label), so
    several clusters can share a label. This keeps every example scored by its
    best available guess, but it means accuracy can only rise as clusters are
    split (one cluster per example scores 1); compare NMI/ARI in that case. With
    fewer clusters than classes some labels receive no cluster.
    """
    labels, clusters = _check_pair(labels, clusters)
    return _match(labels, clusters)[1]


def _predict(mapping: dict[int, int], clusters: np.ndarray) -> np.ndarray:
    lookup = np.zeros(int(clusters.max()) + 1, dtype=np.int64)
    for cluster, label in mapping.items():
        lookup[cluster] = label
    return lookup[clusters]


def cluster_accuracy(labels: np.ndarray, clusters: np.ndarray) -> float:
    """Share of examples whose cluster's matched label (see `match_clusters`) equals their label."""
    labels, clusters = _check_pair(labels, clusters)
    predicted = _predict(_match(labels, clusters)[1], clusters)
    return float(np.mean(predicted == labels))


@dataclasses.dataclass(frozen=True, eq=False)
class ClusteringReport:
    """Scores of one clustering against true labels.

    Attributes:
        accuracy: share of examples whose matched label is right (`cluster_accuracy`).
        nmi: normalized mutual information (arithmetic normalisation), in [0, 1].
        ari: adjusted Rand index; 1 perfect, about 0 for chance.
        mapping: cluster id -> label, for every cluster id that occurs.
        confusion: read-only int64 [num_classes, num_clusters], row = true label,
            columns reordered so that the cluster matched one-to-one to label k
            sits in column k where there is one.
        column_clusters: cluster id of each column of `confusion` [num_clusters].
        most_confused: up to 5 (true_label, predicted_label, count) with
            true_label != predicted_label and count > 0, largest count first
            (ties: smaller true, then predicted label first); predicted_label is
            the label the example's cluster maps to.
    """

    accuracy: float
    nmi: float
    ari: float
    mapping: dict[int, int]
    confusion: np.ndarray
    column_clusters: tuple[int, ...]
    most_confused: list[tuple[int, int, int]]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict; mapping keys become strings (JSON object keys)."""
        return {
            "accuracy": self.accuracy,
            "nmi": self.nmi,
            "ari": self.ari,
            "mapping": {str(cluster): label for cluster, label in self.mapping.items()},
            "confusion": self.confusion.tolist(),
            "column_clusters": list(self.column_clusters),
            "most_confused": [list(entry) for entry in self.most_confused],
        }


def _column_order(matched: dict[int, int], mapping: dict[int, int], num_classes: int,
                  num_clusters: int) -> list[int]:
    """Cluster ids in column order: the cluster matched to label k in slot k, the
    rest (by mapped label, then id; absent ids last) filling the free slots in order."""
    slots: list[int | None] = [None] * num_clusters
    for cluster, label in matched.items():
        if label < num_clusters:
            slots[label] = cluster
    placed = {cluster for cluster in slots if cluster is not None}
    rest = sorted(
        (cluster for cluster in range(num_clusters) if cluster not in placed),
        key=lambda cluster: (mapping.get(cluster, num_classes), cluster))
    free = iter(rest)
    return [next(free) if cluster is None else cluster for cluster in slots]


def clustering_report(labels: np.ndarray, clusters: np.ndarray) -> ClusteringReport:
    """Accuracy, NMI, ARI, matching and confusion for labels, clusters: ids [n]."""
    labels, clusters = _check_pair(labels, clusters)
    matched, mapping = _match(labels, clusters)
    predicted = _predict(mapping, clusters)
    confusion = confusion_matrix(labels, clusters)
    num_classes, num_clusters = confusion.shape
    order = _column_order(matched, mapping, num_classes, num_clusters)
    reordered = confusion[:, order]
    reordered.setflags(write=False)

    by_prediction = confusion_matrix(labels, predicted, num_classes, num_classes)
    np.fill_diagonal(by_prediction, 0)
    true_ids, predicted_ids = np.nonzero(by_prediction)
    errors = sorted(
        ((int(t), int(p), int(by_prediction[t, p])) for t, p in zip(true_ids, predicted_ids)),
        key=lambda entry: (-entry[2], entry[0], entry[1]))

    return ClusteringReport(
        accuracy=float(np.mean(predicted == labels)),
        nmi=float(normalized_mutual_info_score(labels, clusters)),
        ari=float(adjusted_rand_score(labels, clusters)),
        mapping=mapping,
        confusion=reordered,
        column_clusters=tuple(order),
        most_confused=errors[:_TOP_CONFUSIONS],
    )
