"""Presets as data, the code-list syntax, and how a preset is chosen for --data."""

import dataclasses

import pytest

from keras_infogan import TrainConfig
from keras_infogan.code_syntax import format_codes, parse_codes
from keras_infogan.codes import Categorical, Uniform
from keras_infogan.nets import image_shape
from keras_infogan.presets import PRESETS, closest_preset, preset_config, preset_for_data


def test_parse_codes_kinds_sizes_and_weights():
    codes = parse_codes("cat10, cat4:0.5,cont,cont:2", cat_weight=1.0, cont_weight=0.2)
    assert codes == (Categorical(10, weight=1.0), Categorical(4, weight=0.5),
                     Uniform(-1.0, 1.0, weight=0.2), Uniform(-1.0, 1.0, weight=2.0))
    assert parse_codes(format_codes(codes)) == codes  # the text form reads back to the same codes


@pytest.mark.parametrize("text, match", [
    ("", "latent codes must be"),
    ("cat10,gauss", r"latent code 2 \('gauss'\)"),
    ("cat1", "needs at least 2 categories"),
    ("cont:-1", "lambda must be a finite number >= 0"),
    ("cat10:x", "lambda must be a finite number >= 0, got 'x'"),
])
def test_bad_code_lists_name_the_item(text, match):
    with pytest.raises(ValueError, match=match):
        parse_codes(text)


def test_config_latent_spec_names_codes_by_kind():
    spec = TrainConfig(codes="cat10,cat10,cont", noise_dim=16).latent_spec()
    assert spec.names == ["cat0", "cat1", "cont0"]
    assert spec.input_dim == 16 + 10 + 10 + 1
    with pytest.raises(ValueError, match="latent code 1"):
        TrainConfig(codes="gauss")


def test_every_preset_is_a_valid_config_with_the_paper_codes():
    expected = {  # (categorical sizes, continuous count, noise width, image shape)
        "mnist": ([10], 2, 62, (28, 28, 1)),
        "fashion_mnist": ([10], 2, 62, (28, 28, 1)),
        "svhn": ([10] * 4, 4, 124, (32, 32, 3)),
        "celeba": ([10] * 10, 0, 128, (32, 32, 3)),
        "faces": ([], 5, 128, (32, 32, 1)),
    }
    for name, (categories, continuous, noise_dim, shape) in expected.items():
        spec = PRESETS[name].latent_spec()
        assert [c.num_categories for c in spec.categorical_codes()] == categories, name
        assert sum(c.kind == "continuous" for c in spec.codes) == continuous, name
        assert spec.noise_dim == noise_dim, name
        assert PRESETS[name].image_shape() == image_shape(PRESETS[name].architecture) == shape, name
    chairs = PRESETS["chairs"].latent_spec()  # Appendix C.5: input 3 x 20 + 1 + 128 = 189
    assert (chairs.input_dim, PRESETS["chairs"].image_shape()) == (189, (64, 64, 1))


def test_preset_config_overrides_and_refuses_unknown_fields():
    config = preset_config("svhn", epochs=3, codes="cat10,cont")
    assert (config.epochs, config.codes, config.architecture) == (3, "cat10,cont", "svhn")
    assert dataclasses.replace(PRESETS["svhn"], epochs=3, codes="cat10,cont") == config
    with pytest.raises(ValueError, match="unknown preset 'svhm'"):
        preset_config("svhm")
    with pytest.raises(ValueError, match=r"unknown TrainConfig fields \['epoch'\]"):
        preset_config("mnist", epoch=3)


def test_preset_for_data_and_closest_network():
    assert preset_for_data("svhn_cropped") == "svhn"
    assert preset_for_data("mnist:3.0.1") == "mnist"
    assert preset_for_data("celeb_a") == "celeba"
    assert preset_for_data("/some/folder") is None
    assert closest_preset((28, 28, 1)) == "mnist"
    assert closest_preset((32, 32, 3)) == "svhn"
    assert closest_preset((32, 32, 1)) == "faces"
    assert closest_preset((64, 64, 1)) == "chairs"
    assert closest_preset((128, 128, 3)) == "chairs"  # the biggest network
    assert closest_preset((20, 20, 3)) == "mnist"
