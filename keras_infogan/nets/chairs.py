"""The InfoGAN paper's 3D chairs networks (Chen et al. 2016, Appendix C, Table 6).

Generator  G: z,c [n, input_dim] -> FC 1024 BN ReLU -> FC 8x8x256 BN ReLU
              -> 4x4 up-conv 256 stride 1 BN ReLU    ( 8x8)
              -> 4x4 up-conv 256 stride 1 BN ReLU    ( 8x8)
              -> 4x4 up-conv 128 stride 2 BN ReLU    (16x16)
              -> 4x4 up-conv 64 stride 2 BN ReLU     (32x32)
              -> 4x4 up-conv 1 stride 2, tanh
              -> images [n, 64, 64, 1] in [-1, 1].
D trunk     : images [n, 64, 64, 1] -> 4x4 conv 64 stride 2 LeakyReLU(0.1)   (32x32)
              -> 4x4 conv 128 stride 2 BN LeakyReLU                          (16x16)
              -> 4x4 conv 256 stride 2 BN LeakyReLU                          ( 8x8)
              -> 4x4 conv 256 stride 1 BN LeakyReLU                          ( 8x8)
              -> 4x4 conv 256 stride 1 BN LeakyReLU                          ( 8x8)
              -> FC 1024 BN LeakyReLU -> features [n, 1024] (shared by D and Q).
D head      : features [n, 1024] -> FC 1 -> real/fake logit [n, 1].
Q head      : features [n, 1024] -> FC num_params [n, num_params].

The chairs network is the paper's Table 6 (Table 5 holds the faces'
hyperparameters, Table 7 the chairs'). Strides: the table writes "stride 2" on
some rows only, and we read the unmarked rows as stride 1, with one exception.
In D that leaves 8x8x256 = 16384 inputs to the FC layer. In G, 64x64 images
from the 8x8 grid need three stride-2 up-convs, so one of the unmarked rows
(256, 256, "4x4 upconv. 1 sigmoid.") must have stride 2: we give it to the last
one, since Tables 1 and 4 leave their last row unmarked where it must be
stride 2 (G's parameter count is the same whichever row it is). Heads:
paragraph C.5 says D and Q "only have separate output units at the last
layer", so Q is one FC layer on the shared features.

Deviation from the paper: G ends in tanh (images in [-1, 1]) instead of the
table's sigmoid, as every family here does. Other choices the table leaves open
are those of `keras_infogan.nets.blocks`. Paragraph C.5 uses 3 twenty-way
categorical codes, 1 continuous code and 128 noise variables (input_dim 189,
Table 6's input; Section 7.2 speaks of four twenty-way categorical codes
instead). The openai/InfoGAN code has only the MNIST network.
"""

from __future__ import annotations

import keras
from keras import layers

from keras_infogan.nets import blocks

IMAGE_SHAPE = (64, 64, 1)
FEATURE_DIM = 1024


def build_generator(input_dim: int) -> keras.Model:
    """G: [n, input_dim] -> images [n, 64, 64, 1] in [-1, 1]."""
    inputs = keras.Input((input_dim,), name="latent")
    x = blocks.dense_bn_relu(inputs, 1024, "g_fc1")
    x = blocks.dense_bn_relu(x, 8 * 8 * 256, "g_fc2")
    x = layers.Reshape((8, 8, 256), name="g_reshape")(x)
    x = blocks.upconv_bn_relu(x, 256, "g_upconv1", strides=1)
    x = blocks.upconv_bn_relu(x, 256, "g_upconv2", strides=1)
    x = blocks.upconv_bn_relu(x, 128, "g_upconv3")
    x = blocks.upconv_bn_relu(x, 64, "g_upconv4")
    return blocks.generator_model(inputs, x, IMAGE_SHAPE[-1], "g_upconv5")


def build_trunk() -> keras.Model:
    """Shared D/Q trunk: images [n, 64, 64, 1] -> features [n, 1024]."""
    images, x = blocks.d_stem(IMAGE_SHAPE, widths=(64, 128, 256))
    x = blocks.conv_bn_lrelu(x, 256, "d_conv4", strides=1)
    x = blocks.conv_bn_lrelu(x, 256, "d_conv5", strides=1)
    return blocks.trunk_model(images, x, fc_units=FEATURE_DIM)


def build_d_head(feature_dim: int = FEATURE_DIM) -> keras.Model:
    """D head: features [n, 1024] -> real/fake logits [n, 1]."""
    return blocks.build_d_head(feature_dim)


def build_q_head(num_params: int, feature_dim: int = FEATURE_DIM) -> keras.Model:
    """Q head: features [n, 1024] -> raw code parameters [n, num_params] (one FC layer)."""
    return blocks.build_q_head(num_params, feature_dim)
