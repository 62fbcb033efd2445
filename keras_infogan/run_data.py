"""The images a training run reads: its training split and, where labels exist, its scoring split."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Callable, NamedTuple, Sequence

import numpy as np

from keras_infogan.configs import TrainConfig
from keras_infogan.data import load_images
from keras_infogan.sources import ImageData, has_split


class RunData(NamedTuple):
    """train: the training images (labels unused); scoring: labeled images scored
    after every epoch, or None; scoring_split: the split they come from."""

    train: ImageData
    scoring: ImageData | None
    scoring_split: str | None


def load_run_data(config: TrainConfig, log: Callable[[str], None] = print) -> RunData:
    """Read `config`'s training split and scoring split, converted to its networks' image shape.

    The scoring split is `config.eval_split`; "auto" means "test" when the data has
    one. Scoring needs labels and a categorical code: without them it is skipped
    and `log` says why.

    Raises:
        ValueError / FileNotFoundError: the data cannot be read (the message names
            the file or the problem), or `config.data` is empty.
    """
    train = load_training_images(config, log)
    split = config.eval_split
    if split == "auto":
        split = "test" if has_split(config.data, "test", data_dir=config.data_dir) else None
        if split is None:
            log(f"{config.data} has no 'test' split: no per-epoch scores (choose one with --eval-split)")
    if split is None:
        return RunData(train, None, None)
    if not config.latent_spec().categorical_codes():
        log("the codes have no categorical code: no per-epoch clustering scores")
        return RunData(train, None, None)
    scoring = load_images(config.data, split, **_read_options(config))
    if config.excluded_labels() and scoring.labels is not None:
        scoring = exclude_classes(scoring, config.excluded_labels())
    if scoring.labels is None:
        log(f"{scoring.description} has no labels: no per-epoch clustering scores")
        return RunData(train, None, None)
    return RunData(train, scoring, split)


def load_training_images(config: TrainConfig, log: Callable[[str], None] = print) -> ImageData:
    """`config`'s training split as its networks take it, without `config.exclude_labels`."""
    if not config.data:
        raise ValueError("no training data: set --data to a TFDS name, a folder of images or a folder of IDX files "
                         "(the faces and chairs presets have no TFDS source)")
    train = load_images(config.data, config.train_split, **_read_options(config))
    excluded = config.excluded_labels()
    if excluded:
        train = exclude_classes(train, excluded)
        log(f"left out classes {', '.join(excluded)}: training on {len(train.images)} images")
    return train


def saved_run_config(run: str | os.PathLike) -> TrainConfig:
    """The TrainConfig in a run folder's config.json (fields it lacks take their
    defaults); the mnist preset when there is none (a bare .keras file, or a folder
    from before config.json existed). `run` is the folder or a file in it."""
    from keras_infogan.presets import PRESETS
    from keras_infogan.run_folder import CONFIG_FILE, RunFolder

    run = Path(run)
    folder = RunFolder(run if run.is_dir() else run.parent)
    if not (folder.path / CONFIG_FILE).is_file():
        return PRESETS["mnist"]
    fields = {field.name for field in dataclasses.fields(TrainConfig)}
    return TrainConfig(**{key: value for key, value in folder.saved_config().items() if key in fields})


def _read_options(config: TrainConfig) -> dict:
    return dict(image_shape=config.image_shape(), fit=config.image_fit, data_dir=config.data_dir,
                image_feature=config.image_feature, label_feature=config.label_feature)


def exclude_classes(data: ImageData, classes: Sequence[str | int]) -> ImageData:
    """`data` without the images of `classes` (ids, or names of `data.class_names`).

    Raises:
        ValueError: `data` has no labels, a class is unknown, or nothing would be left.
    """
    if data.labels is None:
        raise ValueError(f"cannot leave out classes {list(classes)}: {data.description} has no labels")
    names = list(data.class_names or ())
    known = data.num_classes if data.num_classes is not None else int(data.labels.max()) + 1
    ids = []
    for entry in classes:
        text = str(entry)
        if text in names:
            ids.append(names.index(text))
        elif text.lstrip("-").isdigit() and 0 <= int(text) < known:
            ids.append(int(text))
        else:
            offer = f"class names {names}" if names else f"class ids 0..{known - 1}"
            raise ValueError(f"cannot leave out class {text!r}: {data.description} has {offer}")
    keep = ~np.isin(data.labels, ids)
    if not keep.any():
        raise ValueError(f"leaving out classes {list(classes)} leaves no images of {data.description}")
    return dataclasses.replace(data, images=data.images[keep], labels=data.labels[keep],
                               description=f"{data.description} without classes {', '.join(map(str, classes))}")
