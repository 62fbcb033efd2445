"""The default adversarial losses and the information term, as per-example tensors.

Every function returns a [n] tensor; the caller averages with
`tf.nn.compute_average_loss`, which divides by the global batch under
`tf.distribute` and by n otherwise. The other adversarial games (minimax,
maximum likelihood, hinge, least squares, Wasserstein) and the gradient
penalties are in `keras_infogan.objectives`.
"""

from __future__ import annotations

from typing import Sequence

import tensorflow as tf

from keras_infogan.codes import LatentSpec
from keras_infogan.objectives import GAN_LOSSES


def discriminator_loss(real_logits, fake_logits) -> tf.Tensor:
    """-log D(x) - log(1 - D(G(z))) per example; logits [n, 1] -> [n]."""
    return GAN_LOSSES["non_saturating"].discriminator(real_logits, fake_logits)


def generator_loss(fake_logits) -> tf.Tensor:
    """Non-saturating generator loss -log D(G(z)) per example; [n, 1] -> [n]."""
    return GAN_LOSSES["non_saturating"].generator(fake_logits)


def information_loss(spec: LatentSpec, values: Sequence, params) -> tuple[tf.Tensor, list[tf.Tensor]]:
    """Weighted negative MI lower bound -sum_i lambda_i * L_I(c_i) per example.

    Args:
        spec: the latent spec that drew `values`.
        values: one [n] tensor per code (the codes fed to G).
        params: Q head output on G(z, c), [n, spec.num_params].

    Returns:
        (loss [n], per-code L_I terms: a list of [n] tensors in nats).
    """
    bounds = spec.info_lower_bounds(values, params)
    loss = tf.add_n([-code.weight * bound for code, bound in zip(spec.codes, bounds)])
    return loss, bounds
