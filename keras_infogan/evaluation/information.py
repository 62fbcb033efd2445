"""Entropy, conditional entropy and mutual information of discrete distributions.

A distribution is a numpy table of probabilities: a vector p(x) [k] or a joint
table p(x, y) [k_x, k_y] with rows indexing x and columns indexing y. Tables must
be non-empty, finite, non-negative and sum to 1 (within 1e-6); `normalize=True`
divides a table of non-negative weights (e.g. counts) by its sum instead.
0 * log 0 is taken as 0.

`base` selects the unit of every result: "nats" (natural log, the default) or
"bits" (log base 2).

Example, p(rain, dark) with rows rain = no/yes and columns dark = no/yes:

    joint = np.array([[0.70, 0.02], [0.08, 0.20]])
    entropy(joint.sum(axis=1), base="bits")        # H(rain)
    entropy(joint)                                 # H(rain, dark)
    conditional_entropy(joint, given_axis=1)       # H(rain | dark)
    mutual_information(joint)                      # I(rain; dark)
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from scipy.special import entr, rel_entr

from keras_infogan.evaluation.clustering import as_ids

Base = Literal["nats", "bits"]

_LOG_OF_BASE = {"nats": 1.0, "bits": math.log(2.0)}
_SUM_TOLERANCE = 1e-6


def _unit(base: str) -> float:
    """ln of the logarithm base: results in nats are divided by it."""
    if base not in _LOG_OF_BASE:
        raise ValueError(f"base must be one of {sorted(_LOG_OF_BASE)}, got {base!r}")
    return _LOG_OF_BASE[base]


def _check_table(table: Any, name: str, ndim: int | None, normalize: bool) -> np.ndarray:
    """Returns `table` as a float64 probability table, or raises naming the problem."""
    array = np.asarray(table)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {array.dtype}")
    array = array.astype(np.float64)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D table, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    if array.min() < 0:
        raise ValueError(f"{name} has negative entries (minimum {array.min():.6g})")
    total = array.sum()
    if normalize:
        if total == 0:
            raise ValueError(f"{name} sums to 0, so it cannot be normalized")
        return array / total
    if abs(total - 1.0) > _SUM_TOLERANCE:
        raise ValueError(f"{name} must sum to 1 (within {_SUM_TOLERANCE:g}), got {total:.9g}; "
                         f"pass normalize=True to divide by the sum")
    return array


def entropy(p: Any, base: Base = "nats", normalize: bool = False) -> float:
    """H(p) = -sum p log p of a probability table of any shape [...], treated as
    one (joint) distribution: a 2-D table p(x, y) gives the joint entropy H(X, Y)."""
    unit = _unit(base)
    p = _check_table(p, "p", None, normalize)
    return float(entr(p).sum()) / unit


def conditional_entropy(joint: Any, given_axis: int = 1, base: Base = "nats",
                        normalize: bool = False) -> float:
    """H of one variable given the other, for a joint table p(x, y) [k_x, k_y].

    given_axis=1 conditions on the column variable: H(X | Y) = -sum p(x, y) log p(x | y)
    = H(X, Y) - H(Y). given_axis=0 conditions on the row variable: H(Y | X).
    """
    unit = _unit(base)
    if given_axis not in (0, 1):
        raise ValueError(f"given_axis must be 0 (condition on rows) or 1 (condition on "
                         f"columns), got {given_axis!r}")
    joint = _check_table(joint, "joint", 2, normalize)
    given = joint.sum(axis=1 - given_axis, keepdims=True)  # p(y) [1, k_y] or p(x) [k_x, 1]
    return float(-rel_entr(joint, given).sum()) / unit


def mutual_information(joint: Any, base: Base = "nats", normalize: bool = False) -> float:
    """I(X; Y) = sum p(x, y) log(p(x, y) / (p(x) p(y))) of a joint table p(x, y) [k_x, k_y]."""
    unit = _unit(base)
    joint = _check_table(joint, "joint", 2, normalize)
    independent = np.outer(joint.sum(axis=1), joint.sum(axis=0))
    return max(float(rel_entr(joint, independent).sum()), 0.0) / unit


def joint_table(x_ids: Any, y_ids: Any, num_x: int | None = None,
                num_y: int | None = None) -> np.ndarray:
    """Empirical joint distribution float64 [num_x, num_y] of paired integer ids [n].

    Entry (i, j) is the share of positions where x_ids == i and y_ids == j. The sizes
    default to the largest id + 1; e.g. `mutual_information(joint_table(codes, labels))`
    is the plug-in estimate of I(code; label).
    """
    x = as_ids(x_ids, "x_ids", allow_integral_floats=False)
    y = as_ids(y_ids, "y_ids", allow_integral_floats=False)
    if x.shape != y.shape:
        raise ValueError(f"x_ids and y_ids must have the same length, got {x.size} and {y.size}")
    sizes = []
    for ids, size, name in ((x, num_x, "num_x"), (y, num_y, "num_y")):
        needed = int(ids.max()) + 1
        if size is not None and size < needed:
            raise ValueError(f"{name}={size} is too small for ids up to {needed - 1}")
        sizes.append(needed if size is None else int(size))
    counts = np.bincount(x * sizes[1] + y, minlength=sizes[0] * sizes[1])
    return counts.reshape(sizes).astype(np.float64) / x.size
