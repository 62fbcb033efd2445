"""Scores of image sets from a classifier's outputs, in plain NumPy/SciPy.

Every function takes arrays (a classifier's p(y|x) rows, its feature rows, or
integer ids) and raises one ValueError naming the problem for bad input; the
judge (`keras_infogan.evaluation.judge`) produces those arrays for MNIST-like
images and its `sample_quality` combines these scores.

  * `classifier_score`: exp(E_x KL(p(y|x) || p(y))), the Inception score with any
    classifier in place of Inception; 1 (all images judged alike) to num_classes.
  * `frechet_distance`: distance between Gaussians fitted to two feature sets, as in FID.
  * `class_shares`, `value_purity`: how images spread over the judged classes, and
    how consistently each value of a categorical code is judged.

Example:
    probs = np.eye(10)[np.arange(1000) % 10]       # confident, evenly spread
    classifier_score(probs)                         # 10.0
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from scipy.linalg import LinAlgWarning, sqrtm
from scipy.special import rel_entr

from keras_infogan.evaluation.clustering import confusion_matrix

_PROBS_TOLERANCE = 1e-3  # rows of p(y|x) must sum to 1 within this
_SQRTM_OFFSET = 1e-6  # added to both covariances' diagonals when sqrtm fails
_IMAG_TOLERANCE = 1e-3  # relative size of imaginary parts of sqrtm dropped silently


def _check_probs(probs: Any) -> np.ndarray:
    """Returns p(y|x) [n, k] as float64 with rows renormalised, or raises."""
    array = np.asarray(probs, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"probs must be a non-empty [n, num_classes] array, got shape {array.shape}")
    if not np.all(np.isfinite(array)) or array.min() < 0:
        raise ValueError("probs must be finite and non-negative")
    sums = array.sum(axis=1)
    worst = int(np.argmax(np.abs(sums - 1)))
    if abs(sums[worst] - 1) > _PROBS_TOLERANCE:
        raise ValueError(f"each row of probs must sum to 1, row {worst} sums to {sums[worst]:.6g}")
    return array / sums[:, np.newaxis]


def classifier_score(probs: np.ndarray, splits: int = 1) -> float:
    """exp(E_x KL(p(y|x) || p(y))) of judge outputs p(y|x) [n, num_classes].

    p(y) is the mean of the rows. With `splits` > 1 the rows are cut into that
    many contiguous parts, each scored with its own p(y), and the mean returned.
    """
    probs = _check_probs(probs)
    if not 1 <= splits <= len(probs):
        raise ValueError(f"splits must lie in [1, {len(probs)}] (the number of rows), got {splits}")
    scores = []
    for part in np.array_split(probs, splits):
        marginal = part.mean(axis=0, keepdims=True)
        scores.append(math.exp(rel_entr(part, marginal).sum(axis=1).mean()))
    return float(np.mean(scores))


def _check_features(features: Any, name: str) -> np.ndarray:
    array = np.asarray(features, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D [n, feature_dim], got shape {array.shape}")
    if array.shape[0] < 2 or array.shape[1] == 0:
        raise ValueError(f"{name} needs at least 2 rows and 1 column for a covariance, "
                         f"got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)) of features [n_a, d], [n_b, d].

    mu and S are the mean and the sample covariance (ddof=1) of each set; this is
    the squared Fréchet (2-Wasserstein) distance between the two fitted Gaussians,
    the quantity FID reports.
    """
    a, b = _check_features(features_a, "features_a"), _check_features(features_b, "features_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"features_a and features_b must have the same width, "
                         f"got {a.shape[1]} and {b.shape[1]}")
    cov_a = np.atleast_2d(np.cov(a, rowvar=False))
    cov_b = np.atleast_2d(np.cov(b, rowvar=False))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LinAlgWarning)  # singular products are common (dead units)
        covmean = sqrtm(cov_a @ cov_b)
        if not np.all(np.isfinite(covmean)):
            offset = np.eye(len(cov_a)) * _SQRTM_OFFSET
            covmean = sqrtm((cov_a + offset) @ (cov_b + offset))
    if np.iscomplexobj(covmean):
        imaginary = float(np.abs(covmean.imag).max())
        if imaginary > _IMAG_TOLERANCE * max(1.0, float(np.abs(covmean.real).max())):
            raise ValueError(f"(S_a S_b)^(1/2) has a large imaginary part ({imaginary:.3g}); "
                             f"the covariances are too ill-conditioned")
        covmean = covmean.real
    diff = a.mean(axis=0) - b.mean(axis=0)
    distance = diff @ diff + np.trace(cov_a) + np.trace(cov_b) - 2 * np.trace(covmean)
    return max(float(distance), 0.0)


def class_shares(probs: np.ndarray) -> np.ndarray:
    """Share of images whose judged class (argmax) is each class, float64 [num_classes]."""
    probs = _check_probs(probs)
    return np.bincount(probs.argmax(axis=1), minlength=probs.shape[1]) / len(probs)


def _check_ids(ids: Any, name: str, size: int) -> np.ndarray:
    array = np.asarray(ids)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {array.shape}")
    if array.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer ids, got dtype {array.dtype}")
    if array.min() < 0 or array.max() >= size:
        raise ValueError(f"{name} must lie in [0, {size - 1}], got [{array.min()}, {array.max()}]")
    return array.astype(np.int64)


def value_purity(values: np.ndarray, judged: np.ndarray, num_values: int,
                 num_classes: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Judged majority class and purity of each value of a categorical code.

    Args:
        values: the code value each image was generated with, ids [n] in [0, num_values).
        judged: the judge's class of each image, ids [n] in [0, num_classes).

    Returns:
        majority int64 [num_values], the most frequent judged class of each value's
        images (ties: smallest class), and purity float64 [num_values], the share of
        that value's images judged as its majority class; -1 and NaN for a value
        with no images.
    """
    values = _check_ids(values, "values", num_values)
    judged = _check_ids(judged, "judged", num_classes)
    if values.shape != judged.shape:
        raise ValueError(f"values and judged must have the same length, got {values.size} and {judged.size}")
    counts = confusion_matrix(values, judged, num_values, num_classes)  # [num_values, num_classes]
    totals = counts.sum(axis=1)
    present = totals > 0
    majority = np.where(present, counts.argmax(axis=1), -1)
    purity = np.full(num_values, np.nan)
    purity[present] = counts.max(axis=1)[present] / totals[present]
    return majority, purity
