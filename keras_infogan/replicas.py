"""The train step's per-replica mechanics under `tf.distribute` (no-ops on one device).

Keras runs `train_step` once per replica (replica context); these helpers keep
the replicas' variables identical: one decision to skip an overflowing step,
the batch-norm moving statistics averaged, and a `tf.cond` around a step that
holds a sync point.
"""

from __future__ import annotations

import keras
import tensorflow as tf


def global_mean(per_example) -> tf.Tensor:
    """Mean of per-example losses over the global batch (each replica's share, so that
    the optimizers' sum over replicas is the global mean's gradient)."""
    return tf.nn.compute_average_loss(per_example)


def apply_gradients(optimizer, grads, variables) -> None:
    """`optimizer.apply_gradients`; with loss scaling over several replicas, an
    overflow on any replica makes every replica skip the step (Keras decides on
    each replica's own gradients, or on the first replica's only)."""
    replica = tf.distribute.get_replica_context()
    if (isinstance(optimizer, keras.optimizers.LossScaleOptimizer) and replica is not None
            and replica.num_replicas_in_sync > 1):
        overflow = tf.cast(tf.logical_not(optimizer.check_finite(grads)), tf.float32)
        poison = tf.where(replica.all_reduce("SUM", overflow) > 0, float("nan"), 0.0)
        grads = [g if g is None else g + tf.cast(poison, g.dtype) for g in grads]
    optimizer.apply_gradients(zip(grads, variables))


def sum_gradients(first, *others) -> list:
    """Element-wise sums of gradient lists (None: no gradient), reproducibly.

    One backward pass through three trunk calls (real, fake, augmented) sums three
    gradients per trunk weight in an order that varied between runs, and Grappler's
    arithmetic optimizer merges a plain `a + b` of two passes back into such a sum: the
    weights of identical runs then differed after a few steps. Each extra loss therefore
    gets a backward pass of its own, and the passes' gradients are summed by a reduction
    over a stacked axis, which gives the same bits every time and is left alone.
    """
    sums = []
    for addends in zip(first, *others):
        present = [grad for grad in addends if grad is not None]
        sums.append(None if not present else present[0] if len(present) == 1
                    else tf.reduce_sum(tf.stack(present), axis=0))
    return sums


def average_over_replicas(variables) -> None:
    """Set every replica's copy of `variables` (aggregation "none", such as batch
    norm's moving statistics) to their mean over the replicas, so that they do not
    drift apart (a saved model keeps the first replica's). One all-reduce; nothing
    on one replica."""
    replica = tf.distribute.get_replica_context()
    if replica is None or replica.num_replicas_in_sync == 1:
        return
    local = [tf.identity(v.value) for v in variables]  # tensors: all_reduce of variables has no destinations
    for variable, value in zip(variables, replica.all_reduce("MEAN", local)):
        variable.assign(value)


def run_if(pred, fn, *args) -> None:
    """fn(*args) when `pred`, a bool tensor equal on every replica. Under a strategy
    the tf.cond runs in cross-replica context, around `call_for_each_replica`: a
    sync point (the optimizer's all-reduce) inside a tf.cond in replica context is
    an error ("merge_call called while defining a new graph"). `fn` gets every
    per-replica tensor through `args`, never through a closure."""
    if not tf.distribute.has_strategy():
        tf.cond(pred, lambda: fn(*args), lambda: None)
        return

    def cross_replica(strategy, pred, *args):
        first = strategy.experimental_local_results(pred)[0]
        tf.cond(first, lambda: strategy.extended.call_for_each_replica(fn, args=args), lambda: None)

    tf.distribute.get_replica_context().merge_call(cross_replica, args=(pred, *args))


def multi_worker(strategy: tf.distribute.Strategy) -> bool:
    """A MultiWorkerMirroredStrategy over more than one worker (as Keras tests it)."""
    return (isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            and strategy.extended._in_multi_worker_mode())


def multi_replica(strategy: tf.distribute.Strategy) -> bool:
    """More than one replica, on devices XLA cannot span (TPUStrategy always compiles)."""
    return strategy.num_replicas_in_sync > 1 and not isinstance(strategy, tf.distribute.TPUStrategy)


def check_optimizer_strategy(name: str, optimizer, strategy: tf.distribute.Strategy) -> None:
    """Keras optimizers remember the strategy in scope when they were created."""
    for opt in (optimizer, getattr(optimizer, "inner_optimizer", None)):
        created_under = getattr(opt, "_distribution_strategy", strategy)
        if opt is not None and created_under is not strategy:
            raise ValueError(
                f"{name} ({type(opt).__name__}) was created under {type(created_under).__name__}, "
                f"but the model trains under {type(strategy).__name__}; create the optimizers inside "
                f"the same `with strategy.scope():` block as the model")


def step_seed(base_seed, step, replica_id, stream) -> tf.Tensor:
    """The stateless seed [2] of one draw: base seed, then the optimizer step, the
    replica's id in the sync group (0 on one device) and the stream (0: D/Q step,
    1: G step, 2: test step, 3: WGAN-GP's interpolation) folded in. Replicas thus
    draw different noise and codes."""
    seed = tf.constant([int(base_seed), 0], tf.int32)
    for data in (step, replica_id, stream):
        seed = tf.random.experimental.stateless_fold_in(seed, tf.cast(data, tf.int32))
    return seed
