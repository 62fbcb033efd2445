"""The InfoGAN paper's 3D faces networks (Chen et al. 2016, Appendix C, Table 4).

Table 4 as built here, shapes in brackets:
- G: latent [n, input_dim]; FC 1024 BN ReLU; FC 8x8x128 BN ReLU, reshaped to an
  8x8 grid of 128 channels; 4x4 up-conv 64 stride 2 BN ReLU [16x16]; 4x4 up-conv
  1 stride 2, tanh: images [n, 32, 32, 1] in [-1, 1].
- D/Q trunk: images [n, 32, 32, 1]; 4x4 conv 64 stride 2 LeakyReLU(0.1) [16x16];
  4x4 conv 128 stride 2 BN LeakyReLU [8x8]; FC 1024 BN LeakyReLU: features
  [n, 1024], shared by D and Q.
- D head: FC 1 on the features: real/fake logit [n, 1].
- Q head: FC num_params on the features: code parameters [n, num_params].

This is Table 1 (MNIST) at 32x32 (G starts from 8x8 instead of 7x7), so G and
the trunk are `keras_infogan.nets.mnist`'s builders with this image shape. The
heads differ: paragraph C.4 says D and Q "share the same network, and only have
separate output units at the last layer" (the table's single row "FC. output
layer"), so Q is one FC layer on the shared features, without Table 1's
FC 128 hidden layer.

Deviation from the paper: the table ends G with "4x4 upconv. 1 sigmoid." (no
stride given; stride 2 is the only way from 16x16 to 32x32); we use tanh, as
every family here does, so images are in [-1, 1] rather than [0, 1]. Other
choices the table leaves open are those of `keras_infogan.nets.blocks`.
Paragraph C.4 uses 5 continuous codes and 128 noise variables (input_dim 133).
The openai/InfoGAN code has only the MNIST network.
"""

from __future__ import annotations

import keras

from keras_infogan.nets import blocks, mnist

IMAGE_SHAPE = (32, 32, 1)
FEATURE_DIM = mnist.FEATURE_DIM


def build_generator(input_dim: int) -> keras.Model:
    """G: [n, input_dim] -> images [n, 32, 32, 1] in [-1, 1]."""
    return mnist.build_generator(input_dim, image_shape=IMAGE_SHAPE)


def build_trunk() -> keras.Model:
    """Shared D/Q trunk: images [n, 32, 32, 1] -> features [n, 1024]."""
    return mnist.build_trunk(image_shape=IMAGE_SHAPE)


def build_d_head(feature_dim: int = FEATURE_DIM) -> keras.Model:
    """D head: features [n, 1024] -> real/fake logits [n, 1]."""
    return blocks.build_d_head(feature_dim)


def build_q_head(num_params: int, feature_dim: int = FEATURE_DIM) -> keras.Model:
    """Q head: features [n, 1024] -> raw code parameters [n, num_params] (one FC layer)."""
    return blocks.build_q_head(num_params, feature_dim)
