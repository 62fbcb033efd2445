"""SavedModel export for TF Serving: named signatures over stock TensorFlow ops.

    export_serving(model, "saved_models/mnist")   # -> saved_models/mnist/1/saved_model.pb

Signatures (n is the batch size; code inputs and outputs are named after the
LatentSpec's codes, e.g. cat0, cont0, cont1; images are float32 in [0, 1]):

    generate (also serving_default)
        z float32 [n, noise_dim], <categorical> int32 ids [n], <continuous> float32 [n]
        -> images float32 [n, H, W, C]
    generate_from_seed
        seed int64 [n] and the codes as above -> images [n, H, W, C]; row i's noise is
        z_i = tf.random.stateless_uniform([1, noise_dim], seed=[seed_i, 0], minval=-1, maxval=1)[0]
        for the "uniform" noise prior, tf.random.stateless_normal([1, noise_dim], seed=[seed_i, 0])[0]
        for "normal" (int64 seed pair, TF's default stateless algorithm: Philox on CPU and GPU),
        so a seed gives the same image whatever the other rows are
    encode
        images [n, H, W, C] -> <categorical>_probs float32 [n, k], <categorical>_id int32 [n],
                               <continuous>_mean float32 [n], <continuous>_stddev float32 [n]
    discriminate
        images [n, H, W, C] -> p_real float32 [n]
    score (only when exported with an anomaly scorer, `keras_infogan.anomaly`)
        images [n, H, W, C] -> <signal> float32 [n] for each of the scorer's signals,
                               anomaly float32 [n] (higher = more anomalous)

Bad requests raise InvalidArgumentError naming the input: a wrong rank or inner
shape (checked in the graph, since TF Serving does not check request shapes
against the signature), a categorical id out of range, a non-finite z or
continuous code, images outside [0, 1], or inputs of different batch sizes.
The graph uses only stock TensorFlow ops (TFP lowers to them at trace time), so
TF Serving loads it without this package or TFP.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import keras
import tensorflow as tf

from keras_infogan.codes import LatentSpec
from keras_infogan.data import unscale_images
from keras_infogan.distribute import is_chief

if TYPE_CHECKING:
    from keras_infogan.anomaly import AnomalyScorer
    from keras_infogan.model import InfoGAN

SIGNATURES = ("generate", "generate_from_seed", "encode", "discriminate")
SCORE_SIGNATURE = "score"


def export_serving(model: InfoGAN, path: str | os.PathLike, version: int | None = None,
                   scorer: AnomalyScorer | None = None) -> Path | None:
    """Write `model` as a TF Serving SavedModel to `path/<version>/`; return that folder.

    Under multi-worker training call it on every worker: only the chief writes
    `path` (the others write to a temporary folder, deleted at once, and return None).

    Args:
        model: an InfoGAN (trained or not).
        path: the model folder TF Serving watches (`--model_base_path`).
        version: positive int; default 1 + the largest integer folder in `path` (1 if none).
        scorer: an `AnomalyScorer` of `model`: adds the `score` signature.

    Raises:
        ValueError: bad version, or `path/<version>` already exists.

    The SavedModel is written to a hidden sibling folder and renamed into place,
    so a failed export leaves no partial version for TF Serving to load.
    """
    if not is_chief(model.distribute_strategy):
        with tempfile.TemporaryDirectory(prefix="keras_infogan_export_") as scratch:
            _archive(model, scorer).write_out(scratch, verbose=False)  # same reads as the chief's export
        return None
    path = Path(path)
    version = _next_version(path) if version is None else version
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"version must be a positive int, got {version!r}")
    target = path / str(version)
    if target.exists():
        raise ValueError(f"{target} already exists; choose another version or remove it")
    staging = path / f".{version}.partial-{uuid.uuid4().hex[:8]}"  # not an integer: TF Serving ignores it
    try:
        _archive(model, scorer).write_out(str(staging), verbose=False)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _next_version(path: Path) -> int:
    """1 + the largest integer-named folder in `path`, or 1."""
    versions = [int(p.name) for p in path.glob("*") if p.is_dir() and p.name.isdigit()]
    return max(versions, default=0) + 1


def _archive(model: InfoGAN, scorer: AnomalyScorer | None = None) -> keras.export.ExportArchive:
    """An ExportArchive holding the four signatures (five with a scorer); `generate` is serving_default."""
    if scorer is not None and scorer.model is not model:
        raise ValueError("the anomaly scorer was fitted to another model; fit it on this one (fit_scorer)")
    latent = model.latent_spec
    code_specs = [tf.TensorSpec([None], tf.int32 if code.kind == "categorical" else tf.float32, name=code.name)
                  for code in latent.codes]
    image_spec = tf.TensorSpec([None, *model.image_shape], tf.float32, name="images")

    def generate(z, *codes):
        z = tf.debugging.assert_all_finite(z, "z must be finite")
        return _images(model, z, _checked_codes(model, z, codes))

    def generate_from_seed(seed, *codes):
        return _images(model, _noise_from_seed(latent, seed), _checked_codes(model, seed, codes))

    def encode(images):
        params = model.q_head(_features(model, images), training=False)
        outputs = {}
        for code, code_params in zip(latent.codes, latent.split_params(params)):
            posterior = code.posterior(code_params)
            if code.kind == "categorical":
                outputs[f"{code.name}_probs"] = posterior.probs_parameter()
                outputs[f"{code.name}_id"] = posterior.mode()
            else:
                outputs[f"{code.name}_mean"] = posterior.mean()
                outputs[f"{code.name}_stddev"] = posterior.stddev()
        return outputs

    def discriminate(images):
        logits = model.d_head(_features(model, images), training=False)
        return {"p_real": tf.sigmoid(logits[:, 0])}

    def score(images):
        return scorer.score_tensors(_checked_scaled(images))

    # The first endpoint is also serving_default. The model is not `track()`ed:
    # add_endpoint already saves every variable the endpoints use, and track()
    # would save each one a second time (keras-team/keras#23553: 2x the size on
    # disk and in TF Serving's memory).
    archive = keras.export.ExportArchive()
    for name, fn, specs in [
            ("generate", generate, [tf.TensorSpec([None, latent.noise_dim], tf.float32, name="z"), *code_specs]),
            ("generate_from_seed", generate_from_seed, [tf.TensorSpec([None], tf.int64, name="seed"), *code_specs]),
            ("encode", encode, [image_spec]),
            ("discriminate", discriminate, [image_spec]),
            *([(SCORE_SIGNATURE, score, [image_spec])] if scorer is not None else [])]:
        archive.add_endpoint(name, _with_shape_checks(fn, specs), specs)
    return archive


def _with_shape_checks(fn, specs: list[tf.TensorSpec]):
    """`fn` with each input's shape checked when the graph runs: TF Serving feeds
    request tensors without checking them against the signature. A bad shape
    raises "Shape of tensor _arg_generate_z_0_3 [4] is not compatible with
    expected shape [?,62]" (the tensor's name holds the signature and input)."""
    def checked(*inputs):
        return fn(*[tf.ensure_shape(x, spec.shape) for x, spec in zip(inputs, specs)])

    return checked


