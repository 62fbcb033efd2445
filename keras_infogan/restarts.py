"""Restarts: several short starts, the best by a label-free criterion continued, inside one step budget.

Which categories an MNIST InfoGAN's categorical code settles on is decided in its
first two or three epochs, and it depends on the seed far more than on any
setting (docs/mnist_experiments.md). With `TrainConfig(restarts=K,
restart_epochs=s)` the run trains K starts of `s` epochs each (seeds
`start_seed(seed, k)`), scores each start without labels, and continues the
winner to `epochs - (K - 1) * s` epochs (at least `s`; equal: the winner is kept
as it is), so the whole run takes `epochs` epochs' steps, exactly as a run
without restarts.

The score comes from `config.restart_criterion` (`keras_infogan.restart_criteria`):
"consensus" (each start's argmax partition of a fixed sample of unlabeled
*training* images, compared by NMI with every other start's; the winner is the
medoid) or "consistency" (the start's mean augmentation-consistency KL over its
last epoch of real training images; the lowest wins). No criterion looks at
labels.

Folder layout (`workdir`): `starts/<k>/` holds each start's run folder (its
metrics and pictures, its checkpoints until the winner is copied, and its
model.keras when it was trained to the end); `restarts.json` the starts' seeds,
scores, steps and the winner; the winner's run is then copied to `workdir` itself
and continued there, so `workdir` ends as an ordinary run folder (its config.json
is the winner's: its seed and its shortened `epochs`). Every stage resumes after a
crash: a start from its checkpoints (one trained to its end is kept as it is), the
choice from `restarts.json`, the copy from scratch.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np

from keras_infogan.atomic import write_text_atomic
from keras_infogan.checkpoints import CHECKPOINT_DIR
from keras_infogan.configs import TrainConfig
from keras_infogan.restart_criteria import CRITERIA
from keras_infogan.run_folder import (CONFIG_FILE, INFO_CURVE_FILE, LOCK_FILE, MODEL_FILE, PARTIAL_FILES, RESTARTS_FILE,
                                      STARTS_DIR, RunFolder, RunFolderError, config_differences)

SAMPLE_IMAGES = 2000  # unlabeled training images the starts' partitions are compared on
_SEED_STRIDE = 1000


def start_seed(seed: int, k: int) -> int:
    """Seed of start `k` of a run with `seed` (start 0 keeps the run's own seed)."""
    return seed + _SEED_STRIDE * k


def winner_epochs(config: TrainConfig) -> int:
    """Epochs of the continued start: the budget less the other starts' epochs."""
    return config.epochs - (config.restarts - 1) * config.restart_epochs


def start_config(config: TrainConfig, k: int) -> TrainConfig:
    """The config of start `k`: its own seed, the continued run's length, no restarts."""
    return dataclasses.replace(config, seed=start_seed(config.seed, k), epochs=winner_epochs(config), restarts=1)


def train_with_restarts(config: TrainConfig, workdir, strategy=None, verbose="auto", resume: bool = True,
                        overwrite: bool = False, callbacks=()):
    """`keras_infogan.train` for `config.restarts` > 1 (arguments as there); returns the winner's model.

    `callbacks` are called in the continued run only (not during the starts; not at all
    when the winner is kept as it is, `epochs` = `restarts` * `restart_epochs`).
    """
    from keras_infogan.loading import load_infogan
    from keras_infogan.run_data import load_run_data
    from keras_infogan.stream import steps_per_epoch
    from keras_infogan.train import train

    import tensorflow as tf

    log = print if verbose != 0 else (lambda *args: None)
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) or strategy == "multiworker":
        raise ValueError("restarts are not supported with a multi-worker strategy (the starts would need "
                         "every worker's copy of the winner)")
    workdir = Path(workdir)
    run = RunFolder(workdir)
    if overwrite:
        with run.lock():
            run.clear()
    state = _read_state(workdir, config)
    if state is None:
        images = load_run_data(config, log).train.images
        per_epoch = steps_per_epoch(len(images), config.batch_size)
        sample = np.random.default_rng(config.seed).permutation(len(images))[:SAMPLE_IMAGES]
        sample = np.sort(sample)
        _check_empty(workdir)
        criterion = CRITERIA[config.restart_criterion]
        starts, measures = [], []
        for k in range(config.restarts):
            folder = workdir / STARTS_DIR / str(k)
            log(f"restart {k + 1} of {config.restarts}: seed {start_seed(config.seed, k)}, "
                f"{config.restart_epochs} epochs in {folder}")
            if _finished_start(folder, start_config(config, k)):
                log(f"restart {k + 1}: trained to its end before, kept ({folder / MODEL_FILE})")
                model = load_infogan(folder / MODEL_FILE) if criterion.needs_model else None
            else:
                model = train(start_config(config, k), folder, strategy=strategy, verbose=verbose, resume=resume,
                              stop_after_epoch=config.restart_epochs)
            measures.append(criterion.measure(model, folder, config.restart_epochs, images[sample]))
            starts.append({"seed": start_seed(config.seed, k), "folder": str(Path(STARTS_DIR) / str(k))})
            del model
        scores = criterion.score(measures)
        winner = int(np.argmax(scores))
        for start, score, measure in zip(starts, scores, measures):
            start["score"] = float(score)
            if criterion.record:
                start[criterion.record] = float(measure)
        state = {"config": dataclasses.asdict(config), "criterion": config.restart_criterion,
                 "sample_images": len(sample), "start_epochs": config.restart_epochs, "winner": winner,
                 "winner_epochs": winner_epochs(config), "total_epochs": config.epochs, "steps_per_epoch": per_epoch,
                 "total_steps": config.epochs * per_epoch, "starts": starts, "copied": False}
        write_text_atomic(workdir / RESTARTS_FILE, json.dumps(state, indent=2) + "\n")
        log(f"restarts: {config.restart_criterion} scores {', '.join(f'{s:.3f}' for s in scores)}; continuing "
            f"start {winner} (seed {starts[winner]['seed']}) to epoch {winner_epochs(config)}")
    copied_before = state["copied"]
    if not copied_before:
        _copy_winner(workdir, state)
    _drop_start_checkpoints(workdir, state)  # again after a crash right after the copy
    if state["winner_epochs"] == state["start_epochs"]:  # the winner is finished as it is: nothing to continue
        if copied_before:
            raise RunFolderError(f"{workdir} holds a finished run ({MODEL_FILE}); choose another --out, or pass "
                                 f"--overwrite to replace it")
        return load_infogan(workdir / MODEL_FILE)
    return train(start_config(config, state["winner"]), workdir, strategy=strategy, verbose=verbose,
                 resume=True, callbacks=callbacks)


