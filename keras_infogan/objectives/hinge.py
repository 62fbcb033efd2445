"""The hinge loss (Lim & Ye 2017, "Geometric GAN"; Miyato et al. 2018, SNGAN):
the margin form of the energy-based loss D(x) + max(0, m - D(G(z))) of the GAN
tutorial (Goodfellow 2016, section 5.6; Zhao et al. 2017, EBGAN), per example,
with D's output s read as a score (-energy) and margin 1:

    D:  max(0, 1 - s(x)) + max(0, 1 + s(G(z)))
    G:  -s(G(z))

EBGAN's energy is a reconstruction error, never negative, so its real term
D(x) is bounded below; D here is an unbounded linear head, so the real term
gets a margin too (else D could lower its loss without limit on real images).
"""

from __future__ import annotations

import tensorflow as tf

from keras_infogan.objectives.base import Objective


def discriminator(real, fake) -> tf.Tensor:
    """max(0, 1 - s(x)) + max(0, 1 + s(G(z)))."""
    return tf.nn.relu(1.0 - real) + tf.nn.relu(1.0 + fake)


def generator(fake) -> tf.Tensor:
    """-s(G(z))."""
    return -fake


HINGE = Objective("hinge", discriminator, generator, probability=False, real_target=False)
