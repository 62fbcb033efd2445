"""`AnomalyScorer`: the signals of one trained InfoGAN, fitted on its training images.

    scorer = fit_scorer(model, train_images)        # uint8 [n, H, W, C] (or floats in [-1, 1])
    scores = scorer.score(test_images)              # {"discriminator": [m], ..., "anomaly": [m]}
    scorer.save("runs/mnist/anomaly_scorer.npz")
    scorer = load_scorer("runs/mnist/anomaly_scorer.npz", model)

"anomaly" combines the signals without anomaly labels: each signal is
standardised by its mean and standard deviation on the training images, and the
standardised signals are averaged. Higher is more anomalous for every score.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Sequence

import numpy as np
import tensorflow as tf

from keras_infogan.anomaly.signals import SIGNAL_NAMES, NetOutputs, get_signal
from keras_infogan.atomic import write_atomic
from keras_infogan.data import scale_images

COMBINED = "anomaly"
SCORER_FILE = "anomaly_scorer.npz"
_FORMAT = 1


def net_outputs(model, images: tf.Tensor) -> NetOutputs:
    """Inference-mode trunk features (spatial maps averaged), D logits and Q
    parameters of images [n, H, W, C] in [-1, 1], as tensors."""
    trunk = model.trunk(images, training=False)
    d_logits = model.d_head(trunk, training=False)[:, 0]
    q_params = model.q_head(trunk, training=False)
    features = tf.reduce_mean(trunk, axis=[1, 2]) if trunk.shape.rank == 4 else trunk
    features = tf.reshape(features, [tf.shape(features)[0], -1])
    return NetOutputs(tf.cast(features, tf.float32), tf.cast(d_logits, tf.float32), tf.cast(q_params, tf.float32))


def model_fingerprint(model) -> str:
    """sha256 of the weights the signals read (trunk, D and Q heads)."""
    digest = hashlib.sha256()
    for net in (model.trunk, model.d_head, model.q_head):
        for weight in net.weights:
            digest.update(np.ascontiguousarray(weight.numpy()).tobytes())
    return digest.hexdigest()


class AnomalyScorer:
    """Scores images by each signal and by their combination (see the module docstring).

    Args:
        model: the trained InfoGAN the signals read.
        states: {signal name: {array name: array}}, what each signal's `fit` returned,
            in column order.
        centre, spread: {signal name: float}, each signal's mean and standard
            deviation on the training images (the combination's standardisation).
    """

    def __init__(self, model, states: dict, centre: dict, spread: dict):
        self.model = model
        self.signals = tuple(states)
        self.states = {name: {key: np.asarray(value, np.float32) for key, value in state.items()}
                       for name, state in states.items()}
        self.centre = {name: float(centre[name]) for name in self.signals}
        self.spread = {name: float(spread[name]) for name in self.signals}
        self._signal_fns = {name: get_signal(name) for name in self.signals}  # imported outside tf.function
        self._tensors = {name: {key: tf.constant(value) for key, value in state.items()}
                         for name, state in self.states.items()}
        self._batch_fn = tf.function(self.score_tensors, reduce_retracing=True)

    @property
    def columns(self) -> tuple[str, ...]:
        """The score names, in order: each signal, then "anomaly"."""
        return (*self.signals, COMBINED)

    def score_tensors(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        """{score name: float32 [n]} for images [n, H, W, C] in [-1, 1] (TensorFlow ops
        only: the TF Serving `score` signature calls this)."""
        outputs = net_outputs(self.model, images)
        spec = self.model.latent_spec
        scores = {name: self._signal_fns[name].score(outputs, self._tensors[name], spec) for name in self.signals}
        standardised = [(scores[name] - self.centre[name]) / self.spread[name] for name in self.signals]
        scores[COMBINED] = tf.add_n(standardised) / float(len(standardised))
        return scores

    def score(self, images, batch_size: int = 500) -> dict[str, np.ndarray]:
        """{score name: float32 [n]} for images: uint8 pixels or floats in [-1, 1], [n, H, W, C]."""
        images = _model_images(self.model, images)
        parts = [self._batch_fn(tf.constant(images[start:start + batch_size]))
                 for start in range(0, len(images), batch_size)]
        return {name: np.concatenate([part[name].numpy() for part in parts]) for name in self.columns}

    def save(self, path: str | os.PathLike) -> None:
        """Write the scorer to `path` (.npz, no pickles), atomically."""
        meta = {"format": _FORMAT, "signals": list(self.signals), "centre": self.centre, "spread": self.spread,
                "model_fingerprint": model_fingerprint(self.model)}
        arrays = {f"{name}/{key}": value for name, state in self.states.items() for key, value in state.items()}

        def write(partial: Path) -> None:
            with open(partial, "wb") as handle:
                np.savez(handle, __meta__=np.array(json.dumps(meta)), **arrays)

        write_atomic(path, write)


def fit_scorer(model, train_images, signals: Sequence[str] | None = None, seed: int = 0,
               batch_size: int = 500, log=print) -> AnomalyScorer:
    """Fit every signal (or `signals`) on the model's outputs on `train_images`.

    Args:
        model: a trained InfoGAN.
        train_images: the images the model was trained on (or others of the normal
            kind), uint8 [n, H, W, C] or floats in [-1, 1]; at least 2.
        signals: names from `keras_infogan.anomaly.SIGNAL_NAMES`; default all the
            model's codes allow (q_entropy needs a categorical code; `log` says
            which are left out).
        seed: seed of the k-means++ initialisation.

    Raises:
        ValueError: bad images, an unknown signal, or one the model cannot have.
    """
    spec = model.latent_spec
    names = list(signals) if signals is not None else list(SIGNAL_NAMES)
    if not names:
        raise ValueError("fit_scorer needs at least one signal")
    chosen = []
    for name in names:
        reason = get_signal(name).unavailable(spec)
        if reason and signals is not None:
            raise ValueError(f"anomaly signal {name!r} is not available for this model: {reason}")
        if reason:
            log(f"anomaly signal {name} left out: {reason}")
        else:
            chosen.append(name)
    images = _model_images(model, train_images)
    if len(images) < 2:
        raise ValueError(f"fit_scorer needs at least 2 training images, got {len(images)}")
    batches = [net_outputs(model, tf.constant(images[start:start + batch_size]))
               for start in range(0, len(images), batch_size)]
    outputs = NetOutputs(*[np.concatenate([getattr(b, field).numpy() for b in batches])
                           for field in NetOutputs._fields])
    states = {name: get_signal(name).fit(outputs, spec, seed) for name in chosen}
    as_tensors = NetOutputs(*(tf.constant(values) for values in outputs))  # no second pass through the networks
    train_scores = {name: get_signal(name).score(as_tensors, {key: tf.constant(value) for key, value in
                                                              states[name].items()}, spec).numpy()
                    for name in chosen}
    spread = {name: float(np.std(train_scores[name])) for name in chosen}
    spread = {name: value if value > 1e-12 else 1.0 for name, value in spread.items()}
    return AnomalyScorer(model, states, {n: float(np.mean(train_scores[n])) for n in chosen}, spread)


def load_scorer(path: str | os.PathLike, model) -> AnomalyScorer:
    """Read a scorer written by `AnomalyScorer.save` for `model`.

    Raises:
        FileNotFoundError: no file at `path`.
        ValueError: the file is not a scorer, or was fitted to other weights.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no anomaly scorer at {path} (fit one with `python -m keras_infogan score RUN`)")
    try:
        with np.load(path, allow_pickle=False) as stored:
            meta = json.loads(str(stored["__meta__"]))
            arrays = {key: stored[key] for key in stored.files if key != "__meta__"}
        signals = list(meta["signals"])
        centre, spread, fingerprint = meta["centre"], meta["spread"], meta["model_fingerprint"]
    except Exception as error:  # a truncated, foreign or hand-edited file
        raise ValueError(f"{path} is not a readable anomaly scorer ({type(error).__name__}: {error})") from None
    if fingerprint != model_fingerprint(model):
        raise ValueError(f"{path} was fitted to another model's weights; fit it again "
                         f"(`python -m keras_infogan score RUN --refit`)")
    states = {name: {key.split("/", 1)[1]: value for key, value in arrays.items() if key.split("/", 1)[0] == name}
              for name in signals}
    return AnomalyScorer(model, states, centre, spread)


def _model_images(model, images) -> np.ndarray:
    """Images as float32 in [-1, 1]: uint8 pixels are scaled, floats are checked."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        images = scale_images(images).numpy()
    return model.check_images(images)
