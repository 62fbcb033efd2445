"""Gradient penalties on D's input gradient, per example (weights applied by the caller).

    r1:       1/2 ||grad_x D(x)||^2 at real images x          (Mescheder et al. 2018)
    wgan_gp:  (||grad_x D(x_hat)||_2 - 1)^2 at x_hat = e x + (1 - e) G(z),
              e ~ U[0, 1) per example                          (Gulrajani et al. 2017)

so weight * mean is R1's gamma/2 E||grad||^2 and WGAN-GP's lambda E(||grad|| - 1)^2.
D here is a function of images -> outputs [n, 1]. The per-example gradient is the
gradient of sum_i D(x_i) with respect to each x_i: exact when D treats examples
independently; with batch norm in training mode it also carries the path through
the batch statistics (as in the usual implementations).

`scale` (a loss scale, e.g. a LossScaleOptimizer's) multiplies the sum of D's
outputs before the inner gradient, which is then divided by it: under mixed
precision the float16 backward pass then neither underflows nor loses precision,
and the gradient returned is float32 and unscaled. With scale 1 this is exact.
"""

from __future__ import annotations

from typing import Callable

import tensorflow as tf

PENALTIES = ("r1", "wgan_gp")
_EPSILON = 1e-12  # inside the norm's square root: its gradient stays finite at a zero gradient


def input_gradients(critic: Callable, images, scale=1.0) -> tf.Tensor:
    """grad_x of sum_i critic(x)_i, float32, the shape of `images`."""
    images = tf.cast(images, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(images)
        total = tf.reduce_sum(tf.cast(critic(images), tf.float32)) * scale
    return tape.gradient(total, images) / scale


def squared_norms(gradients) -> tf.Tensor:
    """||g_i||^2 over every axis but the batch axis: [n, ...] -> [n]."""
    return tf.reduce_sum(tf.square(tf.reshape(gradients, [tf.shape(gradients)[0], -1])), axis=1)


def interpolates(real, fake, seed) -> tf.Tensor:
    """x_hat = e x + (1 - e) G(z), one e ~ U[0, 1) per example from the stateless `seed` [2]."""
    real, fake = tf.cast(real, tf.float32), tf.cast(fake, tf.float32)
    shape = tf.concat([tf.shape(real)[:1], tf.ones([tf.rank(real) - 1], tf.int32)], axis=0)
    e = tf.random.stateless_uniform(shape, seed)
    return e * real + (1.0 - e) * fake


def r1(critic: Callable, real, fake, seed, scale=1.0) -> tf.Tensor:
    """1/2 ||grad_x D(x)||^2 at the real images, [n] (`fake` and `seed` unused)."""
    del fake, seed
    return 0.5 * squared_norms(input_gradients(critic, real, scale))


def wgan_gp(critic: Callable, real, fake, seed, scale=1.0) -> tf.Tensor:
    """(||grad_x D(x_hat)||_2 - 1)^2 at random interpolates x_hat of real and fake, [n]."""
    gradients = input_gradients(critic, interpolates(real, fake, seed), scale)
    return tf.square(tf.sqrt(squared_norms(gradients) + _EPSILON) - 1.0)


def penalty(kind: str, critic: Callable, real, fake, seed, scale=1.0) -> tf.Tensor:
    """The penalty `kind` ("r1" or "wgan_gp") per example, [n]."""
    if kind not in PENALTIES:
        raise ValueError(f"penalty must be one of {PENALTIES}, got {kind!r}")
    return {"r1": r1, "wgan_gp": wgan_gp}[kind](critic, real, fake, seed, scale)
