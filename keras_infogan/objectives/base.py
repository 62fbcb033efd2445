"""`Objective`: one adversarial game as a pair of per-example loss functions."""

from __future__ import annotations

import dataclasses
from typing import Callable

import tensorflow as tf


def flat(outputs) -> tf.Tensor:
    """D's outputs [n, 1] (any float dtype) as float32 [n]."""
    return tf.reshape(tf.cast(outputs, tf.float32), [-1])


@dataclasses.dataclass(frozen=True)
class Objective:
    """The losses of D and G in one game, each per example, on D's raw outputs.

    Attributes:
        name: the `--gan-loss` name.
        d_loss: (real [n], fake [n], real_target) -> D's loss [n] when `real_target`
            is True, else (real [n], fake [n]) -> [n].
        g_loss: fake [n] -> G's loss [n].
        probability: D's output is the logit of P(real) (sigma(output) is the
            probability the image is real); else it is an unbounded score.
        real_target: D's loss has a target for real images that one-sided label
            smoothing can lower (1.0: no smoothing).
    """

    name: str
    d_loss: Callable
    g_loss: Callable
    probability: bool
    real_target: bool

    def discriminator(self, real_logits, fake_logits, real_target: float = 1.0) -> tf.Tensor:
        """D's loss per example: D's outputs on real and fake images [n, 1] -> [n].

        `real_target` < 1 is one-sided label smoothing: only the real images'
        target moves (to e.g. 0.9); the fake images' target stays.
        """
        if not self.real_target:
            if real_target != 1.0:
                raise ValueError(f"gan_loss {self.name!r} has no target to smooth (got real_target {real_target})")
            return self.d_loss(flat(real_logits), flat(fake_logits))
        return self.d_loss(flat(real_logits), flat(fake_logits), real_target)

    def generator(self, fake_logits) -> tf.Tensor:
        """G's loss per example: D's outputs on G's images [n, 1] -> [n]."""
        return self.g_loss(flat(fake_logits))

    def d_output(self, logits) -> tf.Tensor:
        """What the d_real / d_fake metrics average: sigma(output), the probability
        of "real", for a probability objective; the raw output (a score) otherwise."""
        return tf.sigmoid(logits) if self.probability else tf.cast(logits, tf.float32)
