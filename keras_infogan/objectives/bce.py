"""The games whose D is a binary classifier trained with cross-entropy
(Goodfellow 2016, arXiv 1701.00160, section 3.2), written with D(x) = sigma(l(x))
for D's logit l, and without the tutorial's common factor 1/2:

    D:  -t log D(x) - (1 - t) log(1 - D(x)) - log(1 - D(G(z)))   (t = 1: plain BCE)
    G:  minimax             log(1 - D(G(z)))        = -J(D) up to G-free terms
        non_saturating      -log D(G(z))
        maximum_likelihood  -exp(sigma^-1(D(G(z)))) = -exp(l)

With softplus(a) = log(1 + e^a): -log sigma(l) = softplus(-l) and
-log(1 - sigma(l)) = softplus(l), computed without overflow.
"""

from __future__ import annotations

import tensorflow as tf

from keras_infogan.objectives.base import Objective


def discriminator(real, fake, real_target: float = 1.0) -> tf.Tensor:
    """Binary cross-entropy: target `real_target` for real images, 0 for fakes."""
    if real_target == 1.0:
        real_term = tf.nn.softplus(-real)
    else:
        real_term = real_target * tf.nn.softplus(-real) + (1.0 - real_target) * tf.nn.softplus(real)
    return real_term + tf.nn.softplus(fake)


def non_saturating(fake) -> tf.Tensor:
    """-log D(G(z)): strong gradients while D rejects G's samples."""
    return tf.nn.softplus(-fake)


def minimax(fake) -> tf.Tensor:
    """log(1 - D(G(z))): zero-sum with D; its gradient vanishes as D(G(z)) -> 0."""
    return -tf.nn.softplus(fake)


def maximum_likelihood(fake) -> tf.Tensor:
    """-exp(l(G(z))) = -D / (1 - D): with an optimal D its expected gradient is that
    of KL(p_data || p_model) (Goodfellow 2014). Unbounded: exp overflows for l > 88."""
    return -tf.exp(fake)


NON_SATURATING = Objective("non_saturating", discriminator, non_saturating, probability=True, real_target=True)
MINIMAX = Objective("minimax", discriminator, minimax, probability=True, real_target=True)
MAXIMUM_LIKELIHOOD = Objective("maximum_likelihood", discriminator, maximum_likelihood, probability=True,
                               real_target=True)
