"""The categorical codes' information term read from augmented fakes (beyond the paper).

InfoGAN rewards G for any categorical code Q can read back from G(z, c). On MNIST a
10-way code can then be carried partly by style (slant, size, stroke width) instead
of digit identity: Q reads those as easily, and the information term is as high.
With this term on, Q reads the categorical codes from slightly rotated, shifted,
zoomed and restroked fakes (`consistency.augment`, a fresh draw every step):

    L_I(c_cat) = E[log Q(c_cat | aug(G(z, c)))] + H(c_cat)

for Q and the shared trunk (the D/Q loss) and for G (its MI reward) alike, so G is
paid only for categories that survive those small changes. The continuous codes
are still read from the clean fakes (a rotation would erase a slant code). Since
`aug` is drawn independently of c, this is still a lower bound on I(c_cat; G(z, c))
(data processing inequality): the term changes where Q looks, not what it bounds.

Reproducibility: the augmented fakes' trunk pass gets a backward pass of its own in
the D/Q step, summed with the others by `replicas.sum_gradients` (three trunk calls
in one backward pass sum their gradients in an order that varies between runs). The
augmentations are drawn statelessly from the step's seed, so runs stay resumable bit
for bit. Evaluation (`test_step`) keeps Q on the clean fakes.

Not part of the paper: off in `InfoGAN`, `TrainConfig` and every preset
(`--augment-fakes` turns it on); refused with a probe Q, which must only measure
what G(z, c) keeps of c, and without a categorical code. Held-out MNIST results:
docs/mnist_experiments.md, "The categorical code read from augmented fakes".
"""

from __future__ import annotations

import tensorflow as tf

from keras_infogan.objectives.consistency import augment


def check_settings(enabled: bool, latent_spec, probe: bool = False) -> None:
    """ValueError when the term is on with a probe Q or without a categorical code.

    Args:
        enabled: whether the term is on.
        latent_spec: the model's `LatentSpec`.
        probe: whether Q is the probe baseline's.
    """
    if not enabled:
        return
    if probe:
        raise ValueError("augment_fakes trains Q and G on augmented fakes; a probe Q (the probe baseline) only "
                         "measures what G(z, c) keeps of c: leave augment_fakes off with it")
    if not latent_spec.categorical_codes():
        raise ValueError(f"augment_fakes reads the categorical codes from augmented fakes, but the codes "
                         f"{latent_spec.names} have none: add a cat<K> code or leave augment_fakes off")


def information(trunk, q_head, latent_spec, values, fake, clean_params, seed) -> tuple:
    """The information loss split by where Q reads each code.

    Args:
        trunk, q_head: the shared trunk and Q head (called in training mode).
        latent_spec: the `LatentSpec` that drew `values`.
        values: one [n] tensor per code (the codes fed to G).
        fake: G(z, c), [n, H, W, C].
        clean_params: Q's outputs on `fake`, [n, num_params].
        seed: stateless seed [2] of the augmentations.

    Returns:
        (clean [n], augmented [n], bounds): -sum of lambda_i * L_I(c_i) over the
        continuous codes (Q read on `fake`) and over the categorical codes (Q read on
        `augment(fake, seed)`), and each code's L_I term [n] in the spec's order.
    """
    augmented_params = q_head(trunk(augment(fake, seed), training=True), training=True)
    parts = [moved if code.kind == "categorical" else clean for code, clean, moved in
             zip(latent_spec.codes, latent_spec.split_params(clean_params),
                 latent_spec.split_params(tf.cast(augmented_params, clean_params.dtype)))]
    bounds = latent_spec.info_lower_bounds(values, tf.concat(parts, axis=-1))
    clean, augmented = 0.0, 0.0
    for code, bound in zip(latent_spec.codes, bounds):
        if code.kind == "categorical":
            augmented -= code.weight * bound
        else:
            clean -= code.weight * bound
    zero = tf.zeros_like(bounds[0])  # a spec of categorical codes only: no clean part
    return clean + zero, augmented + zero, bounds
