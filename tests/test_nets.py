"""The paper's MNIST networks: shapes and pinned trainable parameter counts."""

import numpy as np
import pytest

from keras_infogan.nets import build_networks, image_shape


def _trainable(model) -> int:
    return sum(int(np.prod(v.shape)) for v in model.trainable_variables)


def test_mnist_parameter_counts_match_table_1():
    nets = build_networks("mnist", input_dim=74, num_params=12)
    # G: FC 74->1024 (no bias) + BN, FC 1024->6272 + BN, upconv 4x4 128->64 + BN, upconv 4x4 64->1 + bias
    generator = 74 * 1024 + 2 * 1024 + 1024 * 6272 + 2 * 6272 + 16 * 128 * 64 + 2 * 64 + 16 * 64 + 1
    # Trunk: conv 4x4 1->64 + bias, conv 4x4 64->128 + BN, FC 6272->1024 + BN
    trunk = 16 * 64 + 64 + 16 * 64 * 128 + 2 * 128 + 6272 * 1024 + 2 * 1024
    assert _trainable(nets.generator) == generator == 6_645_121
    assert _trainable(nets.trunk) == trunk == 6_556_992
    assert _trainable(nets.d_head) == 1024 + 1
    assert _trainable(nets.q_head) == 1024 * 128 + 2 * 128 + 128 * 12 + 12


def test_shapes_and_output_range():
    nets = build_networks("mnist", input_dim=74, num_params=12)
    latent = np.random.default_rng(0).uniform(-1, 1, (3, 74)).astype("float32")
    images = nets.generator(latent, training=False).numpy()
    assert images.shape == (3, 28, 28, 1)
    assert images.min() >= -1 and images.max() <= 1
    features = nets.trunk(images, training=False)
    assert features.shape == (3, 1024)
    assert nets.d_head(features).shape == (3, 1)
    assert nets.q_head(features).shape == (3, 12)
    assert image_shape("mnist") == (28, 28, 1)


def test_unknown_architecture():
    with pytest.raises(ValueError, match="unknown architecture 'svhn'"):
        build_networks("svhn", 74, 12)
