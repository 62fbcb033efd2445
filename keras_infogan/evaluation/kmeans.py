"""k-means++ on discriminator features (the hybrid of Premachandran & Yuille, 2017)."""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans

from keras_infogan.evaluation.clustering import ClusteringReport, clustering_report


def kmeans_assignments(train_features: np.ndarray, test_features: np.ndarray, k: int,
                       seed: int = 0, n_init: int = 10) -> np.ndarray:
    """Fit k-means++ with `k` centres on train_features [n, d]; return the index of
    the nearest centre for each row of test_features [m, d] (ints [m])."""
    train_features, test_features = np.asarray(train_features), np.asarray(test_features)
    if train_features.ndim != 2 or test_features.ndim != 2 or train_features.shape[1] != test_features.shape[1]:
        raise ValueError(f"features must be [n, d] and [m, d] with the same d, "
                         f"got {train_features.shape} and {test_features.shape}")
    if not 2 <= k <= len(train_features):
        raise ValueError(f"k must be in [2, {len(train_features)}] (the number of training rows), got {k}")
    kmeans = KMeans(n_clusters=k, init="k-means++", n_init=n_init, random_state=seed)
    kmeans.fit(train_features)
    return kmeans.predict(test_features)


def kmeans_report(train_features: np.ndarray, test_features: np.ndarray, test_labels: np.ndarray,
                  k: int | None = None, seed: int = 0) -> ClusteringReport:
    """Hungarian accuracy, NMI and ARI of k-means++ clusters against test_labels [m];
    k defaults to the number of distinct test labels."""
    k = len(np.unique(test_labels)) if k is None else k
    return clustering_report(test_labels, kmeans_assignments(train_features, test_features, k, seed))