def restarts_summary(workdir) -> dict | None:
    """What a restarts run spent: {"starts", "winner", "seeds", "criterion", "scores", "steps_of_starts"}
    (None: no restarts).

    `steps_of_starts` counts the steps of the starts that were not continued; add the
    continued run's steps for the whole run's.
    """
    path = Path(workdir) / RESTARTS_FILE
    if not path.exists():
        return None
    state = json.loads(path.read_text())
    return {"starts": len(state["starts"]), "winner": state["winner"],
            "seeds": [start["seed"] for start in state["starts"]],
            "criterion": state.get("criterion", "consensus"),
            "scores": [start.get("score", start.get("consensus")) for start in state["starts"]],  # older: consensus
            "steps_of_starts": (len(state["starts"]) - 1) * state["start_epochs"] * state["steps_per_epoch"]}


def budget_info_curve(workdir) -> dict[str, np.ndarray]:
    """The L_I curve (info_curve.csv, as `evaluation.plots.read_info_curve`) of the run in
    `workdir` over every step it spent: with restarts, each start's curve laid end to end
    (start k shifted by k starts' steps), then the continued winner's steps past its start;
    a NaN row between the pieces breaks a plotted line. Without restarts: the run's own curve.
    """
    from keras_infogan.evaluation.plots import read_info_curve

    workdir = Path(workdir)
    if not (workdir / RESTARTS_FILE).exists():
        return read_info_curve(workdir / INFO_CURVE_FILE)
    state = json.loads((workdir / RESTARTS_FILE).read_text())
    start_steps = state["start_epochs"] * state["steps_per_epoch"]
    pieces = [(read_info_curve(workdir / start["folder"] / INFO_CURVE_FILE), k * start_steps)
              for k, start in enumerate(state["starts"])]
    if state["winner_epochs"] > state["start_epochs"]:
        own = read_info_curve(workdir / INFO_CURVE_FILE)
        later = own["step"] > start_steps
        pieces.append(({column: values[later] for column, values in own.items()},
                       (len(state["starts"]) - 1) * start_steps))
    joined = {column: [] for column in pieces[0][0]}
    for curve, offset in pieces:
        for column, values in curve.items():
            joined[column] += [values + offset if column == "step" else values, [np.nan]]
    return {column: np.concatenate(parts[:-1]) for column, parts in joined.items()}


