"""train() and InfoGAN.fit leave no graph behind in TensorFlow's global gradient
registry (keras_infogan.graph_release): a graph with a custom gradient is freed once
the decorated function returns, and a model trained so still trains."""

import gc
import weakref

import numpy as np
import pytest
import tensorflow as tf
from tensorflow.python.framework.func_graph import FuncGraph

from keras_infogan import InfoGAN, TrainConfig, mnist_spec, train
from keras_infogan.graph_release import PREFIX, gradient_registry, releases_custom_gradients


@tf.custom_gradient
def _scaled_identity(x):
    return tf.identity(x), lambda upstream: 0.1 * upstream


def _trace_and_differentiate():
    """Traces a graph holding a custom gradient; returns (weakref to the graph, gradient)."""
    @tf.function
    def gradient(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = 3.0 * _scaled_identity(x)
        return tape.gradient(y, x)

    graph = gradient.get_concrete_function(tf.TensorSpec([], tf.float32)).graph
    return weakref.ref(graph), float(gradient(tf.constant(2.0)))


def _custom_names():
    return {name for name in gradient_registry() if name.startswith(PREFIX)}


def test_the_leak_is_real_and_the_decorator_frees_the_graph():
    before = _custom_names()
    leaked, value = _trace_and_differentiate()  # undecorated: the registry keeps the graph
    gc.collect()
    assert value == pytest.approx(0.3)  # the custom gradient was used: 3 * 0.1
    assert leaked() is not None, "TensorFlow no longer keeps custom-gradient graphs: graph_release can go"
    kept = _custom_names() - before
    assert kept

    freed, value = releases_custom_gradients(_trace_and_differentiate)()
    gc.collect()
    assert value == pytest.approx(0.3)
    assert freed() is None
    assert _custom_names() - before == kept  # only the call's own entries were dropped
    for name in kept:  # tidy up after the undecorated control
        gradient_registry().pop(name)


def test_entries_are_dropped_when_the_function_raises():
    before = _custom_names()

    def fails():
        _trace_and_differentiate()
        raise RuntimeError("training failed")

    with pytest.raises(RuntimeError, match="training failed"):
        releases_custom_gradients(fails)()
    assert _custom_names() == before


def test_train_leaves_no_registrations_and_its_model_trains_on(tiny_mnist_dir, tmp_path):
    before = _custom_names()
    model = train(TrainConfig(data_dir=str(tiny_mnist_dir), epochs=1, batch_size=32, eval_split=None), tmp_path,
                  verbose=0)
    assert _custom_names() == before
    steps = int(model.g_optimizer.iterations)
    images = np.random.default_rng(0).uniform(-1, 1, (48, 28, 28, 1)).astype("float32")
    model.fit(images, batch_size=16, epochs=1, verbose=0)  # a new batch shape: a new trace, with its gradients
    assert int(model.g_optimizer.iterations) == steps + 3
    assert all(np.isfinite(w).all() for w in model.get_weights())


def _new_train_step_graphs(old=()):
    """The traced Keras train steps alive now that are not among `old`."""
    gc.collect()
    return [obj for obj in gc.get_objects()
            if isinstance(obj, FuncGraph) and obj.name == "one_step_on_data" and not any(obj is g for g in old)]


def test_fit_frees_its_train_step_graph_with_the_model():
    """A notebook's own `model.fit` (not train()): once the model is gone, so is its traced step."""
    old, before = _new_train_step_graphs(), _custom_names()  # other tests' models may still be alive
    model = InfoGAN(mnist_spec(), seed=1)
    model.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (32, 28, 28, 1)).astype("float32")
    model.fit(images, batch_size=16, epochs=1, verbose=0)
    assert _custom_names() == before
    traced = [weakref.ref(graph) for graph in _new_train_step_graphs(old)]
    assert len(traced) == 1  # the model's own trace, alive while the model is
    model.fit(images, batch_size=16, epochs=1, verbose=0)  # the same trace, reused after the entries went
    model.fit(images[:24], batch_size=8, epochs=1, verbose=0)  # a new shape: a new trace, with its gradients
    assert int(model.g_optimizer.iterations) == 2 + 2 + 3
    assert all(np.isfinite(w).all() for w in model.get_weights())
    del model
    gc.collect()
    assert traced[0]() is None
    assert not _new_train_step_graphs(old)
