"""`train(config, workdir)`: the one entry point the CLI and notebooks share."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from pathlib import Path
from typing import Sequence

import keras
import tensorflow as tf

from keras_infogan import checkpoints as ckpt
from keras_infogan.atomic import save_model_atomic, write_text_atomic
from keras_infogan.callbacks import ClusteringScores, InfoCurve, TensorBoardLogger, TraversalPictures, WallClock
from keras_infogan.configs import TrainConfig
from keras_infogan.distribute import chief_dir, is_chief, resolve_strategy
from keras_infogan.graph_release import releases_custom_gradients
from keras_infogan.loop import fit_from_step
from keras_infogan.model import InfoGAN
from keras_infogan.run_data import RunData, load_run_data
from keras_infogan.run_folder import CONFIG_FILE, INFO_CURVE_FILE, METRICS_FILE, MODEL_FILE, TENSORBOARD_DIR, RunFolder
from keras_infogan.stream import steps_per_epoch, training_stream
from keras_infogan.xla_choice import choose_jit_compile


def build_model(config: TrainConfig, steps_per_epoch: int = 1,
                strategy: tf.distribute.Strategy | str | None = None) -> InfoGAN:
    """An InfoGAN compiled with the config's codes, optimizers, XLA and precision choices.

    Networks, optimizers and metrics are created under `strategy`'s scope (a
    strategy, a name for `keras_infogan.distribute.make_strategy`, or None: the
    strategy in scope, else the default). With `config.mixed_precision` the model
    and its networks take the "mixed_float16" dtype policy (the global policy is
    left as it is) and both optimizers are wrapped in
    `keras.optimizers.LossScaleOptimizer`. `config.jit_compile="auto"` builds the
    plain step: `train()` measures and resolves "auto" before calling this.
    """
    strategy = resolve_strategy(strategy)
    total_steps = config.epochs * steps_per_epoch
    jit_compile = config.jit_compile is True  # "auto" is decided by train() (keras_infogan.xla_choice)
    with strategy.scope():
        model = InfoGAN(config.latent_spec(), architecture=config.architecture, seed=config.seed,
                        joint_batches=config.joint_batches, info_weight=config.g_info_weight(),
                        probe=config.baseline == "probe", consistency=config.consistency,
                        consistency_vat=config.consistency_vat, augment_fakes=config.augment_fakes,
                        info_delay_steps=round(config.info_delay_epochs * steps_per_epoch),
                        info_ramp_steps=round(config.info_ramp_epochs * steps_per_epoch),
                        gan_loss=config.gan_loss, gradient_penalty=config.gradient_penalty, penalty=config.penalty,
                        label_smoothing=config.label_smoothing, d_steps=config.d_steps, update=config.update,
                        dtype="mixed_float16" if config.mixed_precision else None)
        optimizers = [keras.optimizers.Adam(_learning_rate(config, rate, total_steps), beta_1=config.beta_1)
                      for rate in (config.d_learning_rate, config.g_learning_rate)]
        if config.mixed_precision:
            optimizers = [keras.optimizers.LossScaleOptimizer(opt) for opt in optimizers]
        model.compile(d_optimizer=optimizers[0], g_optimizer=optimizers[1], jit_compile=jit_compile)
    return model


def _learning_rate(config: TrainConfig, initial: float, total_steps: int):
    """A constant rate, or a cosine decay to 0 over `total_steps`."""
    if config.lr_schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(initial, decay_steps=total_steps)
    return initial


@releases_custom_gradients  # else each call's train-step graph stays in memory for good
def train(config: TrainConfig, workdir: str | Path, strategy: tf.distribute.Strategy | str | None = None,
          verbose: int | str = "auto", resume: bool = True, overwrite: bool = False,
          callbacks: Sequence[keras.callbacks.Callback] = (), stop_after_epoch: int | None = None) -> InfoGAN:
    """Train an InfoGAN in the run folder `workdir`, resuming it if it holds an unfinished run.

    `workdir` receives config.json; after every epoch a metrics.csv row,
    traversal_epoch<NNN>.png and a checkpoint in checkpoints/ (also every
    `config.checkpoint_every_steps` steps; the newest `config.keep_checkpoints`
    are kept); info_curve.csv (L_I of each code every 50 steps); with
    `config.tensorboard`, TensorBoard event files in tensorboard/; with
    `config.jit_compile="auto"` on one device for 1,000 steps or more,
    xla_choice.json (whether the step was measured faster with XLA; see
    `keras_infogan.xla_choice`); and model.keras at the end. With
    `config.restarts` > 1 the run first trains that many short starts and
    continues the one the others agree with most (`keras_infogan.restarts`).
    Every file is written so that a crash leaves the previous version.
    The run's train-step graph lives only as long as the returned model
    (`keras_infogan.graph_release`).

    A folder with an unfinished run of the same config is resumed from its newest
    readable checkpoint (a line says so), and the run ends bit for bit as an
    uninterrupted one would on the same device: the checkpoint holds every
    variable, both optimizers and the running metrics, the data order is a pure
    function of (seed, step) (`keras_infogan.stream`), and log rows written after
    the checkpoint are dropped before they are written again.

    Args:
        config: the run's settings.
        workdir: the run folder.
        strategy: a `tf.distribute.Strategy` or a name (see `keras_infogan.distribute`);
            overrides `config.strategy`. `config.batch_size` is the global batch.
            Under multi-worker training only the chief writes `workdir` (the other
            workers write the same files to a temporary folder that is then
            deleted), and every worker resumes from the chief's checkpoints.
        verbose: progress output as in `fit`; 0 also silences the resume line.
        resume: resume an unfinished run; False refuses one instead.
        overwrite: delete the run files in `workdir` and start again.
        callbacks: extra Keras callbacks, called after the built-in loggers and
            before the checkpoint of each epoch.
        stop_after_epoch: stop after this epoch (1 to config.epochs), leaving the run
            unfinished (its checkpoint, no model.keras) for a later call to resume;
            the last epoch scored is this one. None: train to the end.

    Raises:
        RunFolderError: `workdir` holds a finished run, a run with another config,
            something else, or is being written by another process.
        NonFiniteError: a loss or weight became NaN or Inf; the run stops, its last
            checkpoint stays, and no model.keras is written.
        OSError: a checkpoint cannot be written (e.g. the disk is full).
    """
    if config.restarts > 1:
        if stop_after_epoch is not None:
            raise ValueError("stop_after_epoch cannot be combined with restarts")
        from keras_infogan.restarts import train_with_restarts

        return train_with_restarts(config, workdir, strategy=strategy, verbose=verbose, resume=resume,
                                   overwrite=overwrite, callbacks=callbacks)
    end_epoch = config.epochs if stop_after_epoch is None else stop_after_epoch
    if not 1 <= end_epoch <= config.epochs:
        raise ValueError(f"stop_after_epoch must be in [1, {config.epochs}] (the config's epochs), got {end_epoch}")
    # First: MultiWorkerMirroredStrategy must be created before TensorFlow runs anything.
    strategy = resolve_strategy(config.strategy if strategy is None else strategy)
    log = print if verbose != 0 else (lambda *args: None)
    data = load_run_data(config, log)  # first: bad data fails before anything is written
    images = data.train.images
    per_epoch = steps_per_epoch(len(images), config.batch_size)
    run, chief = RunFolder(workdir), is_chief(strategy)
    with run.lock() if chief else contextlib.nullcontext():
        action = run.prepare(dataclasses.asdict(config), resume=resume, overwrite=overwrite, writer=chief, log=log,
                             defaults=dataclasses.asdict(TrainConfig()))
        keras.utils.set_random_seed(config.seed)
        with chief_dir(workdir, strategy) as out:
            out.mkdir(parents=True, exist_ok=True)
            if action != "resume":  # first: a folder with files of a run always holds its config
                write_text_atomic(out / CONFIG_FILE, json.dumps(dataclasses.asdict(config), indent=2) + "\n")
            jit = choose_jit_compile(config, lambda c: build_model(c, per_epoch, strategy), images,
                                     strategy.num_replicas_in_sync, config.epochs * per_epoch, out,
                                     resuming=action == "resume", log=log)
            keras.utils.set_random_seed(config.seed)  # again: measuring may have drawn random numbers
            model = build_model(dataclasses.replace(config, jit_compile=jit), steps_per_epoch=per_epoch,
                                strategy=strategy)
            checkpoints = ckpt.RunCheckpoints(out / ckpt.CHECKPOINT_DIR, model, keep=config.keep_checkpoints)
            stateful = {"wall_clock": WallClock(), "info_curve": InfoCurve(out / INFO_CURVE_FILE)}
            start_step = 0
            if action == "resume":
                meta = checkpoints.restore_latest(run.path / ckpt.CHECKPOINT_DIR, log=log)
                start_step = _resume_from(meta, per_epoch, stateful)
                log(f"resuming {run.path} from its checkpoint at step {start_step} of {config.epochs * per_epoch} "
                    f"(epoch {start_step // per_epoch + 1}, batch {start_step % per_epoch} of {per_epoch})")
                if out == run.path:
                    run.rollback(start_step, epochs_done=start_step // per_epoch)
            checkpointer = ckpt.Checkpointer(checkpoints, per_epoch, config.checkpoint_every_steps, stateful)
            stream = training_stream(images, config.batch_size, config.seed, start_step=start_step,
                                     total_steps=config.epochs * per_epoch, deterministic=config.deterministic_data)
            if start_step < end_epoch * per_epoch:
                fit_from_step(model, stream, epochs=end_epoch, steps_per_epoch=per_epoch, start_step=start_step,
                              callbacks=_callbacks(config, data, out, per_epoch, stateful, callbacks, checkpointer),
                              verbose=verbose)
            if end_epoch < config.epochs:
                return model  # unfinished on purpose: its checkpoint is the place to resume
            ckpt.check_finite_weights(model, config.epochs * per_epoch)  # never a non-finite model.keras
            save_model_atomic(model, out / MODEL_FILE)  # on every worker (reads may be collective)
    return model


def _callbacks(config: TrainConfig, data: RunData, out: Path, per_epoch: int, stateful: dict, extra,
               checkpointer) -> list:
    """In order: the NaN guard (before anything logs an epoch), the wall clock, the per-epoch
    scores and pictures, the L_I curve, metrics.csv, TensorBoard, the user's callbacks, and
    last the checkpoint (written only once its epoch is logged)."""
    callbacks = [ckpt.FiniteGuard(per_epoch), stateful["wall_clock"]]
    if data.scoring is not None:
        callbacks.append(ClusteringScores(data.scoring.images, data.scoring.labels, prefix="eval",
                                          sample=config.eval_images, seed=config.seed))
    callbacks += [TraversalPictures(out, seed=config.seed), stateful["info_curve"],
                  keras.callbacks.CSVLogger(str(out / METRICS_FILE), append=True)]
    if config.tensorboard:
        callbacks.append(TensorBoardLogger(out / TENSORBOARD_DIR, seed=config.seed))
    return callbacks + list(extra) + [checkpointer]


def _resume_from(meta: dict, per_epoch: int, stateful: dict) -> int:
    """Restore the callbacks' states from a checkpoint's metadata; return its global step."""
    if meta.get("steps_per_epoch") != per_epoch:
        raise ValueError(f"the checkpoint was taken with {meta.get('steps_per_epoch')} steps per epoch, but the "
                         f"training split now gives {per_epoch}: the data changed; pass --overwrite to start again")
    for name, callback in stateful.items():
        callback.set_state(meta["callbacks"][name])
    return int(meta["step"])
