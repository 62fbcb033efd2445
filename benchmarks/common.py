"""Pieces the benchmark scripts share (they import this as `common`: run them as
`python benchmarks/<script>.py`, so this folder is on the path)."""

from __future__ import annotations


def noise_dataset(batch: int, image_shape, batches: int = 4, seed: int = 0):
    """An endless tf.data pipeline of `batches` batches of uniform noise images in [-1, 1],
    with the training pipeline's options: autotune off, whose sleeping thread would round
    each `fit` call up to a multiple of about 10 s."""
    import numpy as np
    import tensorflow as tf

    from keras_infogan.data import pipeline_options

    images = np.random.default_rng(seed).uniform(-1, 1, (batch * batches, *image_shape)).astype("float32")
    return (tf.data.Dataset.from_tensor_slices(images).batch(batch, drop_remainder=True).repeat().prefetch(2)
            .with_options(pipeline_options()))


def config_overrides(items: list[str]) -> dict:
    """{"field": value} from ["field=value", ...] for TrainConfig: "True"/"False" become
    booleans, and a value of a numeric field its number."""
    import dataclasses

    from keras_infogan import TrainConfig

    defaults = {field.name: field.default for field in dataclasses.fields(TrainConfig)}
    overrides = {}
    for item in items:
        key, value = item.split("=", 1)
        if key not in defaults:
            raise SystemExit(f"unknown TrainConfig field {key!r} in {item!r}")
        kind = type(defaults[key])
        overrides[key] = ({"True": True, "False": False}.get(value, value) if kind in (bool, str, type(None))
                          else kind(value))
    return overrides


def configure_graph(graph: str) -> None:
    """How TensorFlow runs compiled steps: "default"; "meta-off" (all of Grappler's graph
    optimizations off); "eager" (functions run eagerly); "off:P1,P2" (the named Grappler
    passes off, `tf.config.optimizer.set_experimental_options` keys). Call before building."""
    import tensorflow as tf

    if graph == "meta-off":
        tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
    elif graph == "eager":
        tf.config.run_functions_eagerly(True)
    elif graph.startswith("off:"):
        tf.config.optimizer.set_experimental_options({name: False for name in graph[4:].split(",")})
    elif graph != "default":
        raise SystemExit(f"graph must be default, meta-off, eager or off:PASS,..., got {graph!r}")
