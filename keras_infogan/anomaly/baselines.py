"""Pixel-space anomaly baselines, to set the InfoGAN signals against (no networks).

    baseline = BASELINES["pixel_pca"]().fit(train_images)   # uint8 [n, H, W, C]
    scores = baseline.score(test_images)                     # float [m], higher = more anomalous

* pixel_gaussian: squared Mahalanobis distance of the pixels (scaled to [0, 1])
  under a Ledoit-Wolf Gaussian of the training pixels;
* pixel_pca: squared reconstruction error of the pixels from the principal
  components that explain 90% of the training pixels' variance.
"""

from __future__ import annotations

import numpy as np
from sklearn.covariance import LedoitWolf
from sklearn.decomposition import PCA


def _pixels(images) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 4 or images.dtype != np.uint8:
        raise ValueError(f"images must be uint8 [n, H, W, C], got {images.dtype} {images.shape}")
    return images.reshape(len(images), -1).astype(np.float64) / 255.0


class PixelGaussian:
    """Mahalanobis distance under a shrunk Gaussian of the training pixels."""

    def fit(self, images) -> PixelGaussian:
        self._gaussian = LedoitWolf().fit(_pixels(images))
        return self

    def score(self, images) -> np.ndarray:
        return self._gaussian.mahalanobis(_pixels(images))


class PixelPCA:
    """Reconstruction error from the components explaining `variance` of the training pixels."""

    def __init__(self, variance: float = 0.9):
        self.variance = variance

    def fit(self, images) -> PixelPCA:
        self._pca = PCA(n_components=self.variance, svd_solver="full").fit(_pixels(images))
        return self

    def score(self, images) -> np.ndarray:
        pixels = _pixels(images)
        restored = self._pca.inverse_transform(self._pca.transform(pixels))
        return np.square(pixels - restored).sum(axis=1)


BASELINES = {"pixel_gaussian": PixelGaussian, "pixel_pca": PixelPCA}
