"""Augmentation consistency of Q's categories on real images (beyond the paper).

InfoGAN's categories may split the data by style (slant, stroke width) instead of
by the classes a user expects: the information term is as high for either
partition. This optional term, in the spirit of IMSAT (Hu et al. 2017, which adds
augmentation invariance to regularised information maximisation), asks Q's
categorical posterior on a real image to stay the same when the image is
slightly rotated, shifted, scaled and its strokes thickened or thinned:

    L_cons = weight * sum over categorical codes of KL(p(c | x) || p(c | aug(x)))

with p(c | x) held fixed (stop_gradient), averaged over the global batch and
added to the D/Q loss. It trains Q and the shared trunk only; G feels it through
the information term, since categories that Q cannot tell apart on augmented
images pay less information. Augmentations are drawn statelessly from the step's
seed, and the model gives the term a backward pass of its own (`replicas.sum_gradients`),
so runs stay reproducible and resumable. Not part of the paper: off (0) in `InfoGAN`,
`TrainConfig` and every preset but MNIST's (1), and labeled as an addition wherever used.

With `vat` = epsilon > 0 (`adversarial`), each augmented image is also moved by
epsilon (L2 norm, pixel units of [-1, 1]) in the direction that changes Q's
categories most, found by one power iteration as in virtual adversarial training
(Miyato et al. 2018), which IMSAT uses: Q's categories must then survive the
worst small change as well as random ones, so their borders should move to where
real images are sparse (between digits) rather than through a digit's styles. On
held-out MNIST, EPS 3 did not help on average (docs/mnist_experiments.md): off by default.
"""

from __future__ import annotations

import math

import tensorflow as tf

MAX_DEGREES = 15.0  # rotation, uniform in [-15, 15] degrees
MAX_SHIFT = 2.0  # pixels, each axis
MAX_ZOOM = 0.1  # scale in [0.9, 1.1]
VAT_XI = 0.02  # L2 length of the probe step of the power iteration (pixel units of [-1, 1])


def augment(images, seed, max_degrees: float = MAX_DEGREES, max_shift: float = MAX_SHIFT,
            max_zoom: float = MAX_ZOOM, strokes: bool = True) -> tf.Tensor:
    """Randomly rotated, shifted and scaled images [n, H, W, C] in [-1, 1] (`affine`);
    with `strokes`, a third of them with strokes a pixel thicker and a third a pixel thinner.

    `seed` is a stateless seed [2]; the same seed gives the same images.
    """
    images = tf.cast(images, tf.float32)
    n = tf.shape(images)[0]
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int32), 4)
    angle = tf.random.stateless_uniform([n], seeds[0], -1.0, 1.0) * (max_degrees * math.pi / 180.0)
    shift = tf.random.stateless_uniform([n, 2], seeds[1], -1.0, 1.0) * max_shift
    scale = 1.0 + tf.random.stateless_uniform([n], seeds[2], -1.0, 1.0) * max_zoom
    moved = affine(images, angle, shift, scale)
    if not strokes:
        return moved
    thicker = tf.nn.max_pool2d(moved, 2, 1, "SAME")
    thinner = -tf.nn.max_pool2d(-moved, 2, 1, "SAME")
    stroke = tf.random.stateless_uniform([n, 1, 1, 1], seeds[3], 0, 3, dtype=tf.int32)
    return tf.where(stroke == 1, thicker, tf.where(stroke == 2, thinner, moved))


def affine(images, angle, shift, scale) -> tf.Tensor:
    """Images [n, H, W, C] rotated by `angle` [n] (radians, clockwise on screen), scaled by
    `scale` [n] about their centre, then moved by `shift` [n, 2] (pixels, +x right, +y down);
    bilinear, background -1. Plain gathers, so it also compiles with XLA."""
    height, width = images.shape[1], images.shape[2]
    cos, sin = (tf.cos(angle) / scale)[:, None, None], (tf.sin(angle) / scale)[:, None, None]
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    y, x = tf.meshgrid(tf.range(height, dtype=tf.float32), tf.range(width, dtype=tf.float32), indexing="ij")
    # Output pixel (x, y) reads input pixel R(-angle) / scale ((x, y) - centre - shift) + centre.
    dx, dy = x[None] - cx - shift[:, 0, None, None], y[None] - cy - shift[:, 1, None, None]
    source_x, source_y = cos * dx + sin * dy + cx, -sin * dx + cos * dy + cy  # [n, H, W]
    x0, y0 = tf.floor(source_x), tf.floor(source_y)
    padded = tf.pad(images, [[0, 0], [1, 1], [1, 1], [0, 0]], constant_values=-1.0)  # outside reads -1
    result = 0.0
    for oy, ox in ((0, 0), (0, 1), (1, 0), (1, 1)):
        weight = (1.0 - tf.abs(source_x - (x0 + ox))) * (1.0 - tf.abs(source_y - (y0 + oy)))
        rows = tf.cast(tf.clip_by_value(y0 + oy + 1, 0, height + 1), tf.int32)
        cols = tf.cast(tf.clip_by_value(x0 + ox + 1, 0, width + 1), tf.int32)
        result += weight[..., None] * tf.gather_nd(padded, tf.stack([rows, cols], axis=-1), batch_dims=1)
    return result


