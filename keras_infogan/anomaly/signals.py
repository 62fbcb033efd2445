"""What an anomaly signal is, and the registry of them (one module per signal).

A signal turns the trained networks' outputs on an image into one number, higher
= more anomalous. Its `fit` reads the networks' outputs on the training images
and returns the arrays it needs (none for signals without a fit); its `score` is
TensorFlow code over stock ops, so the same function scores in Python and in the
TF Serving `score` signature.
"""

from __future__ import annotations

import importlib
from typing import NamedTuple, Protocol

import numpy as np
import tensorflow as tf

from keras_infogan.codes import LatentSpec


class NetOutputs(NamedTuple):
    """The networks' inference-mode outputs for a batch of n images (NumPy arrays
    in `fit`, tensors in `score`).

    features: shared-trunk features [n, d] (spatial maps averaged over h and w);
    d_logits: the D head's output [n] (higher: more real, for every objective);
    q_params: the Q head's raw outputs [n, num_params] (`LatentSpec.split_params`).
    """

    features: np.ndarray | tf.Tensor
    d_logits: np.ndarray | tf.Tensor
    q_params: np.ndarray | tf.Tensor


class Signal(Protocol):
    """One anomaly signal: `name`, `description` and three functions."""

    name: str
    description: str

    def unavailable(self, spec: LatentSpec) -> str | None:
        """Why the signal cannot be computed for models with this spec, or None."""

    def fit(self, outputs: NetOutputs, spec: LatentSpec, seed: int) -> dict[str, np.ndarray]:
        """The arrays `score` needs, from the outputs on the training images."""

    def score(self, outputs: NetOutputs, state: dict[str, tf.Tensor], spec: LatentSpec) -> tf.Tensor:
        """Float32 scores [n], higher = more anomalous."""


# name -> module defining SIGNAL; the order is the column order of score tables.
_MODULES = {
    "discriminator": "keras_infogan.anomaly.discriminator",
    "q_entropy": "keras_infogan.anomaly.posterior_entropy",
    "kmeans_distance": "keras_infogan.anomaly.kmeans_distance",
    "feature_gaussian": "keras_infogan.anomaly.feature_gaussian",
}
SIGNAL_NAMES = tuple(_MODULES)


def get_signal(name: str) -> Signal:
    """The signal registered as `name`."""
    if name not in _MODULES:
        raise ValueError(f"unknown anomaly signal {name!r}; known: {list(SIGNAL_NAMES)}")
    return importlib.import_module(_MODULES[name]).SIGNAL