def _noise_from_seed(spec: LatentSpec, seed: tf.Tensor) -> tf.Tensor:
    """Noise z [n, noise_dim] from int64 seeds [n]: row i is
    `spec.sample_noise(1, [seed[i], 0])[0]` (the derivation in the module docstring)."""
    def row(row_seed):
        return spec.sample_noise(1, tf.stack([row_seed, tf.zeros_like(row_seed)]))[0]

    return tf.map_fn(row, seed, fn_output_signature=tf.TensorSpec([spec.noise_dim], tf.float32))


def _images(model: InfoGAN, z: tf.Tensor, codes: list[tf.Tensor]) -> dict:
    """{"images": [n, H, W, C] in [0, 1]} from z [n, noise_dim] and checked codes."""
    latent = model.latent_spec.generator_input(z, codes)
    return {"images": unscale_images(model.generator(latent, training=False))}


def _checked_codes(model: InfoGAN, rows: tf.Tensor, codes) -> list[tf.Tensor]:
    """The code inputs [n], each asserted to match `rows` in batch size and to be valid."""
    checked = []
    for code, values in zip(model.latent_spec.codes, codes):
        asserts = [tf.debugging.assert_equal(tf.shape(values)[0], tf.shape(rows)[0],
                                             message=f"{code.name} must have one value per row of the batch")]
        if code.kind == "categorical":
            message = f"{code.name} must be in [0, {code.num_categories - 1}]"
            asserts += [tf.debugging.assert_greater_equal(values, 0, message=message),
                        tf.debugging.assert_less(values, code.num_categories, message=message)]
        else:
            values = tf.debugging.assert_all_finite(values, f"{code.name} must be finite")
        with tf.control_dependencies(asserts):
            checked.append(tf.identity(values))
    return checked


def _features(model: InfoGAN, images: tf.Tensor) -> tf.Tensor:
    """Inference-mode trunk features [n, feature_dim] of images [n, H, W, C] in [0, 1]."""
    return model.trunk(_checked_scaled(images), training=False)


def _checked_scaled(images: tf.Tensor) -> tf.Tensor:
    """Images [n, H, W, C] in [0, 1], asserted so, scaled to the networks' [-1, 1]."""
    message = "images must be in [0, 1]"
    with tf.control_dependencies([tf.debugging.assert_greater_equal(images, 0.0, message=message),
                                  tf.debugging.assert_less_equal(images, 1.0, message=message)]):
        return images * 2.0 - 1.0
