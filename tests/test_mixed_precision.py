"""Mixed precision (float16 compute, dynamic loss scaling) and XLA on one device."""

import keras
import numpy as np
import pytest

from keras_infogan import InfoGAN, TrainConfig, build_model, mnist_spec

BATCH = 16


def _batch(seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (BATCH, 28, 28, 1)).astype("float32")


@pytest.fixture
def mixed_float16():
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    yield
    keras.config.set_dtype_policy(previous)


def test_build_model_mixed_precision_does_not_leak_the_policy():
    model = build_model(TrainConfig(mixed_precision=True))
    assert keras.config.dtype_policy().name == "float32"
    assert model.mixed_float16 and model.trunk.compute_dtype == "float16"
    assert model.generator.output.dtype == "float32"  # tanh output, heads: float32
    assert model.q_head.output.dtype == model.d_head.output.dtype == "float32"
    for optimizer in (model.d_optimizer, model.g_optimizer):
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
        assert isinstance(optimizer.inner_optimizer, keras.optimizers.Adam)
    assert not build_model(TrainConfig()).mixed_float16
    assert InfoGAN(dtype="mixed_float16").mixed_float16 and keras.config.dtype_policy().name == "float32"


def test_mixed_precision_step_is_finite_and_an_overflowing_step_is_skipped(mixed_float16):
    model = InfoGAN(mnist_spec(), seed=1)
    model.compile()  # float16 networks: both optimizers get wrapped
    assert isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer)

    before = [v.numpy() for v in model.trainable_weights]
    logs = model.train_on_batch(_batch(), return_dict=True)
    assert all(np.isfinite(value) for value in logs.values())
    moved = max(float(np.abs(v.numpy() - b).max()) for v, b in zip(model.trainable_weights, before))
    assert moved > 1e-4 and int(model.d_optimizer.iterations.numpy()) == 1

    # A loss scale of 2**40 overflows float16 gradients: both updates are skipped, scales halved.
    for optimizer in (model.d_optimizer, model.g_optimizer):
        optimizer.dynamic_scale.assign(2.0 ** 40)
    before = [v.numpy() for v in model.trainable_weights]
    model.train_on_batch(_batch(1))
    for variable, value in zip(model.trainable_weights, before):
        np.testing.assert_array_equal(variable.numpy(), value)
    for optimizer in (model.d_optimizer, model.g_optimizer):
        assert float(optimizer.dynamic_scale.numpy()) == 2.0 ** 39
        assert int(optimizer.iterations.numpy()) == 1


def test_mixed_precision_save_load_restores_loss_scales_and_the_next_step(mixed_float16, tmp_path):
    model = InfoGAN(mnist_spec(), seed=5)
    model.compile()
    model.train_on_batch(_batch(0))
    model.d_optimizer.dynamic_scale.assign(1024.0)
    model.save(tmp_path / "model.keras")
    keras.config.set_dtype_policy("float32")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    assert loaded.mixed_float16  # the saved model's policy, not the global one
    for original, restored in ((model.d_optimizer, loaded.d_optimizer), (model.g_optimizer, loaded.g_optimizer)):
        assert isinstance(restored, keras.optimizers.LossScaleOptimizer)
        assert len(restored.variables) == len(original.variables)
        for a, b in zip(original.variables, restored.variables):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    model.train_on_batch(_batch(9))
    loaded.train_on_batch(_batch(9))
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


@pytest.mark.slow
def test_xla_step_on_one_device():
    """jit_compile=True (about 15 s to compile on 2 CPU cores)."""
    model = InfoGAN(mnist_spec(), seed=2)
    model.compile(jit_compile=True)
    logs = model.train_on_batch(_batch(), return_dict=True)
    assert model.jit_compile and all(np.isfinite(value) for value in logs.values())
