"""How well each categorical code clusters real labeled images (argmax Q(c|x))."""

from __future__ import annotations

import numpy as np

from keras_infogan.data import scale_images
from keras_infogan.evaluation.clustering import ClusteringReport, clustering_report


def categorical_assignments(model, images: np.ndarray, batch_size: int = 500) -> dict[str, np.ndarray]:
    """Most likely value of each categorical code, {code name: ids [n]}.

    Args:
        model: a trained `InfoGAN`.
        images: uint8 pixels [n, H, W, C] (as `load_arrays` returns them).
    """
    scaled = scale_images(images).numpy()
    encoded = model.encode(scaled, batch_size=batch_size)
    return {code.name: np.argmax(encoded[code.name]["probs"], axis=-1)
            for code in model.latent_spec.categorical_codes()}


def categorical_reports(model, images: np.ndarray, labels: np.ndarray,
                        batch_size: int = 500) -> dict[str, ClusteringReport]:
    """Hungarian accuracy, NMI, ARI and confusion of each categorical code
    against labels [n], for uint8 images [n, H, W, C] the model did not train on."""
    if not model.latent_spec.categorical_codes():
        raise ValueError("the model has no categorical code to evaluate")
    assignments = categorical_assignments(model, images, batch_size)
    return {name: clustering_report(labels, ids) for name, ids in assignments.items()}
