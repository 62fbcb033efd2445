"""The InfoGAN paper's MNIST networks (Chen et al. 2016, Appendix C, Table 1).

Generator  G: z,c [n, input_dim] -> FC 1024 BN ReLU -> FC 7x7x128 BN ReLU
              -> 4x4 up-conv 64 stride 2 BN ReLU -> 4x4 up-conv 1 stride 2, tanh
              -> images [n, 28, 28, 1] in [-1, 1].
D trunk     : images [n, 28, 28, 1] -> 4x4 conv 64 stride 2 LeakyReLU(0.1)
              -> 4x4 conv 128 stride 2 BN LeakyReLU -> FC 1024 BN LeakyReLU
              -> features [n, 1024] (shared by D and Q).
D head      : features [n, 1024] -> FC 1 -> real/fake logit [n, 1].
Q head      : features [n, 1024] -> FC 128 BN LeakyReLU -> FC num_params [n, num_params].

Choices the table leaves open (see `keras_infogan.nets.blocks`): 4x4 kernels
with "same" padding; the last up-conv ("4x4 upconv. 1 channel", no stride
given) has stride 2, the only way from 14x14 to 28x28; the table gives it no
nonlinearity, we use tanh (images in [-1, 1]; the openai/InfoGAN code reads it
as a Bernoulli mean, i.e. a sigmoid). Layers followed by batch norm carry no
bias. Heads and the generator output are float32 so they stay exact under mixed
precision.

Table 4 (3D faces, `keras_infogan.nets.faces`) is this network at 32x32: the
builders take `image_shape` for it.
"""

from __future__ import annotations

import keras
from keras import layers

from keras_infogan.nets import blocks

IMAGE_SHAPE = (28, 28, 1)
FEATURE_DIM = 1024


def build_generator(input_dim: int, image_shape: tuple = IMAGE_SHAPE) -> keras.Model:
    """G: [n, input_dim] -> images [n, 28, 28, 1] in [-1, 1] (or `image_shape`:
    H and W divisible by 4; G starts from an H/4 x W/4 x 128 grid)."""
    height, width, channels = image_shape
    grid = (height // 4, width // 4, 128)
    inputs = keras.Input((input_dim,), name="latent")
    x = blocks.dense_bn_relu(inputs, 1024, "g_fc1")
    x = blocks.dense_bn_relu(x, grid[0] * grid[1] * grid[2], "g_fc2")
    x = layers.Reshape(grid, name="g_reshape")(x)
    x = blocks.upconv_bn_relu(x, 64, "g_upconv1")
    return blocks.generator_model(inputs, x, channels, "g_upconv2")


def build_trunk(image_shape: tuple = IMAGE_SHAPE) -> keras.Model:
    """Shared D/Q trunk: images [n, 28, 28, 1] (or `image_shape`) -> features [n, 1024]."""
    images, x = blocks.d_stem(image_shape)
    return blocks.trunk_model(images, x, fc_units=FEATURE_DIM)


def build_d_head(feature_dim: int = FEATURE_DIM) -> keras.Model:
    """D head: features [n, 1024] -> real/fake logits [n, 1]."""
    return blocks.build_d_head(feature_dim)


def build_q_head(num_params: int, feature_dim: int = FEATURE_DIM) -> keras.Model:
    """Q head: features [n, 1024] -> FC 128 BN LeakyReLU -> raw code parameters [n, num_params]."""
    return blocks.build_q_head(num_params, feature_dim, hidden_units=128)
