"""Network families by dataset; each builds a generator, a shared D/Q trunk and two heads."""

from __future__ import annotations

import dataclasses

import keras

from keras_infogan.nets import celeba, chairs, faces, mnist, svhn

# One module per table of the paper's Appendix C (Chen et al. 2016).
ARCHITECTURES = {"mnist": mnist, "svhn": svhn, "celeba": celeba, "faces": faces, "chairs": chairs}


@dataclasses.dataclass
class Networks:
    """The four functional sub-models of an InfoGAN."""

    generator: keras.Model
    trunk: keras.Model
    d_head: keras.Model
    q_head: keras.Model


def build_networks(architecture: str, input_dim: int, num_params: int) -> Networks:
    """Build the networks of `architecture` for a latent spec's widths."""
    if architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {architecture!r}; known: {sorted(ARCHITECTURES)}")
    module = ARCHITECTURES[architecture]
    return Networks(
        generator=module.build_generator(input_dim),
        trunk=module.build_trunk(),
        d_head=module.build_d_head(),
        q_head=module.build_q_head(num_params),
    )


def image_shape(architecture: str) -> tuple:
    """Image shape [H, W, C] the architecture's networks take and make."""
    if architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {architecture!r}; known: {sorted(ARCHITECTURES)}")
    return ARCHITECTURES[architecture].IMAGE_SHAPE
