"""The InfoGAN's inference API (numpy in, numpy out), as a mixin of `InfoGAN`.

It needs from the model: `latent_spec`, `image_shape`, and the networks
`generator`, `trunk` and `q_head`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import tensorflow as tf

from keras_infogan import export


def in_batches(network, inputs: np.ndarray, batch_size: int) -> np.ndarray:
    """`network`'s inference outputs for `inputs`, `batch_size` rows at a time.

    On one replica each batch goes through `predict_on_batch` (the compiled predict
    step, without `predict`'s per-call input pipeline: about 5x faster for a
    picture's 100 rows). Under a multi-replica strategy `predict_on_batch` would
    give every replica the whole batch and return one copy per replica, so
    `predict` splits the input across them instead.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if len(inputs) == 0 or network.distribute_strategy.num_replicas_in_sync > 1:
        return network.predict(inputs, batch_size=batch_size, verbose=0)
    parts = [network.predict_on_batch(inputs[start:start + batch_size]) for start in range(0, len(inputs), batch_size)]
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


class InferenceMixin:
    """generate, sample, latent_input, encode, q_params, features, check_images, export_serving."""

    def generate(self, z, codes: Sequence, batch_size: int = 256) -> np.ndarray:
        """Images [n, H, W, C] in [-1, 1] from noise z [n, noise_dim] and one
        array per code (categorical: int ids [n]; continuous: floats [n])."""
        return in_batches(self.generator, self.latent_input(z, codes), batch_size)

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """n images [n, H, W, C] in [-1, 1] from the priors; the same seed gives
        the same images (the draw is `latent_spec.sample(n, (seed, 0))`)."""
        if n < 1:
            raise ValueError(f"sample needs n >= 1, got {n}")
        z, values = self.latent_spec.sample(n, tf.constant([seed, 0]))
        return self.generate(z.numpy(), [v.numpy() for v in values])

    def latent_input(self, z, codes: Sequence) -> np.ndarray:
        """Validate (z, codes) and assemble the generator input [n, input_dim]."""
        spec = self.latent_spec
        z = np.asarray(z, dtype=np.float32)
        if z.ndim != 2 or z.shape[1] != spec.noise_dim:
            raise ValueError(f"z must have shape [n, {spec.noise_dim}], got {z.shape}")
        if len(codes) != len(spec.codes):
            raise ValueError(f"expected {len(spec.codes)} code arrays ({spec.names}), got {len(codes)}")
        checked = []
        for code, values in zip(spec.codes, codes):
            values = np.asarray(values)
            if values.shape != (z.shape[0],):
                raise ValueError(f"code {code.name!r} must have shape [{z.shape[0]}] to match z, got {values.shape}")
            if code.kind == "categorical":
                if not np.issubdtype(values.dtype, np.integer):
                    raise ValueError(f"code {code.name!r} takes integer category ids, got dtype {values.dtype}")
                if values.size and (values.min() < 0 or values.max() >= code.num_categories):
                    raise ValueError(f"code {code.name!r} ids must lie in [0, {code.num_categories - 1}], "
                                     f"got min {values.min()} max {values.max()}")
            elif not np.all(np.isfinite(values)):
                raise ValueError(f"code {code.name!r} has non-finite values")
            checked.append(values)
        return spec.generator_input(z, checked).numpy()

    def encode(self, images, batch_size: int = 256) -> dict:
        """Posterior parameters of each code for images [n, H, W, C] in [-1, 1].

        Returns {code name: {"probs": [n, k], "logits": [n, k]}} for categorical
        codes and {code name: {"mean": [n], "stddev": [n]}} for continuous ones.
        """
        params = self.q_params(images, batch_size)
        encoded = {}
        for code, code_params in zip(self.latent_spec.codes, self.latent_spec.split_params(params)):
            posterior = code.posterior(code_params)
            if code.kind == "categorical":
                encoded[code.name] = {"logits": code_params.numpy(),
                                      "probs": posterior.probs_parameter().numpy()}
            else:
                encoded[code.name] = {"mean": posterior.mean().numpy(),
                                      "stddev": posterior.stddev().numpy()}
        return encoded

    def q_params(self, images, batch_size: int = 256) -> np.ndarray:
        """Raw Q-head outputs [n, num_params] for images [n, H, W, C] in [-1, 1]
        (split them per code with `latent_spec.split_params`)."""
        return in_batches(self.q_head, self.features(images, batch_size), batch_size)

    def features(self, images, batch_size: int = 256) -> np.ndarray:
        """Shared-trunk features [n, feature_dim] of images [n, H, W, C] in [-1, 1]."""
        return in_batches(self.trunk, self.check_images(images), batch_size)

    def check_images(self, images) -> np.ndarray:
        """Return images as float32 [n, H, W, C], or raise naming the problem."""
        images = np.asarray(images)
        if images.ndim != 4 or tuple(images.shape[1:]) != self.image_shape:
            raise ValueError(f"images must have shape [n, {', '.join(map(str, self.image_shape))}], "
                             f"got {images.shape}")
        if images.shape[0] == 0:
            raise ValueError("images is empty")
        if not np.issubdtype(images.dtype, np.floating):
            raise ValueError(f"images must be floats in [-1, 1] (scale uint8 pixels with "
                             f"keras_infogan.data.scale_images), got dtype {images.dtype}")
        low, high = float(images.min()), float(images.max())
        if not (np.isfinite(low) and np.isfinite(high)) or low < -1.001 or high > 1.001:
            raise ValueError(f"images must lie in [-1, 1] (the generator's range), got [{low:.3g}, {high:.3g}]")
        return images.astype(np.float32)

    def export_serving(self, path, version: int | None = None, scorer=None) -> Path | None:
        """Write a TF Serving SavedModel to `path/<version>/` and return that folder
        (signatures generate, generate_from_seed, encode, discriminate, and score
        with a `keras_infogan.anomaly.AnomalyScorer`; see `keras_infogan.export`)."""
        return export.export_serving(self, path, version, scorer)
