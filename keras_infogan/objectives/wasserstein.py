"""The Wasserstein critic loss (Arjovsky et al. 2017) with WGAN-GP's penalty
(Gulrajani et al. 2017). The critic's raw output f estimates the Wasserstein-1
distance as E f(x) - E f(G(z)) when f is 1-Lipschitz; the penalty
(`keras_infogan.objectives.penalties.wgan_gp`, required with this loss) keeps it
so. Per example:

    D (critic):  f(G(z)) - f(x)
    G:           -f(G(z))
"""

from __future__ import annotations

import tensorflow as tf

from keras_infogan.objectives.base import Objective


def critic(real, fake) -> tf.Tensor:
    """f(G(z)) - f(x): the critic maximises E f(x) - E f(G(z))."""
    return fake - real


def generator(fake) -> tf.Tensor:
    """-f(G(z))."""
    return -fake


WASSERSTEIN_GP = Objective("wasserstein_gp", critic, generator, probability=False, real_target=False)
