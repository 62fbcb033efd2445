"""`train(config, workdir)`: the one entry point the CLI and notebooks share."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import keras

from keras_infogan.callbacks import ClusteringScores, InfoCurve, TraversalPictures, WallClock
from keras_infogan.configs import TrainConfig
from keras_infogan.data import load_arrays, load_dataset
from keras_infogan.model import InfoGAN

MODEL_FILE = "model.keras"
CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.csv"
INFO_CURVE_FILE = "info_curve.csv"


def build_model(config: TrainConfig, steps_per_epoch: int = 1) -> InfoGAN:
    """An InfoGAN compiled with the config's codes, optimizers and XLA choice."""
    model = InfoGAN(config.latent_spec(), architecture=config.dataset, seed=config.seed,
                    joint_batches=config.joint_batches, info_weight=config.info_weight,
                    info_delay_steps=round(config.info_delay_epochs * steps_per_epoch),
                    info_ramp_steps=round(config.info_ramp_epochs * steps_per_epoch))
    total_steps = config.epochs * steps_per_epoch
    model.compile(
        d_optimizer=keras.optimizers.Adam(_learning_rate(config, config.d_learning_rate, total_steps),
                                          beta_1=config.beta_1),
        g_optimizer=keras.optimizers.Adam(_learning_rate(config, config.g_learning_rate, total_steps),
                                          beta_1=config.beta_1),
        jit_compile=config.jit_compile)
    return model


def _learning_rate(config: TrainConfig, initial: float, total_steps: int):
    """A constant rate, or a cosine decay to 0 over `total_steps`."""
    if config.lr_schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(initial, decay_steps=total_steps)
    return initial


def train(config: TrainConfig, workdir: str | Path, verbose: int | str = "auto") -> InfoGAN:
    """Train an InfoGAN and write the run folder.

    `workdir` receives config.json, metrics.csv (one row per epoch, appended),
    info_curve.csv (L_I of each code every 50 steps, appended),
    traversal_epoch<NNN>.png after every epoch, and model.keras at the end.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(config.seed)
    dataset = load_dataset(config.dataset, config.train_split, config.batch_size,
                           data_dir=config.data_dir, seed=config.seed)
    callbacks = [WallClock()]
    if config.eval_split:
        images, labels = load_arrays(config.dataset, config.eval_split, config.data_dir)
        callbacks.append(ClusteringScores(images, labels, prefix="eval"))
    callbacks += [TraversalPictures(workdir, seed=config.seed), InfoCurve(workdir / INFO_CURVE_FILE),
                  keras.callbacks.CSVLogger(str(workdir / METRICS_FILE), append=True)]
    (workdir / CONFIG_FILE).write_text(json.dumps(dataclasses.asdict(config), indent=2) + "\n")

    model = build_model(config, steps_per_epoch=int(dataset.cardinality()))
    model.fit(dataset, epochs=config.epochs, callbacks=callbacks, verbose=verbose, shuffle=False)
    model.save(workdir / MODEL_FILE)
    return model