def _read_state(workdir: Path, config: TrainConfig) -> dict | None:
    """restarts.json of `workdir` if it is this config's, None when there is none."""
    path = workdir / RESTARTS_FILE
    if not path.exists():
        return None
    try:
        state = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise RunFolderError(f"{path} cannot be read ({error}); pass --overwrite to start again") from error
    differences = _differences(state["config"], config)
    if differences:
        raise RunFolderError(f"{workdir} holds a restarts run with a different config ({'; '.join(differences)}); "
                             f"choose another --out, or pass --overwrite to replace it")
    return state


def _finished_start(folder: Path, config: TrainConfig) -> bool:
    """Whether an earlier call trained this start to its end (when the winner is kept as it is, every start
    is a whole run and ends with its model.keras); a finished start of another config is refused."""
    if not (folder / MODEL_FILE).exists():
        return False
    differences = _differences(RunFolder(folder).saved_config(), config)
    if differences:
        raise RunFolderError(f"{folder} holds a start with a different config ({'; '.join(differences)}); "
                             f"pass --overwrite to start the restarts again")
    return True


def _differences(saved: dict, config: TrainConfig) -> list[str]:
    """How a saved config differs from `config`; fields added since it was saved count as their defaults."""
    return config_differences(saved, dataclasses.asdict(config), defaults=dataclasses.asdict(TrainConfig()))


def _check_empty(workdir: Path) -> None:
    """Before the starts: `workdir` holds nothing but unfinished starts."""
    if not workdir.is_dir():
        return
    for partial in workdir.glob(PARTIAL_FILES):  # a restarts.json a crash cut short
        partial.unlink()
    others = [p.name for p in workdir.iterdir() if p.name not in (STARTS_DIR, LOCK_FILE)]
    if others:
        raise RunFolderError(f"{workdir} is not empty ({', '.join(sorted(others)[:5])}) and holds no restarts run "
                             f"({RESTARTS_FILE}); choose another --out, or pass --overwrite to replace it")


def _copy_winner(workdir: Path, state: dict) -> None:
    """Copy the winning start's run folder into `workdir` (again from scratch after a crash)."""
    source = workdir / state["starts"][state["winner"]]["folder"]
    with RunFolder(workdir).lock():
        for entry in workdir.iterdir():  # a copy a crash interrupted
            if entry.name not in (STARTS_DIR, LOCK_FILE, RESTARTS_FILE):
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        for entry in sorted(source.iterdir(), key=lambda p: p.name == CONFIG_FILE):  # config.json last
            if entry.name == LOCK_FILE:
                continue
            target = workdir / entry.name
            shutil.copytree(entry, target) if entry.is_dir() else shutil.copy2(entry, target)
        state = dict(state, copied=True)
        write_text_atomic(workdir / RESTARTS_FILE, json.dumps(state, indent=2) + "\n")


def _drop_start_checkpoints(workdir: Path, state: dict) -> None:
    """Delete the starts' checkpoints once the winner is copied: nothing resumes from them any more
    (the continued run has its own copy); their metrics, pictures and models stay."""
    for start in state["starts"]:
        shutil.rmtree(workdir / start["folder"] / CHECKPOINT_DIR, ignore_errors=True)
