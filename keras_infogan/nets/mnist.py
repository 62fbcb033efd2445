"""The InfoGAN paper's MNIST networks (Chen et al. 2016, Appendix C, Table 1).

Generator  G: z,c [n, input_dim] -> FC 1024 BN ReLU -> FC 7x7x128 BN ReLU
              -> 4x4 up-conv 64 stride 2 BN ReLU -> 4x4 up-conv 1 stride 2, tanh
              -> images [n, 28, 28, 1] in [-1, 1].
D trunk     : images [n, 28, 28, 1] -> 4x4 conv 64 stride 2 LeakyReLU(0.1)
              -> 4x4 conv 128 stride 2 BN LeakyReLU -> FC 1024 BN LeakyReLU
              -> features [n, 1024] (shared by D and Q).
D head      : features [n, 1024] -> FC 1 -> real/fake logit [n, 1].
Q head      : features [n, 1024] -> FC 128 BN LeakyReLU -> FC num_params [n, num_params].

Layers followed by batch norm carry no bias (BN's beta replaces it). Heads and
the generator output are float32 so they stay exact under mixed precision.
"""

from __future__ import annotations

import keras
from keras import layers

IMAGE_SHAPE = (28, 28, 1)
FEATURE_DIM = 1024
_LEAK = 0.1


def _bn_relu(x, name: str):
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def _bn_lrelu(x, name: str):
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.LeakyReLU(_LEAK, name=f"{name}_lrelu")(x)


def build_generator(input_dim: int) -> keras.Model:
    """G: [n, input_dim] -> images [n, 28, 28, 1] in [-1, 1]."""
    inputs = keras.Input((input_dim,), name="latent")
    x = _bn_relu(layers.Dense(1024, use_bias=False, name="g_fc1")(inputs), "g_fc1")
    x = _bn_relu(layers.Dense(7 * 7 * 128, use_bias=False, name="g_fc2")(x), "g_fc2")
    x = layers.Reshape((7, 7, 128), name="g_reshape")(x)
    x = layers.Conv2DTranspose(64, 4, strides=2, padding="same", use_bias=False, name="g_upconv1")(x)
    x = _bn_relu(x, "g_upconv1")
    x = layers.Conv2DTranspose(1, 4, strides=2, padding="same", name="g_upconv2")(x)
    images = layers.Activation("tanh", dtype="float32", name="g_tanh")(x)
    return keras.Model(inputs, images, name="generator")


def build_trunk() -> keras.Model:
    """Shared D/Q trunk: images [n, 28, 28, 1] -> features [n, 1024]."""
    images = keras.Input(IMAGE_SHAPE, name="images")
    x = layers.Conv2D(64, 4, strides=2, padding="same", name="d_conv1")(images)
    x = layers.LeakyReLU(_LEAK, name="d_conv1_lrelu")(x)
    x = layers.Conv2D(128, 4, strides=2, padding="same", use_bias=False, name="d_conv2")(x)
    x = _bn_lrelu(x, "d_conv2")
    x = layers.Flatten(name="d_flatten")(x)
    features = _bn_lrelu(layers.Dense(FEATURE_DIM, use_bias=False, name="d_fc")(x), "d_fc")
    return keras.Model(images, features, name="trunk")


def build_d_head(feature_dim: int = FEATURE_DIM) -> keras.Model:
    """D head: features [n, 1024] -> real/fake logits [n, 1]."""
    features = keras.Input((feature_dim,), name="features")
    logits = layers.Dense(1, dtype="float32", name="d_logit")(features)
    return keras.Model(features, logits, name="d_head")


def build_q_head(num_params: int, feature_dim: int = FEATURE_DIM) -> keras.Model:
    """Q head: features [n, 1024] -> raw code parameters [n, num_params]."""
    features = keras.Input((feature_dim,), name="features")
    x = _bn_lrelu(layers.Dense(128, use_bias=False, name="q_fc")(features), "q_fc")
    params = layers.Dense(num_params, dtype="float32", name="q_params")(x)
    return keras.Model(features, params, name="q_head")

