"""Adversarial objectives, gradient penalties and update schedules, selected by name.

The GAN tutorial (Goodfellow 2016, arXiv 1701.00160) compares several games for
D and G; each is an `Objective` here: `discriminator(real_logits, fake_logits,
real_target=1.0)` and `generator(fake_logits)` return per-example losses [n]
(the caller averages them over the global batch), and `probability` says
whether D's output is the logit of P(real). InfoGAN's information term is the
same whichever game is chosen. See docs/objectives.md for the formulas.

    GAN_LOSSES["non_saturating"]    BCE for D; -log D(G(z)) for G (the default)
    GAN_LOSSES["minimax"]           BCE for D; log(1 - D(G(z))) for G
    GAN_LOSSES["maximum_likelihood"] BCE for D; -exp(sigma^-1(D(G(z)))) for G
    GAN_LOSSES["hinge"]             max(0, 1 - D(x)) + max(0, 1 + D(G(z))); -D(G(z))
    GAN_LOSSES["least_squares"]     1/2 (D(x) - 1)^2 + 1/2 D(G(z))^2; 1/2 (D(G(z)) - 1)^2
    GAN_LOSSES["wasserstein_gp"]    D(G(z)) - D(x); -D(G(z)) (with the wgan_gp penalty)

PENALTIES: "r1" and "wgan_gp" (`penalties`). UPDATES: "alternating" (a D/Q step,
then a G step on fresh noise and codes) and "same_minibatch" (both players'
gradients from one generator pass).
"""

from __future__ import annotations

import math

from keras_infogan.objectives import bce, hinge, least_squares, wasserstein
from keras_infogan.objectives.base import Objective
from keras_infogan.objectives.penalties import PENALTIES

GAN_LOSSES: dict[str, Objective] = {objective.name: objective for objective in (
    bce.NON_SATURATING, bce.MINIMAX, bce.MAXIMUM_LIKELIHOOD, hinge.HINGE, least_squares.LEAST_SQUARES,
    wasserstein.WASSERSTEIN_GP)}
UPDATES = ("alternating", "same_minibatch")

__all__ = ["GAN_LOSSES", "Objective", "PENALTIES", "UPDATES", "check_settings"]


def check_settings(gan_loss: str = "non_saturating", gradient_penalty: float = 0.0, penalty: str = "r1",
                   label_smoothing: float = 1.0, d_steps: int = 1, update: str = "alternating") -> None:
    """Refuse an unknown name or a setting the game cannot take, with one message each.

    Args:
        gan_loss: a key of `GAN_LOSSES`.
        gradient_penalty: weight of the penalty (R1's gamma, WGAN-GP's lambda); 0: none.
        penalty: "r1" or "wgan_gp".
        label_smoothing: the real images' target in (0, 1]; 1: none. Only for a
            loss with a real target (not hinge or wasserstein_gp).
        d_steps: D/Q steps (one real batch each) per G step, at least 1.
        update: one of `UPDATES`.

    "wasserstein_gp" is refused without `penalty="wgan_gp"` and a weight > 0
    (WGAN-GP uses 10): the critic loss alone has no Lipschitz constraint and
    diverges, and a silent default weight would not show in the saved config.

    Raises:
        ValueError: naming the setting and the values it takes.
    """
    if gan_loss not in GAN_LOSSES:
        raise ValueError(f"gan_loss must be one of {tuple(GAN_LOSSES)}, got {gan_loss!r}")
    if penalty not in PENALTIES:
        raise ValueError(f"penalty must be one of {PENALTIES}, got {penalty!r}")
    if update not in UPDATES:
        raise ValueError(f"update must be one of {UPDATES}, got {update!r}")
    if isinstance(d_steps, bool) or not isinstance(d_steps, int) or d_steps < 1:
        raise ValueError(f"d_steps must be an integer >= 1 (D steps per G step), got {d_steps!r}")
    if not (math.isfinite(gradient_penalty) and gradient_penalty >= 0):
        raise ValueError(f"gradient_penalty must be a finite weight >= 0 (0: no penalty), got {gradient_penalty}")
    if not 0 < label_smoothing <= 1:
        raise ValueError(f"label_smoothing must be in (0, 1] (the real images' target; 1: no smoothing), "
                         f"got {label_smoothing}")
    if label_smoothing != 1 and not GAN_LOSSES[gan_loss].real_target:
        smoothable = tuple(name for name, objective in GAN_LOSSES.items() if objective.real_target)
        raise ValueError(f"label_smoothing needs a loss with a target for real images {smoothable}; "
                         f"gan_loss {gan_loss!r} has none (got label_smoothing {label_smoothing})")
    if gan_loss == "wasserstein_gp" and (penalty != "wgan_gp" or not gradient_penalty > 0):
        raise ValueError(f"gan_loss 'wasserstein_gp' needs its Lipschitz penalty: penalty 'wgan_gp' with "
                         f"gradient_penalty > 0 (WGAN-GP uses 10), got penalty {penalty!r} with "
                         f"gradient_penalty {gradient_penalty}")
