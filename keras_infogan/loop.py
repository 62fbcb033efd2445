"""`fit_from_step`: Keras' epoch loop, able to start in the middle of an epoch.

`model.fit(initial_epoch=e)` can only start at an epoch boundary, and it resets the
metrics at the start of every epoch. Resuming a run from a checkpoint taken at
batch b of epoch e needs the rest of that epoch to run with the restored running
means, the true batch indices and the epoch's remaining steps only. This loop is
`fit`'s loop (the same `train_function`, `CallbackList`, progress bar and History)
with that one difference; without a resume it behaves as `fit(dataset,
epochs=epochs, steps_per_epoch=steps_per_epoch)` with `dataset` yielding the
global batches in order.
"""

from __future__ import annotations

import keras
import tensorflow as tf


def fit_from_step(model: keras.Model, dataset: tf.data.Dataset, *, epochs: int, steps_per_epoch: int,
                  start_step: int = 0, callbacks=(), verbose: int | str = "auto") -> keras.callbacks.History:
    """Train `model` from global step `start_step` to `epochs * steps_per_epoch`.

    Args:
        model: a compiled Keras model (its metrics hold the restored running means
            when `start_step` is inside an epoch).
        dataset: the batches of global steps start_step, start_step + 1, ... (e.g.
            `keras_infogan.stream.training_stream(..., start_step=start_step)`).
        epochs, steps_per_epoch: the run's length.
        start_step: the first global step to run; epoch `start_step // steps_per_epoch`
            then runs its batches from `start_step % steps_per_epoch` on.
        callbacks: Keras callbacks; they see true epoch and batch indices.
        verbose: as in `fit` ("auto" shows a progress bar).

    Returns:
        The History callback (also `model.history`) of the epochs run here.
    """
    if not 0 <= start_step <= epochs * steps_per_epoch:
        raise ValueError(f"start_step must be in [0, {epochs * steps_per_epoch}], got {start_step}")
    verbose = 1 if verbose == "auto" else verbose
    callbacks = keras.callbacks.CallbackList(list(callbacks), add_history=True, add_progbar=verbose != 0,
                                             verbose=verbose, epochs=epochs, steps=steps_per_epoch, model=model)
    iterator = iter(model.distribute_strategy.experimental_distribute_dataset(dataset))
    model.stop_training = False
    model.make_train_function()
    callbacks.on_train_begin()
    first_epoch, first_batch = divmod(start_step, steps_per_epoch)
    logs = epoch_logs = None
    for epoch in range(first_epoch, epochs):
        start = first_batch if epoch == first_epoch else 0
        if start == 0:
            model.reset_metrics()  # inside an epoch the restored running means go on
        callbacks.on_epoch_begin(epoch)
        for batch in range(start, steps_per_epoch):
            callbacks.on_train_batch_begin(batch)
            logs = model.train_function(iterator)
            callbacks.on_train_batch_end(batch, logs)
            if model.stop_training:
                break
        epoch_logs = dict(model._get_metrics_result_or_logs(logs)) if logs is not None else {}
        callbacks.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    callbacks.on_train_end(logs=epoch_logs)
    return model.history
