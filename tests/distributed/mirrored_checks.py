"""MirroredStrategy checks on one CPU split into 2 logical devices (run by
tests/test_distribute.py in a fresh process: the split must happen before
TensorFlow initialises its devices). Prints one JSON object of measurements.

The reference for the equivalence check is a single-device computation written
out here from the networks and `keras_infogan.losses`, not InfoGAN.train_step:
for each half of the global batch ("replica" r), the D/Q loss
    sum over the half of (discriminator loss + information loss) / global batch
with the noise and codes `latent_spec.sample(n / 2, step_seed(seed, step, r, 0))`
and batch norm in training mode on that half alone (MirroredStrategy's batch
norm uses per-replica statistics); the two halves' gradients are summed and
applied with the same SGD optimizer; the moving statistics become the mean of
the two halves' updates. Then the same for the G step (stream 1, at step + 1,
after the D/Q update). SGD, unlike Adam, makes a weight change proportional to
the gradient, so a wrong scale (e.g. averaging instead of summing the replicas'
gradients) would show.
"""

import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

_cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(_cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_infogan import InfoGAN, mnist_spec  # noqa: E402
from keras_infogan import losses  # noqa: E402
from keras_infogan.model import step_seed  # noqa: E402

GLOBAL_BATCH, REPLICAS, STEPS, LR = 16, 2, 2, 0.05


def _sgd_model(seed=3, **kwargs):
    keras.utils.set_random_seed(seed)
    model = InfoGAN(mnist_spec(), seed=seed, **kwargs)
    model.compile(d_optimizer=keras.optimizers.SGD(LR), g_optimizer=keras.optimizers.SGD(LR))
    return model


def _per_replica(model, loss_of_half, variables, halves):
    """Sum over halves of the gradients of loss_of_half(replica, half); the moving
    statistics end as the mean of each half's update from the same start."""
    moving = model.moving_statistics
    start = [v.numpy() for v in moving]
    grads_sum, ends, total = None, [], 0.0
    for replica, half in enumerate(halves):
        for variable, value in zip(moving, start):
            variable.assign(value)
        with tf.GradientTape() as tape:
            loss = loss_of_half(replica, half)
        grads = tape.gradient(loss, variables)
        grads_sum = grads if grads_sum is None else [a + b for a, b in zip(grads_sum, grads)]
        ends.append([v.numpy() for v in moving])
        total += float(loss)
    for variable, *values in zip(moving, *ends):
        variable.assign(np.mean(values, axis=0))
    return grads_sum, total


def reference_step(model, real):
    """One training step of `model` (single device) as MirroredStrategy over
    REPLICAS replicas would take it; returns the global-batch mean D loss."""
    spec, n = model.latent_spec, real.shape[0]
    halves = np.split(real, REPLICAS)

    def d_loss_of_half(replica, half):
        step = int(model.d_optimizer.iterations.numpy())
        z, values = spec.sample(len(half), step_seed(model.seed, step, replica, 0))
        fake = model.generator(spec.generator_input(z, values), training=True)
        real_features, fake_features = model.trunk(half, training=True), model.trunk(fake, training=True)
        d = losses.discriminator_loss(model.d_head(real_features), model.d_head(fake_features))
        info, _ = losses.information_loss(spec, values, model.q_head(fake_features, training=True))
        d_loss_of_half.d_sum += float(tf.reduce_sum(d))
        return (tf.reduce_sum(d) + tf.reduce_sum(info)) / n

    d_loss_of_half.d_sum = 0.0
    grads, _ = _per_replica(model, d_loss_of_half, model.d_variables, halves)
    model.d_optimizer.apply_gradients(zip(grads, model.d_variables))

    def g_loss_of_half(replica, half):
        step = int(model.d_optimizer.iterations.numpy())  # after the D/Q update, as in train_step
        z, values = spec.sample(len(half), step_seed(model.seed, step, replica, 1))
        features = model.trunk(model.generator(spec.generator_input(z, values), training=True), training=True)
        g = losses.generator_loss(model.d_head(features))
        info, _ = losses.information_loss(spec, values, model.q_head(features, training=True))
        return (tf.reduce_sum(g) + model.info_weight * tf.reduce_sum(info)) / n

    g_variables = model.generator.trainable_variables
    grads, _ = _per_replica(model, g_loss_of_half, g_variables, halves)
    model.g_optimizer.apply_gradients(zip(grads, g_variables))
    return d_loss_of_half.d_sum / n


def _replica_gap(variables) -> float:
    """Largest difference between the replicas' copies of any variable."""
    gap = 0.0
    for variable in variables:
        copies = [c.numpy() for c in getattr(variable.value, "values", (variable.value,))]
        gap = max([gap] + [float(np.abs(c - copies[0]).max()) for c in copies[1:]])
    return gap


def _all_variables(model):
    return model.weights + model.d_optimizer.variables + model.g_optimizer.variables


def equivalence(strategy) -> dict:
    """STEPS consecutive steps; before each, the reference copies the mirrored model's
    weights, so each step is compared from identical weights (float32 round-off of
    ~1e-7 in one step is otherwise amplified by the next GAN step to ~1e-5)."""
    data = np.random.default_rng(0).uniform(-1, 1, (STEPS * GLOBAL_BATCH, 28, 28, 1)).astype("float32")
    with strategy.scope():
        mirrored = _sgd_model()
    reference = _sgd_model()
    names = [v.path for v in mirrored.weights]
    trainable = {id(v) for v in mirrored.trainable_weights}
    steps = []
    for batch in np.split(data, STEPS):
        reference.set_weights(mirrored.get_weights())
        before = [v.numpy() for v in mirrored.weights]
        logs = mirrored.fit(tf.data.Dataset.from_tensor_slices(batch).batch(GLOBAL_BATCH),
                            epochs=1, verbose=0, shuffle=False).history
        reference_d_loss = reference_step(reference, batch)
        gaps = [float(np.abs(a.numpy() - b.numpy()).max()) for a, b in zip(mirrored.weights, reference.weights)]
        steps.append({
            "max_weight_gap": max(gaps), "worst_weight": names[int(np.argmax(gaps))],
            "max_trainable_gap": max(g for g, v in zip(gaps, mirrored.weights) if id(v) in trainable),
            "max_weight_change": max(float(np.abs(a.numpy() - b).max()) for a, b in zip(mirrored.weights, before)),
            "iterations": [int(mirrored.d_optimizer.iterations.numpy()), int(reference.d_optimizer.iterations.numpy())],
            "logged_d_loss": logs["d_loss"][-1], "reference_d_loss": reference_d_loss})
    return {
        "strategy_captured": mirrored.distribute_strategy is strategy,
        "distributed_variables": all(hasattr(v.value, "values") for v in _all_variables(mirrored)),
        "replica_gap": _replica_gap(_all_variables(mirrored)),
        "steps": steps,
    }


def noise_draws(strategy) -> dict:
    """What each replica draws in the D/Q step (`_step_seed`, in a replica context)."""
    with strategy.scope():
        model = _sgd_model(seed=7)

    @tf.function
    def draw():
        def replica_fn():
            z, values = model.latent_spec.sample(4, model._step_seed(0))
            return z, values[0]
        return strategy.run(replica_fn)

    zs, cats = draw()
    zs, cats = strategy.experimental_local_results(zs), strategy.experimental_local_results(cats)
    expected = [model.latent_spec.sample(4, step_seed(7, 0, r, 0))[0].numpy() for r in range(REPLICAS)]
    return {
        "z_gap_between_replicas": float(np.abs(zs[0].numpy() - zs[1].numpy()).min()),
        "cats_equal": bool(np.array_equal(cats[0].numpy(), cats[1].numpy())),
        "matches_step_seed": all(np.array_equal(z.numpy(), e) for z, e in zip(zs, expected)),
    }


def xla_refused(strategy) -> str:
    with strategy.scope():
        model = InfoGAN()
    try:
        model.compile(jit_compile=True)
    except ValueError as error:
        return str(error)
    return ""


def overflow_on_one_replica(strategy) -> dict:
    """Mixed precision: replica 1's half overflows float16 (pixels of 1e5), replica 0's
    does not. Both replicas must skip the D/Q update and halve the D loss scale."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        with strategy.scope():
            model = InfoGAN(seed=1)
            model.compile()
    finally:
        keras.config.set_dtype_policy(previous)
    data = np.random.default_rng(1).uniform(-1, 1, (GLOBAL_BATCH, 28, 28, 1)).astype("float32")
    data[GLOBAL_BATCH // 2:] = 1e5
    before = [v.numpy() for v in model.d_variables]
    model.fit(tf.data.Dataset.from_tensor_slices(data).batch(GLOBAL_BATCH), epochs=1, verbose=0)
    return {
        "wrapped": type(model.d_optimizer).__name__,
        "d_weight_change": max(float(np.abs(v.numpy() - b).max()) for v, b in zip(model.d_variables, before)),
        "d_scales": [float(c.numpy()) for c in model.d_optimizer.dynamic_scale.value.values],
        "d_steps": int(model.d_optimizer.iterations.numpy()),
        "g_steps": int(model.g_optimizer.iterations.numpy()),
        "replica_gap": _replica_gap(model.trainable_weights + model.d_optimizer.variables),
    }


def inference(strategy) -> dict:
    """The numpy inference API of a model built under the strategy: rows out per rows in, and
    the largest gap to the same networks called directly on the whole input."""
    with strategy.scope():
        model = InfoGAN(seed=2)
    z, values = model.latent_spec.sample(10, seed=(0, 0))
    latent = model.latent_input(z.numpy(), [v.numpy() for v in values])
    images = model.generate(z.numpy(), [v.numpy() for v in values], batch_size=4)
    features = model.features(images, batch_size=4)
    params = model.q_params(images, batch_size=4)
    gaps = [np.abs(images - model.generator(latent, training=False).numpy()).max(),
            np.abs(features - model.trunk(images, training=False).numpy()).max(),
            np.abs(params - model.q_head(features, training=False).numpy()).max()]
    return {"rows": [len(images), len(features), len(params)], "max_gap": float(max(gaps))}


def main() -> None:
    strategy = tf.distribute.MirroredStrategy([d.name for d in tf.config.list_logical_devices("CPU")])
    results, seconds = {"replicas": strategy.num_replicas_in_sync}, {}
    for name, check in [("equivalence", equivalence), ("noise", noise_draws), ("xla_error", xla_refused),
                        ("overflow", overflow_on_one_replica), ("inference", inference)]:
        start = time.perf_counter()
        results[name] = check(strategy)
        seconds[name] = round(time.perf_counter() - start, 1)
    results["seconds"] = seconds
    print(json.dumps(results))


if __name__ == "__main__":
    main()
