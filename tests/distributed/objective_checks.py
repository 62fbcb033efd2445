"""Objectives under MirroredStrategy on one CPU split into 2 logical devices (run by
tests/test_objectives.py in a fresh process: the split must happen before TensorFlow
initialises its devices). Prints one JSON object of measurements.

penalty: for each kind, every replica takes the penalty of its half of a global batch
of 8 (its own input gradient, its own interpolation seed) averaged over the global
batch with `tf.nn.compute_average_loss`, and that average's gradient; their sums over
the replicas are compared with the single-device reference: the mean over the whole
batch of the two halves' penalties (same seeds), and its gradient (zero for the last
bias, which the input gradient does not depend on). The critic has no batch norm, so
a per-example penalty does not depend on how the batch is split.

training: an InfoGAN with d_steps 2, fit for 4 steps of a global batch of 8: the G
step's tf.cond holds the optimizers' sync points; iterations, finiteness, and every
variable identical on both replicas. (A gradient penalty in the model doubles the
compile time; tests/test_objectives.py trains one under a one-device strategy.)
"""

import json

from mirrored_checks import _all_variables, _replica_gap  # splits the CPU into 2 logical devices first

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_infogan import InfoGAN, mnist_spec  # noqa: E402
from keras_infogan.objectives import penalties  # noqa: E402

GLOBAL_BATCH, REPLICAS = 8, 2


def _critic():
    keras.utils.set_random_seed(4)
    return keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(8, activation="tanh"),
                             keras.layers.Dense(1)])


def _zeros_for_none(grads, variables) -> list:
    return [tf.zeros(v.shape) if g is None else g for g, v in zip(grads, variables)]


def penalty_check(strategy, kind: str) -> dict:
    rng = np.random.default_rng(2)
    real, fake = (rng.normal(size=(GLOBAL_BATCH, 4, 4, 1)).astype("float32") for _ in range(2))
    with strategy.scope():
        critic = _critic()
    reference = _critic()
    reference.set_weights(critic.get_weights())

    def seed(replica_id):
        return tf.stack([tf.constant(7, tf.int32), tf.cast(replica_id, tf.int32)])

    def replica_fn(real_half, fake_half):
        replica_id = tf.distribute.get_replica_context().replica_id_in_sync_group
        with tf.GradientTape() as tape:
            loss = tf.nn.compute_average_loss(penalties.penalty(kind, critic, real_half, fake_half, seed(replica_id)))
        return loss, _zeros_for_none(tape.gradient(loss, critic.trainable_variables), critic.trainable_variables)

    halves = [np.split(array, REPLICAS) for array in (real, fake)]
    inputs = [strategy.experimental_distribute_values_from_function(lambda ctx, h=h: h[ctx.replica_id_in_sync_group])
              for h in halves]
    loss, grads = tf.function(lambda r, f: strategy.run(replica_fn, args=(r, f)))(*inputs)
    loss = float(strategy.reduce("SUM", loss, axis=None))
    grads = [strategy.reduce("SUM", g, axis=None).numpy() for g in grads]

    with tf.GradientTape() as tape:
        per_example = tf.concat([penalties.penalty(kind, reference, halves[0][r], halves[1][r], seed(r))
                                 for r in range(REPLICAS)], axis=0)
        expected = tf.reduce_mean(per_example)
    variables = reference.trainable_variables
    expected_grads = _zeros_for_none(tape.gradient(expected, variables), variables)
    return {"loss": loss, "reference_loss": float(expected),
            "max_grad_gap": max(float(np.abs(a - b.numpy()).max()) for a, b in zip(grads, expected_grads)),
            "max_grad": max(float(np.abs(b.numpy()).max()) for b in expected_grads)}


def training_check(strategy) -> dict:
    data = np.random.default_rng(3).uniform(-1, 1, (4 * GLOBAL_BATCH, 28, 28, 1)).astype("float32")
    with strategy.scope():
        model = InfoGAN(mnist_spec(), seed=3, d_steps=2)
        model.compile()
    before = [v.numpy() for v in model.generator.trainable_weights]
    logs = model.fit(tf.data.Dataset.from_tensor_slices(data).batch(GLOBAL_BATCH), epochs=1, verbose=0).history
    return {
        "d_iterations": int(model.d_optimizer.iterations.numpy()),
        "g_iterations": int(model.g_optimizer.iterations.numpy()),
        "finite": bool(all(np.isfinite(values[-1]) for values in logs.values())),
        "g_change": max(float(np.abs(v.numpy() - b).max()) for v, b in zip(model.generator.trainable_weights, before)),
        "replica_gap": _replica_gap(_all_variables(model)),
    }


def main() -> None:
    strategy = tf.distribute.MirroredStrategy([d.name for d in tf.config.list_logical_devices("CPU")])
    results = {"replicas": strategy.num_replicas_in_sync,
               "penalty": {kind: penalty_check(strategy, kind) for kind in penalties.PENALTIES},
               "training": training_check(strategy)}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
