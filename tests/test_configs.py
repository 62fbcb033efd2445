"""TrainConfig validation and the latent spec it describes."""

import pytest

from keras_infogan import PRESETS, TrainConfig


@pytest.mark.parametrize("field, value, match", [
    ("epochs", 0, "epochs must be at least 1"),
    ("batch_size", -4, "batch_size must be at least 1"),
    ("d_learning_rate", 0.0, "d_learning_rate must be > 0"),
    ("beta_1", 1.0, r"beta_1 must be in \[0, 1\)"),
    ("lr_schedule", "step", "lr_schedule must be one of"),
    ("baseline", "regular", "baseline must be one of"),
    ("eval_images", -1, "eval_images must be >= 0"),
])
def test_bad_configs_raise(field, value, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**{field: value})


def test_preset_describes_the_paper_codes():
    spec = PRESETS["mnist"].latent_spec()
    assert spec.names == ["cat0", "cont0", "cont1"]
    assert [code.weight for code in spec.codes][0] == 1.0


def test_unknown_architecture_and_fit_are_refused():
    with pytest.raises(ValueError, match="unknown architecture 'cifar'"):
        TrainConfig(architecture="cifar")
    with pytest.raises(ValueError, match="image_fit must be one of"):
        TrainConfig(image_fit="stretch")


def test_baselines_build_models_without_the_mi_reward():
    from keras_infogan import build_model

    for baseline, probe in (("probe", True), ("shared-trunk", False)):
        model = build_model(TrainConfig(baseline=baseline))
        assert model.info_weight == 0.0 and model.probe is probe
    infogan = build_model(TrainConfig())
    assert infogan.info_weight == 1.0 and not infogan.probe
    with pytest.raises(ValueError, match="baseline 'probe' gives G no MI reward"):
        TrainConfig(baseline="probe", info_weight=2.0)
