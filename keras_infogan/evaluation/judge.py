"""Sample quality without downloads: a small MNIST classifier (the "judge")
trained once on a labeled split and cached on disk, and the scores it gives.

Image convention: every function here takes float images [n, 28, 28, 1] in
[0, 1] (scale uint8 pixels with `images / 255`; generator output in [-1, 1] with
`keras_infogan.data.unscale_images`).

Scores (defined in `keras_infogan.evaluation.sample_scores`, importable from here):
  * `classifier_score`: exp(E_x KL(p(y|x) || p(y))), the Inception score with the
    judge in place of Inception; 1 (all images judged alike) to num_classes
    (confident and evenly spread over the classes).
  * `frechet_distance`: distance between Gaussians fitted to the judge's
    penultimate ("features") activations of two image sets, as in FID.
  * `class_shares`, `value_purity`: how generated images spread over the judged
    classes, and how consistently each value of a categorical code is judged.

Example:
    data_dir = "../shared/data/mnist"
    judge = load_or_train_judge("mnist", "train", data_dir)    # trains once, then cached
    train, _ = load_arrays("mnist", "train", data_dir)
    test, _ = load_arrays("mnist", "test", data_dir)
    report = sample_quality(model, judge, train / 255, test / 255)
    print(report.to_dict())
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import weakref
from pathlib import Path
from typing import Any

import keras
import numpy as np

from keras_infogan.atomic import save_model_atomic
from keras_infogan.data import DATASETS, load_arrays, unscale_images
from keras_infogan.evaluation.sample_scores import class_shares, classifier_score, frechet_distance, value_purity

# Bump when the judge's architecture or training changes: cached judges of an
# older recipe are then ignored (they live under another file name).
JUDGE_VERSION = "cnn-v1"
FEATURES_LAYER = "features"
DEFAULT_EPOCHS = 4  # about 98.6% test accuracy on the 19,690 offline MNIST images
CACHE_ENV = "KERAS_INFOGAN_CACHE"

_BATCH_SIZE = 64
_LEARNING_RATE = 1e-3
_PIXEL_TOLERANCE = 1e-3  # images may overshoot [0, 1] by this much (then clipped)


# ---- the judge: build, train, cache ----

def build_judge(image_shape: tuple[int, int, int] = (28, 28, 1), num_classes: int = 10) -> keras.Model:
    """Untrained CNN: images [n, H, W, C] in [0, 1] -> p(y|x) [n, num_classes].

    conv 3x3x32 -> max pool -> conv 3x3x64 -> max pool -> dense 128 ("features",
    ReLU) -> dropout -> dense softmax ("probs").
    """
    inputs = keras.Input(image_shape, name="images")
    x = keras.layers.Conv2D(32, 3, activation="relu", name="conv1")(inputs)
    x = keras.layers.MaxPooling2D(name="pool1")(x)
    x = keras.layers.Conv2D(64, 3, activation="relu", name="conv2")(x)
    x = keras.layers.MaxPooling2D(name="pool2")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(128, activation="relu", name=FEATURES_LAYER)(x)
    x = keras.layers.Dropout(0.5, name="dropout")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="probs")(x)
    return keras.Model(inputs, outputs, name=f"judge_{JUDGE_VERSION.replace('-', '_')}")


def train_judge(images: np.ndarray, labels: np.ndarray, num_classes: int = 10,
                epochs: int = DEFAULT_EPOCHS, seed: int = 0, verbose: int = 0) -> keras.Model:
    """A judge trained with Adam on images [n, H, W, C] in [0, 1] and int labels [n].

    Resets the global Python, NumPy and TensorFlow seeds to `seed` (for a
    reproducible judge).
    """
    images = _check_images(images, "images")
    labels = np.asarray(labels)
    if labels.shape != (len(images),) or labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be integer ids of shape [{len(images)}], "
                         f"got {labels.dtype} {labels.shape}")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"labels must lie in [0, {num_classes - 1}], got [{labels.min()}, {labels.max()}]")
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    keras.utils.set_random_seed(seed)
    judge = build_judge(images.shape[1:], num_classes)
    judge.compile(optimizer=keras.optimizers.Adam(_LEARNING_RATE),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    judge.fit(images, labels, batch_size=_BATCH_SIZE, epochs=epochs, shuffle=True, verbose=verbose)
    return judge


def default_cache_dir() -> Path:
    """`$KERAS_INFOGAN_CACHE/judges` if that variable is set, else `~/.cache/keras_infogan/judges`."""
    root = os.environ.get(CACHE_ENV)
    return (Path(root) if root else Path.home() / ".cache" / "keras_infogan") / "judges"


def judge_cache_path(dataset: str, split: str, images: np.ndarray, labels: np.ndarray,
                     cache_dir: str | Path | None = None, epochs: int = DEFAULT_EPOCHS,
                     seed: int = 0) -> Path:
    """Cache file of the judge trained on (images, labels) of `dataset`/`split`.

    The name holds a hash of the recipe (JUDGE_VERSION, epochs, seed), the dataset,
    the split and the exact image and label bytes, so any change retrains.
    """
    data = hashlib.sha256()
    for array in (np.ascontiguousarray(images), np.ascontiguousarray(labels, dtype=np.int64)):
        data.update(f"{array.dtype.str}{array.shape}".encode())
        data.update(array.data)
    key = json.dumps({"recipe": JUDGE_VERSION, "epochs": epochs, "seed": seed, "dataset": dataset,
                      "split": split, "data": data.hexdigest()}, sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    readable_split = re.sub(r"[^\w.-]+", "_", split).strip("_")
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return folder / f"{dataset}-{readable_split}-{digest}.keras"


def load_or_train_judge(dataset: str = "mnist", split: str = "train", data_dir: str | Path | None = None,
                        cache_dir: str | Path | None = None, epochs: int = DEFAULT_EPOCHS, seed: int = 0,
                        verbose: int = 0) -> keras.Model:
    """The judge of a labeled split: loaded from the cache, or trained and cached.

    Args:
        dataset, split, data_dir: the labeled data, as for `keras_infogan.data.load_arrays`.
        cache_dir: folder of cached judges (default: `default_cache_dir()`).
        epochs, seed: training recipe (part of the cache key).
        verbose: Keras `fit` verbosity.

    Returns:
        A judge mapping images [n, H, W, C] in [0, 1] to p(y|x) [n, num_classes].
        A new judge is written to a temporary file and renamed into place, so an
        interrupted run never leaves a partial cache file.
    """
    pixels, labels = load_arrays(dataset, split, None if data_dir is None else str(data_dir))
    path = judge_cache_path(dataset, split, pixels, labels, cache_dir, epochs, seed)
    if path.exists():
        try:
            return keras.saving.load_model(path)
        except Exception as err:
            raise ValueError(f"cached judge {path} cannot be loaded ({err}); delete it to retrain") from err
    judge = train_judge(pixels.astype(np.float32) / 255.0, labels, DATASETS[dataset].num_classes,
                        epochs, seed, verbose)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_model_atomic(judge, path)
    return judge


# ---- running the judge ----

def _check_images(images: Any, name: str, image_shape: tuple | None = None) -> np.ndarray:
    """Returns images as float32 [n, H, W, C] clipped to [0, 1], or raises naming the problem."""
    array = np.asarray(images)
    if array.ndim != 4 or (image_shape is not None and tuple(array.shape[1:]) != tuple(image_shape)):
        expected = "n, H, W, C" if image_shape is None else "n, " + ", ".join(map(str, image_shape))
        raise ValueError(f"{name} must have shape [{expected}], got {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} is empty")
    if array.dtype.kind != "f":
        raise ValueError(f"{name} must be floats in [0, 1] (scale uint8 pixels with images / 255), "
                         f"got dtype {array.dtype}")
    low, high = float(array.min()), float(array.max())
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"{name} contains NaN or infinite pixels")
    if low < -_PIXEL_TOLERANCE or high > 1 + _PIXEL_TOLERANCE:
        raise ValueError(f"{name} must lie in [0, 1], got [{low:.4g}, {high:.4g}]")
    return np.clip(array, 0.0, 1.0).astype(np.float32)


def judge_predict(judge: keras.Model, images: np.ndarray,
                  batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """Judge outputs for images [n, H, W, C] in [0, 1]: (p(y|x) [n, num_classes],
    features [n, feature_dim] from the penultimate "features" layer)."""
    return _predict(_with_features(judge), images, batch_size)


# Two-output copy of each judge, built once so its predict function is traced once.
_WITH_FEATURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _with_features(judge: keras.Model) -> keras.Model:
    """The judge with a second output, its "features" activations."""
    if judge not in _WITH_FEATURES:
        _WITH_FEATURES[judge] = keras.Model(
            judge.input, [judge.output, judge.get_layer(FEATURES_LAYER).output])
    return _WITH_FEATURES[judge]


def _predict(both: keras.Model, images: np.ndarray, batch_size: int,
             name: str = "images") -> tuple[np.ndarray, np.ndarray]:
    images = _check_images(images, name, both.input_shape[1:])
    probs, features = both.predict(images, batch_size=batch_size, verbose=0)
    return probs, features


# ---- the report of a trained InfoGAN ----

@dataclasses.dataclass(frozen=True, eq=False)
class SampleQuality:
    """Judge scores of an InfoGAN's samples.

    Attributes:
        classifier_score: `classifier_score` of the generated images.
        frechet_distance: judge-feature Fréchet distance, generated vs real test images.
        frechet_floor: the same between real train and real test images (what a
            perfect generator would score, up to sampling noise).
        class_shares: float64 [num_classes], share of generated images per judged class.
        code: name of the categorical code scored below.
        majority, purity: per value of `code` (see `value_purity`), [num_values].
        num_samples: number of generated images.
    """

    classifier_score: float
    frechet_distance: float
    frechet_floor: float
    class_shares: np.ndarray
    code: str
    majority: np.ndarray
    purity: np.ndarray
    num_samples: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (a NaN purity becomes None)."""
        return {
            "classifier_score": self.classifier_score,
            "frechet_distance": self.frechet_distance,
            "frechet_floor": self.frechet_floor,
            "class_shares": self.class_shares.tolist(),
            "code": self.code,
            "majority": self.majority.tolist(),
            "purity": [None if math.isnan(p) else float(p) for p in self.purity],
            "num_samples": self.num_samples,
        }


