"""The InfoGAN paper's SVHN networks (Chen et al. 2016, Appendix C, Table 2).

Generator  G: z,c [n, input_dim] -> FC 2x2x448 BN ReLU
              -> 4x4 up-conv 256 stride 2 BN ReLU   ( 4x4)
              -> 4x4 up-conv 128 stride 2 ReLU      ( 8x8,   no batch norm)
              -> 4x4 up-conv 64 stride 2 ReLU       (16x16,  no batch norm)
              -> 4x4 up-conv 3 stride 2, tanh
              -> images [n, 32, 32, 3] in [-1, 1].
D trunk     : images [n, 32, 32, 3] -> 4x4 conv 64 stride 2 LeakyReLU(0.1)
              -> 4x4 conv 128 stride 2 BN LeakyReLU -> 4x4 conv 256 stride 2 BN LeakyReLU
              -> flatten -> features [n, 4096] (4x4x256, shared by D and Q).
D head      : features [n, 4096] -> FC 1 -> real/fake logit [n, 1].
Q head      : features [n, 4096] -> FC 128 BN LeakyReLU -> FC num_params [n, num_params].

Read literally from the table: D has no FC layer of its own (D's output FC and
Q's FC 128 sit straight on the last convolution, so the shared features are its
4096 flattened activations), and G's 128- and 64-channel up-convs have no batch
norm (so they carry a bias), unlike the 256-channel one. Choices the table
leaves open (see `keras_infogan.nets.blocks`): 4x4 kernels with "same" padding;
batch norm between a layer and its nonlinearity; no bias before batch norm.
The paper's paragraph C.2 pairs this network with 4 ten-way categorical codes,
4 continuous codes and 124 noise variables (input_dim 168, Table 2's input;
Section 7.2 speaks of two continuous codes instead). The openai/InfoGAN code
has only the MNIST network, so nothing here could be checked against it.
"""

from __future__ import annotations

import keras
from keras import layers

from keras_infogan.nets import blocks

IMAGE_SHAPE = (32, 32, 3)
FEATURE_DIM = 4 * 4 * 256


def build_generator(input_dim: int) -> keras.Model:
    """G: [n, input_dim] -> images [n, 32, 32, 3] in [-1, 1]."""
    inputs = keras.Input((input_dim,), name="latent")
    x = blocks.dense_bn_relu(inputs, 2 * 2 * 448, "g_fc1")
    x = layers.Reshape((2, 2, 448), name="g_reshape")(x)
    x = blocks.upconv_bn_relu(x, 256, "g_upconv1")
    x = blocks.upconv_relu(x, 128, "g_upconv2")
    x = blocks.upconv_relu(x, 64, "g_upconv3")
    return blocks.generator_model(inputs, x, IMAGE_SHAPE[-1], "g_upconv4")


def build_trunk() -> keras.Model:
    """Shared D/Q trunk: images [n, 32, 32, 3] -> features [n, 4096]."""
    images, x = blocks.d_stem(IMAGE_SHAPE, widths=(64, 128, 256))
    return blocks.trunk_model(images, x)


def build_d_head(feature_dim: int = FEATURE_DIM) -> keras.Model:
    """D head: features [n, 4096] -> real/fake logits [n, 1]."""
    return blocks.build_d_head(feature_dim)


def build_q_head(num_params: int, feature_dim: int = FEATURE_DIM) -> keras.Model:
    """Q head: features [n, 4096] -> FC 128 BN LeakyReLU -> raw code parameters [n, num_params]."""
    return blocks.build_q_head(num_params, feature_dim, hidden_units=128)
