"""Signal "feature_gaussian": Mahalanobis distance of x's trunk features under one
Gaussian fitted to the training images' features.

The covariance is Ledoit-Wolf shrunk (scikit-learn), so it is invertible even when
features outnumber images or some are always zero. The score is the squared
distance (f - mu)^T S^-1 (f - mu), i.e. -2 log N(f; mu, S) up to a constant.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from sklearn.covariance import LedoitWolf


class FeatureGaussianSignal:
    name = "feature_gaussian"
    description = "squared Mahalanobis distance of the trunk features under a Ledoit-Wolf Gaussian of the training features"

    def unavailable(self, spec):
        return None

    def fit(self, outputs, spec, seed):
        features = np.asarray(outputs.features, np.float64)
        if len(features) < 2:
            raise ValueError(f"the feature Gaussian needs at least 2 training images, got {len(features)}")
        fitted = LedoitWolf().fit(features)
        return {"mean": fitted.location_.astype(np.float32), "precision": fitted.precision_.astype(np.float32)}

    def score(self, outputs, state, spec):
        centred = tf.cast(outputs.features, tf.float32) - state["mean"]
        return tf.reduce_sum(tf.matmul(centred, state["precision"]) * centred, axis=1)


SIGNAL = FeatureGaussianSignal()