def consistency_loss(latent_spec, clean_params, augmented_params) -> tf.Tensor:
    """Per-example sum over the categorical codes of KL(p(c|x) || p(c|aug x)) [n], nats,
    with p(c|x) (from `clean_params`, Q's outputs on the images) held fixed."""
    total = 0.0
    pairs = zip(latent_spec.codes, latent_spec.split_params(clean_params), latent_spec.split_params(augmented_params))
    for code, clean, augmented in pairs:
        if code.kind != "categorical":
            continue
        target = tf.stop_gradient(tf.nn.log_softmax(tf.cast(clean, tf.float32)))
        predicted = tf.nn.log_softmax(tf.cast(augmented, tf.float32))
        total += tf.reduce_sum(tf.exp(target) * (target - predicted), axis=-1)
    return total


def check_settings(weight: float, vat: float, probe: bool = False) -> None:
    """ValueError unless weight >= 0 (0 with a probe Q) and vat >= 0 (0 when weight is 0)."""
    if not weight >= 0 or (probe and weight):
        raise ValueError(f"consistency must be >= 0, and 0 with a probe Q (it trains the trunk), got {weight}")
    if not vat >= 0 or (vat and not weight):
        raise ValueError(f"consistency_vat must be >= 0, and 0 without the consistency term, got "
                         f"{vat} with consistency={weight}")


def term(trunk, q_head, latent_spec, real, real_features, augment_seed, vat_seed, vat: float = 0.0) -> tf.Tensor:
    """The term's per-example KL [n] for a real batch and its trunk features (`real_features`):
    `augment` from `augment_seed`, then with `vat` > 0 the `adversarial` step from `vat_seed`.
    `trunk` and `q_head` are called in training mode."""
    clean = q_head(real_features, training=True)

    def q_params(images):
        return q_head(trunk(images, training=True), training=True)

    augmented = augment(real, augment_seed)
    if vat:
        augmented = adversarial(q_params, latent_spec, augmented, clean, vat_seed, vat)
    return consistency_loss(latent_spec, clean, q_params(augmented))


def adversarial(posterior_params, latent_spec, images, clean_params, seed, epsilon: float,
                xi: float = VAT_XI) -> tf.Tensor:
    """`images` [n, H, W, C] moved by `epsilon` (L2 norm per image) in the direction that
    raises `consistency_loss` most, from one power iteration (virtual adversarial training).

    `posterior_params` maps images to Q's outputs; `clean_params` are Q's outputs for
    the images the KL is taken against (held fixed); `seed` is a stateless seed [2] for
    the random start. The result carries no gradient (the perturbation is a constant).
    """
    images = tf.stop_gradient(tf.cast(images, tf.float32))
    clean_params = tf.stop_gradient(clean_params)
    direction = unit_directions(tf.random.stateless_normal(tf.shape(images), seed))
    with tf.GradientTape() as tape:
        tape.watch(direction)
        kl = consistency_loss(latent_spec, clean_params, posterior_params(images + xi * direction))
        total = tf.reduce_sum(kl)
    return tf.stop_gradient(images + epsilon * unit_directions(tape.gradient(total, direction)))


def unit_directions(vectors) -> tf.Tensor:
    """Each example of `vectors` [n, ...] scaled to L2 norm 1 (a zero vector stays 0)."""
    vectors = tf.cast(vectors, tf.float32)
    axes = list(range(1, len(vectors.shape)))
    vectors = vectors / tf.maximum(tf.reduce_max(tf.abs(vectors), axis=axes, keepdims=True), 1e-30)  # no underflow
    return vectors / tf.sqrt(tf.reduce_sum(tf.square(vectors), axis=axes, keepdims=True) + 1e-6)
