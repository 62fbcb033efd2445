"""Layer blocks shared by the network families: one helper per kind of row in
the InfoGAN paper's tables (Chen et al. 2016, Appendix C, Tables 1-4 and 6).

Every table uses 4x4 convolutions and up-convolutions. What the tables leave
open, every family here does the same way:
- "same" padding, so stride 2 halves or doubles the image exactly and stride 1
  keeps its size (the openai/InfoGAN code pads "SAME" too);
- batch norm sits between a layer and its nonlinearity (as in the openai code),
  and a layer followed by batch norm carries no bias: BN's beta replaces it (the
  openai code keeps that redundant bias);
- D's nonlinearity is LeakyReLU with slope 0.1, the paper's "leaky rate 0.1"
  (the openai code's `leaky_rectify` defaults to 0.01), G's is ReLU;
- G's last up-convolution is followed by tanh, images in [-1, 1], for every
  family (the paper: tanh for SVHN and CelebA, sigmoid for faces and chairs,
  none named for MNIST, whose openai code reads G's output as a Bernoulli mean);
- the generator's output and both heads are float32, so mixed precision keeps
  images, logits and code parameters exact.
"""

from __future__ import annotations

import keras
from keras import layers

LEAK = 0.1
KERNEL = 4


def bn_relu(x, name: str):
    """Batch norm then ReLU (G's hidden layers)."""
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def bn_lrelu(x, name: str):
    """Batch norm then LeakyReLU(0.1) (D's and Q's hidden layers)."""
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.LeakyReLU(LEAK, name=f"{name}_lrelu")(x)


def dense_bn_relu(x, units: int, name: str):
    """G row "FC. units RELU. batchnorm"."""
    return bn_relu(layers.Dense(units, use_bias=False, name=name)(x), name)


def dense_bn_lrelu(x, units: int, name: str):
    """D/Q row "FC. units lRELU. batchnorm"."""
    return bn_lrelu(layers.Dense(units, use_bias=False, name=name)(x), name)


def conv_bn_lrelu(x, filters: int, name: str, strides: int = 2):
    """D row "4x4 conv. filters lRELU. [stride 2.] batchnorm"."""
    x = layers.Conv2D(filters, KERNEL, strides=strides, padding="same", use_bias=False, name=name)(x)
    return bn_lrelu(x, name)


def d_stem(image_shape: tuple, widths: tuple = (64, 128)):
    """Images input and the stride-2 convolutions every table's D starts with:
    4x4 conv widths[0] stride 2 LeakyReLU (no batch norm, so with bias), then
    4x4 conv w stride 2 BN LeakyReLU for each later width w (Tables 1 and 4:
    64, 128; Tables 2, 3 and 6: 64, 128, 256). Returns (images, activations)."""
    images = keras.Input(image_shape, name="images")
    x = layers.Conv2D(widths[0], KERNEL, strides=2, padding="same", name="d_conv1")(images)
    x = layers.LeakyReLU(LEAK, name="d_conv1_lrelu")(x)
    for index, filters in enumerate(widths[1:], start=2):
        x = conv_bn_lrelu(x, filters, f"d_conv{index}")
    return images, x


def upconv_bn_relu(x, filters: int, name: str, strides: int = 2):
    """G row "4x4 upconv. filters RELU. [stride 2.] batchnorm"."""
    x = layers.Conv2DTranspose(filters, KERNEL, strides=strides, padding="same", use_bias=False,
                               name=name)(x)
    return bn_relu(x, name)


def upconv_relu(x, filters: int, name: str):
    """G row "4x4 upconv. filters RELU. stride 2." (no batch norm, so with bias)."""
    x = layers.Conv2DTranspose(filters, KERNEL, strides=2, padding="same", name=name)(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def generator_model(latent, x, channels: int, name: str) -> keras.Model:
    """G's output row and the model: 4x4 upconv to `channels`, stride 2, with
    bias, then a float32 tanh named "g_tanh" (images in [-1, 1]); the model
    "generator" maps `latent` to those images."""
    x = layers.Conv2DTranspose(channels, KERNEL, strides=2, padding="same", name=name)(x)
    images = layers.Activation("tanh", dtype="float32", name="g_tanh")(x)
    return keras.Model(latent, images, name="generator")


def trunk_model(images, x, fc_units: int | None = None) -> keras.Model:
    """The end of D's shared part and the model: flatten the last convolution,
    then (fc_units given) the row "FC. fc_units lRELU. batchnorm"; the model
    "trunk" maps `images` to those features."""
    features = layers.Flatten(name="d_flatten")(x)
    if fc_units is not None:
        features = dense_bn_lrelu(features, fc_units, "d_fc")
    return keras.Model(images, features, name="trunk")


def build_d_head(feature_dim: int) -> keras.Model:
    """D head, "FC. output layer for D": features [n, feature_dim] -> real/fake logits [n, 1]."""
    features = keras.Input((feature_dim,), name="features")
    logits = layers.Dense(1, dtype="float32", name="d_logit")(features)
    return keras.Model(features, logits, name="d_head")


def build_q_head(num_params: int, feature_dim: int, hidden_units: int | None = None) -> keras.Model:
    """Q head: features [n, feature_dim] -> raw code parameters [n, num_params].

    hidden_units=128 gives Tables 1-3's "FC.128-batchnorm-lRELU-FC.output for
    Q"; None gives Tables 4 and 6, where D and Q "only have separate output
    units at the last layer" (one FC from the shared features).
    """
    features = keras.Input((feature_dim,), name="features")
    x = features if hidden_units is None else dense_bn_lrelu(features, hidden_units, "q_fc")
    params = layers.Dense(num_params, dtype="float32", name="q_params")(x)
    return keras.Model(features, params, name="q_head")
