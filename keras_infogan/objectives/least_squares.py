"""The least-squares game (Mao et al. 2017, LSGAN, the a-b-c = 0-1-1 coding):
D regresses its raw output s on 1 for real images and 0 for fakes; G pulls
s(G(z)) to 1. Per example:

    D:  1/2 (s(x) - t)^2 + 1/2 s(G(z))^2     (t = 1, or the smoothed real target)
    G:  1/2 (s(G(z)) - 1)^2
"""

from __future__ import annotations

import tensorflow as tf

from keras_infogan.objectives.base import Objective


def discriminator(real, fake, real_target: float = 1.0) -> tf.Tensor:
    """1/2 (s(x) - t)^2 + 1/2 s(G(z))^2."""
    return 0.5 * tf.square(real - real_target) + 0.5 * tf.square(fake)


def generator(fake) -> tf.Tensor:
    """1/2 (s(G(z)) - 1)^2."""
    return 0.5 * tf.square(fake - 1.0)


LEAST_SQUARES = Objective("least_squares", discriminator, generator, probability=False, real_target=True)
