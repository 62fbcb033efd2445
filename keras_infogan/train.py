"""`train(config, workdir)`: the one entry point the CLI and notebooks share."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import keras
import tensorflow as tf

from keras_infogan.callbacks import ClusteringScores, InfoCurve, TensorBoardLogger, TraversalPictures, WallClock
from keras_infogan.configs import TrainConfig
from keras_infogan.data import load_arrays, load_dataset
from keras_infogan.distribute import chief_dir, resolve_strategy
from keras_infogan.model import InfoGAN

MODEL_FILE = "model.keras"
CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.csv"
INFO_CURVE_FILE = "info_curve.csv"
TENSORBOARD_DIR = "tensorboard"


def build_model(config: TrainConfig, steps_per_epoch: int = 1,
                strategy: tf.distribute.Strategy | str | None = None) -> InfoGAN:
    """An InfoGAN compiled with the config's codes, optimizers, XLA and precision choices.

    Networks, optimizers and metrics are created under `strategy`'s scope (a
    strategy, a name for `keras_infogan.distribute.make_strategy`, or None: the
    strategy in scope, else the default). With `config.mixed_precision` the model
    and its networks take the "mixed_float16" dtype policy (the global policy is
    left as it is) and both optimizers are wrapped in
    `keras.optimizers.LossScaleOptimizer`.
    """
    strategy = resolve_strategy(strategy)
    total_steps = config.epochs * steps_per_epoch
    with strategy.scope():
        model = InfoGAN(config.latent_spec(), architecture=config.dataset, seed=config.seed,
                        joint_batches=config.joint_batches, info_weight=config.info_weight,
                        info_delay_steps=round(config.info_delay_epochs * steps_per_epoch),
                        info_ramp_steps=round(config.info_ramp_epochs * steps_per_epoch),
                        dtype="mixed_float16" if config.mixed_precision else None)
        optimizers = [keras.optimizers.Adam(_learning_rate(config, rate, total_steps), beta_1=config.beta_1)
                      for rate in (config.d_learning_rate, config.g_learning_rate)]
        if config.mixed_precision:
            optimizers = [keras.optimizers.LossScaleOptimizer(opt) for opt in optimizers]
        model.compile(d_optimizer=optimizers[0], g_optimizer=optimizers[1], jit_compile=config.jit_compile)
    return model


def _learning_rate(config: TrainConfig, initial: float, total_steps: int):
    """A constant rate, or a cosine decay to 0 over `total_steps`."""
    if config.lr_schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(initial, decay_steps=total_steps)
    return initial


def train(config: TrainConfig, workdir: str | Path, strategy: tf.distribute.Strategy | str | None = None,
          verbose: int | str = "auto") -> InfoGAN:
    """Train an InfoGAN and write the run folder.

    `workdir` receives config.json, metrics.csv (one row per epoch, appended),
    info_curve.csv (L_I of each code every 50 steps, appended),
    traversal_epoch<NNN>.png after every epoch, and model.keras at the end;
    with `config.tensorboard`, TensorBoard event files in tensorboard/.

    `strategy` (a `tf.distribute.Strategy` or a name, see `keras_infogan.distribute`)
    overrides `config.strategy`; `config.batch_size` is the global batch, split
    across the replicas. Under multi-worker training only the chief writes
    `workdir`; every other worker writes the same files to a temporary folder
    that is then deleted.
    """
    # First: MultiWorkerMirroredStrategy must be created before TensorFlow runs anything.
    strategy = resolve_strategy(config.strategy if strategy is None else strategy)
    keras.utils.set_random_seed(config.seed)
    dataset = load_dataset(config.dataset, config.train_split, config.batch_size,
                           data_dir=config.data_dir, seed=config.seed,
                           deterministic=config.deterministic_data)
    with chief_dir(workdir, strategy) as out:
        out.mkdir(parents=True, exist_ok=True)
        callbacks = [WallClock()]
        if config.eval_split:
            images, labels = load_arrays(config.dataset, config.eval_split, config.data_dir)
            callbacks.append(ClusteringScores(images, labels, prefix="eval"))
        callbacks += [TraversalPictures(out, seed=config.seed), InfoCurve(out / INFO_CURVE_FILE),
                      keras.callbacks.CSVLogger(str(out / METRICS_FILE), append=True)]
        if config.tensorboard:
            callbacks.append(TensorBoardLogger(out / TENSORBOARD_DIR, seed=config.seed))
        (out / CONFIG_FILE).write_text(json.dumps(dataclasses.asdict(config), indent=2) + "\n")

        model = build_model(config, steps_per_epoch=int(dataset.cardinality()), strategy=strategy)
        model.fit(dataset, epochs=config.epochs, callbacks=callbacks, verbose=verbose, shuffle=False)
        model.save(out / MODEL_FILE)  # on every worker (reads may be collective); the chief's is kept
    return model
