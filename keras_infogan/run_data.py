"""The images a training run reads: its training split and, where labels exist, its scoring split."""

from __future__ import annotations

from typing import Callable, NamedTuple

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
    if not config.data:
        raise ValueError("no training data: set --data to a TFDS name, a folder of images or a folder of IDX files "
                         "(the faces and chairs presets have no TFDS source)")
    read = dict(image_shape=config.image_shape(), fit=config.image_fit, data_dir=config.data_dir,
                image_feature=config.image_feature, label_feature=config.label_feature)
    train = load_images(config.data, config.train_split, **read)
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
    scoring = load_images(config.data, split, **read)
    if scoring.labels is None:
        log(f"{scoring.description} has no labels: no per-epoch clustering scores")
        return RunData(train, None, None)
    return RunData(train, scoring, split)
