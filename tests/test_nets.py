"""The paper's networks (Appendix C): shapes and pinned trainable parameter counts."""

import keras
import numpy as np
import pytest

from keras_infogan.nets import ARCHITECTURES, build_networks, image_shape


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
    with pytest.raises(ValueError, match="unknown architecture 'cifar10'"):
        build_networks("cifar10", 74, 12)


# The paper's latent widths per family (Appendix C) and the four trainable counts,
# written out layer by layer: a k x k conv from a to b channels has k*k*a*b weights,
# a batch norm over c channels 2*c (gamma, beta), a bias c. Layers followed by batch
# norm have no bias. Q's width counts 1 parameter per categorical category and 1 per
# continuous code (its mean; sigma fixed).
def _table2(input_dim: int, num_params: int, generator: int, q_head: int) -> dict:
    """Tables 2 and 3 (SVHN and CelebA share these layers) for the given latent widths."""
    return dict(
        input_dim=input_dim, num_params=num_params,
        # FC input->2x2x448 + BN; upconv 448->256 + BN; upconv 256->128 + bias; upconv 128->64 + bias;
        # upconv 64->3 + bias
        generator=(input_dim * 1792 + 2 * 1792 + 16 * 448 * 256 + 2 * 256 + 16 * 256 * 128 + 128
                   + 16 * 128 * 64 + 64 + 16 * 64 * 3 + 3, generator),
        # conv 3->64 + bias; conv 64->128 + BN; conv 128->256 + BN; (flatten, 4x4x256 = 4096)
        trunk=(16 * 3 * 64 + 64 + 16 * 64 * 128 + 2 * 128 + 16 * 128 * 256 + 2 * 256, 659_264),
        d_head=(4096 + 1, 4_097),
        # FC 4096->128 + BN; FC 128->num_params + bias
        q_head=(4096 * 128 + 2 * 128 + 128 * num_params + num_params, q_head))


PINNED = {
    # Table 2. input 168 = 4 ten-way categorical + 4 continuous + 124 noise; Q: 40 + 4.
    "svhn": _table2(168, 44, generator=2_798_787, q_head=530_220),
    # Table 3. input 228 = 10 ten-way categorical + 128 noise; Q: 100.
    "celeba": _table2(228, 100, generator=2_906_307, q_head=537_444),
    # Table 4. input 133 = 5 continuous + 128 noise; Q: 5.
    "faces": dict(
        input_dim=133, num_params=5,
        # FC 133->1024 + BN; FC 1024->8x8x128 + BN; upconv 128->64 + BN; upconv 64->1 + bias
        generator=(133 * 1024 + 2 * 1024 + 1024 * 8192 + 2 * 8192 + 16 * 128 * 64 + 2 * 64
                   + 16 * 64 * 1 + 1, 8_675_457),
        # conv 1->64 + bias; conv 64->128 + BN; FC 8x8x128->1024 + BN
        trunk=(16 * 1 * 64 + 64 + 16 * 64 * 128 + 2 * 128 + 8192 * 1024 + 2 * 1024, 8_523_072),
        d_head=(1024 + 1, 1_025),
        # one FC 1024->5 + bias (no hidden layer)
        q_head=(1024 * 5 + 5, 5_125)),
    # Table 6. input 189 = 3 twenty-way categorical + 1 continuous + 128 noise; Q: 60 + 1.
    "chairs": dict(
        input_dim=189, num_params=61,
        # FC 189->1024 + BN; FC 1024->8x8x256 + BN; upconv 256->256 + BN (twice); upconv 256->128 + BN;
        # upconv 128->64 + BN; upconv 64->1 + bias
        generator=(189 * 1024 + 2 * 1024 + 1024 * 16384 + 2 * 16384 + 2 * (16 * 256 * 256 + 2 * 256)
                   + 16 * 256 * 128 + 2 * 128 + 16 * 128 * 64 + 2 * 64 + 16 * 64 * 1 + 1, 19_760_513),
        # conv 1->64 + bias; conv 64->128 + BN; conv 128->256 + BN; conv 256->256 + BN (twice);
        # FC 8x8x256->1024 + BN
        trunk=(16 * 1 * 64 + 64 + 16 * 64 * 128 + 2 * 128 + 16 * 128 * 256 + 2 * 256
               + 2 * (16 * 256 * 256 + 2 * 256) + 16384 * 1024 + 2 * 1024, 19_534_656),
        d_head=(1024 + 1, 1_025),
        # one FC 1024->61 + bias (no hidden layer)
        q_head=(1024 * 61 + 61, 62_525)),
}


@pytest.mark.parametrize("family", sorted(PINNED))
def test_parameter_counts_match_the_paper(family):
    pinned = PINNED[family]
    nets = build_networks(family, pinned["input_dim"], pinned["num_params"])
    for part in ("generator", "d_head", "q_head", "trunk"):
        expression, count = pinned[part]
        assert _trainable(getattr(nets, part)) == expression == count, part


def test_every_table_is_registered():
    assert set(ARCHITECTURES) == {"mnist", "svhn", "celeba", "faces", "chairs"}
    assert ARCHITECTURES["celeba"].build_generator is ARCHITECTURES["svhn"].build_generator


@pytest.mark.parametrize("family", sorted(ARCHITECTURES))
def test_every_family_builds_with_the_shapes_it_states(family):
    module = ARCHITECTURES[family]
    input_dim, num_params = 20, 7
    nets = build_networks(family, input_dim, num_params)
    latent = np.random.default_rng(0).uniform(-1, 1, (2, input_dim)).astype("float32")
    images = nets.generator(latent, training=False).numpy()
    assert image_shape(family) == module.IMAGE_SHAPE
    assert images.shape == (2, *module.IMAGE_SHAPE)
    assert -1 <= images.min() and images.max() <= 1
    features = nets.trunk(images, training=False)
    assert features.shape == (2, module.FEATURE_DIM)
    assert nets.d_head(features).shape == (2, 1)
    assert nets.q_head(features).shape == (2, num_params)


@pytest.mark.parametrize("family", sorted(ARCHITECTURES))
def test_no_bias_before_batch_norm_and_float32_outputs(family):
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        nets = build_networks(family, input_dim=10, num_params=3)
    finally:
        keras.config.set_dtype_policy(previous)
    for model in (nets.generator, nets.d_head, nets.q_head):  # the trunk's features stay float16
        assert model.outputs[0].dtype == "float32", model.name
    for model in (nets.generator, nets.trunk, nets.d_head, nets.q_head):
        for feeding, layer in zip(model.layers, model.layers[1:]):  # each graph is a chain
            if isinstance(layer, keras.layers.BatchNormalization):
                assert not feeding.use_bias, f"{model.name}: {feeding.name} has a bias before {layer.name}"
