"""Signal "kmeans_distance": Euclidean distance from x's trunk features to the nearest
k-means++ centre of the training images' features (Premachandran & Yuille's features)."""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from sklearn.cluster import KMeans

DEFAULT_CENTRES = 10


class KMeansDistanceSignal:
    name = "kmeans_distance"
    description = ("distance of the trunk features to the nearest of k k-means++ centres fitted on the training "
                   "features (k: the first categorical code's categories, else 10)")

    def unavailable(self, spec):
        return None

    def fit(self, outputs, spec, seed):
        cats = spec.categorical_codes()
        k = min(cats[0].num_categories if cats else DEFAULT_CENTRES, len(outputs.features))
        kmeans = KMeans(n_clusters=k, init="k-means++", n_init=3, random_state=seed).fit(outputs.features)
        return {"centres": kmeans.cluster_centers_.astype(np.float32)}

    def score(self, outputs, state, spec):
        features = tf.cast(outputs.features, tf.float32)
        centres = state["centres"]
        squared = (tf.reduce_sum(tf.square(features), axis=1, keepdims=True)
                   - 2.0 * tf.matmul(features, centres, transpose_b=True)
                   + tf.reduce_sum(tf.square(centres), axis=1)[tf.newaxis, :])
        return tf.sqrt(tf.maximum(tf.reduce_min(squared, axis=1), 0.0))


SIGNAL = KMeansDistanceSignal()