def sample_quality(model, judge: keras.Model, real_train: np.ndarray, real_test: np.ndarray,
                   num_samples: int = 10000, seed: int = 0, code: str = "cat0",
                   batch_size: int = 500) -> SampleQuality:
    """Scores `num_samples` images of a trained `InfoGAN` with the judge.

    Args:
        model: a trained `keras_infogan.InfoGAN`; latents are drawn from its priors
            with `model.latent_spec.sample(num_samples, (seed, 0))`.
        judge: from `load_or_train_judge`.
        real_train, real_test: two sets of real images [n, H, W, C] in [0, 1];
            generated images are compared with real_test, and real_train with
            real_test gives the floor.
        code: name of a categorical code of the model, scored with `value_purity`.
        batch_size: images generated and judged at a time (bounds memory).
    """
    spec = model.latent_spec
    if code not in spec.names:
        raise ValueError(f"model has no code {code!r}; its codes are {spec.names}")
    code_index = spec.names.index(code)
    if spec.codes[code_index].kind != "categorical":
        raise ValueError(f"code {code!r} is not categorical")
    if num_samples < 2:
        raise ValueError(f"num_samples must be >= 2 (for a covariance), got {num_samples}")
    z, values = spec.sample(num_samples, (seed, 0))
    z, values = z.numpy(), [v.numpy() for v in values]
    both = _with_features(judge)
    probs, features = [], []
    for start in range(0, num_samples, batch_size):
        rows = slice(start, start + batch_size)
        generated = unscale_images(model.generate(z[rows], [v[rows] for v in values], batch_size)).numpy()
        batch_probs, batch_features = _predict(both, generated, batch_size)
        probs.append(batch_probs)
        features.append(batch_features)
    probs, features = np.concatenate(probs), np.concatenate(features)
    train_features = _predict(both, real_train, batch_size, "real_train")[1]
    test_features = _predict(both, real_test, batch_size, "real_test")[1]
    majority, purity = value_purity(values[code_index], probs.argmax(axis=1),
                                    spec.codes[code_index].num_categories, probs.shape[1])
    return SampleQuality(
        classifier_score=classifier_score(probs),
        frechet_distance=frechet_distance(features, test_features),
        frechet_floor=frechet_distance(train_features, test_features),
        class_shares=class_shares(probs),
        code=code,
        majority=majority,
        purity=purity,
        num_samples=num_samples,
    )
