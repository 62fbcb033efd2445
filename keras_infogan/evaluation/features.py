"""Discriminator features: the top of the shared D trunk as a representation of images."""

from __future__ import annotations

import numpy as np

from keras_infogan.data import scale_images


def discriminator_features(model, images: np.ndarray, batch_size: int = 500) -> np.ndarray:
    """Inference-mode trunk features float32 [n, d] of uint8 images [n, H, W, C].

    Spatial feature maps [n, h, w, d] (trunks whose top is a conv layer) are
    averaged over h and w.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"images must be uint8 pixels (as load_arrays returns them), got dtype {images.dtype}")
    features = model.features(scale_images(images).numpy(), batch_size=batch_size)
    if features.ndim == 4:
        features = features.mean(axis=(1, 2))
    return features.reshape(len(features), -1).astype(np.float32)
