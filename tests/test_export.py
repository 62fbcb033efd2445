"""SavedModel export for TF Serving: a process without keras_infogan or TFP serves
the same answers as the Keras model, the README's requests work, the graph holds
only stock ops, and bad requests fail naming the input."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_infogan import InfoGAN, LatentSpec, Uniform, mnist_spec
from keras_infogan import export
from keras_infogan.__main__ import main
from keras_infogan.anomaly import SCORER_FILE, fit_scorer

README = Path(__file__).resolve().parents[1] / "README.md"
N = 4
SEEDS = np.array([0, 1, 123_456_789_012, -7], np.int64)

# Serves the export in a fresh interpreter where importing keras_infogan or TFP is an error.
SERVE_SCRIPT = Path(__file__).resolve().parent / "serving" / "serve_without_package.py"


def _batch_norm_layers(model):
    return [layer for net in (model.generator, model.trunk, model.q_head) for layer in net.layers
            if isinstance(layer, keras.layers.BatchNormalization)]


@pytest.fixture(scope="module")
def model():
    """Untrained MNIST InfoGAN with learned sigma; random BN moving statistics, so
    inference mode (used by every signature) differs clearly from training mode."""
    keras.utils.set_random_seed(0)
    model = InfoGAN(mnist_spec(learn_stddev=True))
    rng = np.random.default_rng(0)
    for layer in _batch_norm_layers(model):
        shape = layer.moving_mean.shape
        layer.moving_mean.assign(rng.normal(0.0, 0.3, shape).astype("float32"))
        layer.moving_variance.assign(rng.uniform(0.5, 2.0, shape).astype("float32"))
    return model


@pytest.fixture(scope="module")
def scorer(model):
    """An anomaly scorer of the model, fitted on 64 random images."""
    images = np.random.default_rng(3).integers(0, 256, (64, 28, 28, 1), dtype=np.uint8)
    return fit_scorer(model, images, log=lambda line: None)


@pytest.fixture(scope="module")
def export_dir(model, scorer, tmp_path_factory) -> Path:
    return model.export_serving(tmp_path_factory.mktemp("saved_models") / "tiny", scorer=scorer)


@pytest.fixture(scope="module")
def loaded(export_dir):
    return tf.saved_model.load(str(export_dir))


def _valid(signature: str, n: int = N) -> dict:
    """Valid inputs of `signature` for n rows."""
    codes = {"cat0": np.zeros(n, np.int32), "cont0": np.zeros(n, np.float32), "cont1": np.zeros(n, np.float32)}
    images = {"images": np.full((n, 28, 28, 1), 0.5, np.float32)}
    return {"generate": {"z": np.zeros((n, 62), np.float32), **codes},
            "generate_from_seed": {"seed": np.arange(n, dtype=np.int64), **codes},
            "encode": images, "discriminate": images, "score": images}[signature]


def _bad_shape(signature: str, name: str, shape: str, expected: str) -> str:
    """TF Serving's message for a request tensor of the wrong shape (its name holds the input's)."""
    return rf"Shape of tensor \S*{signature}_{name}\S* \[{shape}\] is not compatible with expected shape \[{expected}\]"


# label: (signature, inputs replacing valid ones, regex the error message must match)
BAD_REQUESTS = {
    "z_rank": ("generate", {"z": np.zeros(N, np.float32)}, _bad_shape("generate", "z", "4", r"\?,62")),
    "z_width": ("generate", {"z": np.zeros((N, 61), np.float32)}, _bad_shape("generate", "z", "4,61", r"\?,62")),
    "cat0_column": ("generate", {"cat0": np.zeros((N, 1), np.int32)}, _bad_shape("generate", "cat0", "4,1", r"\?")),
    "images_rank": ("encode", {"images": np.zeros((N, 28, 28), np.float32)},
                    _bad_shape("encode", "images", "4,28,28", r"\?,28,28,1")),
    "images_size": ("discriminate", {"images": np.zeros((N, 32, 32, 1), np.float32)},
                    _bad_shape("discriminate", "images", "4,32,32,1", r"\?,28,28,1")),
    "cat0_high": ("generate", {"cat0": np.array([0, 1, 10, 2], np.int32)}, r"cat0 must be in \[0, 9\]"),
    "cat0_negative": ("generate_from_seed", {"cat0": np.array([-1, 0, 0, 0], np.int32)}, r"cat0 must be in \[0, 9\]"),
    "cont1_nan": ("generate", {"cont1": np.array([0, np.nan, 0, 0], np.float32)}, "cont1 must be finite"),
    "cont0_inf": ("generate_from_seed", {"cont0": np.full(N, -np.inf, np.float32)}, "cont0 must be finite"),
    "z_inf": ("generate", {"z": np.full((N, 62), np.inf, np.float32)}, "z must be finite"),
    "cont0_rows": ("generate", {"cont0": np.zeros(N - 1, np.float32)}, "cont0 must have one value per row"),
    "seed_rows": ("generate_from_seed", {"seed": np.arange(N + 1)}, "cat0 must have one value per row"),
    "images_high": ("encode", {"images": np.full((N, 28, 28, 1), 1.5, np.float32)}, r"images must be in \[0, 1\]"),
    "images_negative": ("discriminate", {"images": np.full((N, 28, 28, 1), -0.5, np.float32)},
                        r"images must be in \[0, 1\]"),
    "images_nan": ("encode", {"images": np.full((N, 28, 28, 1), np.nan, np.float32)}, r"images must be in \[0, 1\]"),
    "score_images_high": ("score", {"images": np.full((N, 28, 28, 1), 1.5, np.float32)}, r"images must be in \[0, 1\]"),
    "score_images_size": ("score", {"images": np.zeros((N, 28, 27, 1), np.float32)},
                          _bad_shape("score", "images", "4,28,27,1", r"\?,28,28,1")),
}


@pytest.fixture(scope="module")
def good_calls() -> dict:
    """Signature inputs by call label: {label: (signature, {input name: array})}."""
    rng = np.random.default_rng(1)
    codes = {"cat0": np.array([0, 3, 7, 9], np.int32),
             "cont0": rng.uniform(-2, 2, N).astype("float32"),
             "cont1": rng.uniform(-2, 2, N).astype("float32")}
    images = rng.uniform(0, 1, (N, 28, 28, 1)).astype("float32")
    images[0, 0, 0, 0], images[0, 0, 1, 0] = 0.0, 1.0  # the range's ends are accepted
    z = rng.uniform(-1, 1, (N, 62)).astype("float32")
    return {"generate": ("generate", {"z": z, **codes}),
            "serving_default": ("serving_default", {"z": z, **codes}),
            "generate_from_seed": ("generate_from_seed", {"seed": SEEDS, **codes}),
            "generate_from_seed_first": ("generate_from_seed", {"seed": SEEDS[:1],
                                                                **{k: v[:1] for k, v in codes.items()}}),
            "encode": ("encode", {"images": images}),
            "discriminate": ("discriminate", {"images": images}),
            "score": ("score", {"images": images})}


@pytest.fixture(scope="module")
def served(export_dir, good_calls, tmp_path_factory):
    """(outputs {"<label>/<output>": array} of the good calls, report) from a fresh process."""
    folder = tmp_path_factory.mktemp("served")
    session_calls = {"valid": ("generate", _valid("generate"))}
    session_calls.update({label: (signature, {**_valid(signature), **bad})
                          for label, (signature, bad, _) in BAD_REQUESTS.items()})
    arrays = {f"{label}/{name}": value for calls in (good_calls, session_calls)
              for label, (_, inputs) in calls.items() for name, value in inputs.items()}
    np.savez(folder / "inputs.npz", **arrays)
    (folder / "calls.json").write_text(json.dumps(
        {"good": {label: signature for label, (signature, _) in good_calls.items()},
         "session": {label: signature for label, (signature, _) in session_calls.items()}}))
    result = subprocess.run(
        [sys.executable, str(SERVE_SCRIPT), str(export_dir), *(str(folder / f) for f in
                                                                ("calls.json", "inputs.npz", "outputs.npz"))],
        capture_output=True, text=True, timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return dict(np.load(folder / "outputs.npz")), report


def _codes(good_calls, label):
    return [good_calls[label][1][name] for name in ("cat0", "cont0", "cont1")]


def test_exports_tf_serving_layout(export_dir):
    assert export_dir.name == "1"
    assert (export_dir / "saved_model.pb").is_file() and (export_dir / "variables").is_dir()
    assert not [p.name for p in export_dir.parent.iterdir() if p.name.startswith(".")]  # no staging left


def test_every_weight_is_stored_once(model, export_dir):
    """keras-team/keras#23553: a track()ed model would store each variable twice."""
    reader = tf.train.load_checkpoint(str(export_dir / "variables" / "variables"))
    stored = sum(int(np.prod(shape)) for name, shape in reader.get_variable_to_shape_map().items()
                 if name != "_CHECKPOINTABLE_OBJECT_GRAPH")
    assert stored == model.count_params()  # every weight, BN moving statistics included


def test_serving_needs_no_keras_infogan_tfp_or_custom_ops(served):
    _, report = served
    assert report["forbidden_modules"] == []
    assert report["unregistered_ops"] == []
    assert {"Conv2D", "StatelessRandomUniformV2", "Softmax"} <= set(report["ops"])


def test_generate_matches_the_keras_model(model, good_calls, served):
    outputs, _ = served
    expected = (model.generate(good_calls["generate"][1]["z"], _codes(good_calls, "generate")) + 1) / 2
    for call in ("generate", "serving_default"):
        assert outputs[f"{call}/images"].dtype == np.float32
        np.testing.assert_allclose(outputs[f"{call}/images"], expected, atol=1e-5)
    assert expected.std() > 0.01  # the comparison is not between two constant images


def test_generate_from_seed_draws_the_documented_noise_per_row(model, good_calls, served):
    outputs, _ = served
    z = np.stack([tf.random.stateless_uniform([1, 62], seed=tf.constant([s, 0], tf.int64),
                                              minval=-1.0, maxval=1.0)[0] for s in SEEDS])
    expected = (model.generate(z, _codes(good_calls, "generate_from_seed")) + 1) / 2
    np.testing.assert_allclose(outputs["generate_from_seed/images"], expected, atol=1e-5)
    # A seed's image does not depend on the rest of the batch (up to batched-matmul rounding).
    np.testing.assert_allclose(outputs["generate_from_seed_first/images"],
                               outputs["generate_from_seed/images"][:1], atol=1e-6)


def test_noise_from_seed_follows_the_normal_prior_too():
    spec = LatentSpec(noise_dim=5, codes=(Uniform(),), noise="normal")
    expected = np.stack([tf.random.stateless_normal([1, 5], seed=tf.constant([s, 0], tf.int64))[0]
                         for s in SEEDS])
    np.testing.assert_array_equal(export._noise_from_seed(spec, tf.constant(SEEDS)), expected)


def test_encode_matches_the_q_posterior(model, good_calls, served):
    outputs, _ = served
    expected = model.encode(good_calls["encode"][1]["images"] * 2 - 1)
    np.testing.assert_allclose(outputs["encode/cat0_probs"], expected["cat0"]["probs"], atol=1e-5)
    assert outputs["encode/cat0_id"].dtype == np.int32
    np.testing.assert_array_equal(outputs["encode/cat0_id"], expected["cat0"]["probs"].argmax(-1))
    for name in ("cont0", "cont1"):
        for stat in ("mean", "stddev"):
            np.testing.assert_allclose(outputs[f"encode/{name}_{stat}"], expected[name][stat], atol=1e-5)
    assert np.ptp(outputs["encode/cont0_stddev"]) > 0  # learned sigma, not the constant 1


def test_discriminate_is_the_d_heads_probability(model, good_calls, served):
    outputs, _ = served
    logits = model.d_head.predict(model.features(good_calls["discriminate"][1]["images"] * 2 - 1), verbose=0)
    np.testing.assert_allclose(outputs["discriminate/p_real"], tf.sigmoid(logits[:, 0]), atol=1e-5)


def test_score_matches_the_anomaly_scorer(scorer, good_calls, served):
    outputs, _ = served
    expected = scorer.score(good_calls["score"][1]["images"] * 2 - 1)
    assert sorted(expected) == sorted(["discriminator", "q_entropy", "kmeans_distance", "feature_gaussian",
                                       "anomaly"])
    for name, values in expected.items():
        np.testing.assert_allclose(outputs[f"score/{name}"], values, rtol=1e-4, atol=1e-4)
        assert np.ptp(values) > 0  # the images get different scores


# ---- the README's requests, as TF Serving's REST API would run them ----

# The README's jq filters, and what each does to a TF Serving response.
JQ_FILTERS = {
    '{signature_name: "encode", instances: [.predictions[] | {images: .}]}':
        lambda response: {"signature_name": "encode",
                          "instances": [{"images": image} for image in response["predictions"]]},
    '{signature_name: "encode", inputs: {images: .outputs}}':
        lambda response: {"signature_name": "encode", "inputs": {"images": response["outputs"]}},
}


def _readme_pipelines() -> list:
    """[(first JSON request body, [jq filters its response goes through])] per curl command."""
    section = README.read_text().split("## Serving with TF Serving\n")[1].split("\n## ")[0]
    pipelines = []
    for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S):
        bodies = re.findall(r"-d '(.*?)'", block, flags=re.S)
        if bodies:
            pipelines.append((json.loads(bodies[0]), re.findall(r"jq -c '(.*?)'", block)))
    return pipelines


def _tensor(value, spec: tf.TensorSpec) -> tf.Tensor:
    """A JSON value as TF Serving types it: ints only for int inputs, numbers for floats."""
    array = np.asarray(value)
    allowed = "iu" if spec.dtype.is_integer else "iuf"
    assert array.dtype.kind in allowed, f"TF Serving refuses {array.dtype} values for {spec.name} ({spec.dtype.name})"
    return tf.constant(array.astype(spec.dtype.as_numpy_dtype))


def _rest_predict(loaded, body: dict) -> dict:
    """POST /v1/models/NAME:predict: row ("instances") or column ("inputs") format in and out."""
    signature = loaded.signatures[body.get("signature_name", "serving_default")]
    specs = signature.structured_input_signature[1]
    if "instances" in body:
        rows = body["instances"]
        assert all(set(row) == set(specs) for row in rows), "every instance must name every input"
        columns = {name: [row[name] for row in rows] for name in specs}
    else:
        columns = body["inputs"]
        assert set(columns) == set(specs), f"inputs {sorted(columns)} != signature inputs {sorted(specs)}"
    outputs = {name: value.numpy().tolist()
               for name, value in signature(**{name: _tensor(v, specs[name]) for name, v in columns.items()}).items()}
    single = next(iter(outputs.values())) if len(outputs) == 1 else None
    if "instances" not in body:
        return {"outputs": single if single is not None else outputs}
    return {"predictions": [single[i] if single is not None else {name: value[i] for name, value in outputs.items()}
                            for i in range(len(body["instances"]))]}


def test_readme_requests_are_accepted_in_both_rest_formats(loaded):
    pipelines = _readme_pipelines()
    assert [body["signature_name"] for body, _ in pipelines] == ["generate", "generate_from_seed"]
    assert ["instances" in body for body, _ in pipelines] == [True, False]
    for body, filters in pipelines:
        n = len(body["instances"]) if "instances" in body else len(body["inputs"]["seed"])
        response = _rest_predict(loaded, body)
        images = np.array(response["predictions"] if "instances" in body else response["outputs"])
        assert images.shape == (n, 28, 28, 1) and images.min() >= 0 and images.max() <= 1
        assert filters and all(f in JQ_FILTERS for f in filters), f"README jq filters changed: {filters}"
        for jq_filter in filters:
            response = _rest_predict(loaded, JQ_FILTERS[jq_filter](response))
        encoded = response["predictions"] if "instances" in body else [
            {name: values[i] for name, values in response["outputs"].items()} for i in range(n)]
        assert len(encoded) == n
        for row in encoded:
            assert sorted(row) == ["cat0_id", "cat0_probs", "cont0_mean", "cont0_stddev",
                                   "cont1_mean", "cont1_stddev"]
            assert len(row["cat0_probs"]) == 10 and 0 <= row["cat0_id"] <= 9


# ---- bad requests, fed as TF Serving feeds them ----

def test_a_valid_request_passes_the_checks(served):
    assert served[1]["errors"]["valid"] is None


@pytest.mark.parametrize("label", sorted(BAD_REQUESTS))
def test_bad_requests_fail_naming_the_input(served, label):
    message = served[1]["errors"][label]
    assert message is not None, f"{label}: the bad request was answered"
    assert re.search(BAD_REQUESTS[label][2], message), message


# ---- versions and the command line ----

def test_versions_increment_and_are_never_overwritten(model, export_dir, monkeypatch):
    folder = export_dir.parent
    with pytest.raises(ValueError, match="already exists"):
        model.export_serving(folder, version=1)
    for bad in (0, -1, True, "2"):
        with pytest.raises(ValueError, match="positive int"):
            model.export_serving(folder, version=bad)
    assert model.export_serving(folder) == folder / "2"

    class FailingArchive:
        def write_out(self, path, verbose):
            Path(path).mkdir()
            (Path(path) / "saved_model.pb").write_bytes(b"half written")
            raise RuntimeError("disk full")

    monkeypatch.setattr(export, "_archive", lambda model, scorer=None: FailingArchive())
    with pytest.raises(RuntimeError, match="disk full"):
        model.export_serving(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["1", "2"]  # no version 3, no partial folder


def test_cli_exports_a_saved_keras_model_with_identical_outputs(model, loaded, tmp_path, monkeypatch, capsys):
    """`export RUN` loads RUN/model.keras and writes saved_models/<run name>/<version>."""
    (tmp_path / "run").mkdir()
    model.save(tmp_path / "run" / "model.keras")
    monkeypatch.chdir(tmp_path)
    main(["export", "run", "--version", "3"])
    written = Path("saved_models/run/3")
    assert (written / "saved_model.pb").is_file()
    printed = capsys.readouterr().out
    assert str(written) in printed and "generate (serving_default), generate_from_seed, encode, discriminate" in printed

    reloaded = tf.saved_model.load(str(written))
    inputs = {**_valid("generate"), "z": np.random.default_rng(2).uniform(-1, 1, (N, 62)).astype("float32"),
              "cat0": np.array([1, 2, 3, 4], np.int32)}
    images = loaded.signatures["generate"](**inputs)["images"]
    np.testing.assert_array_equal(reloaded.signatures["generate"](**inputs)["images"], images)
    for name, value in loaded.signatures["encode"](images=images).items():
        np.testing.assert_array_equal(reloaded.signatures["encode"](images=images)[name], value)

    with pytest.raises(SystemExit, match="error: no model at"):
        main(["export", "missing_run"])


def test_cli_adds_the_score_signature_when_the_run_has_a_scorer(model, scorer, tmp_path, monkeypatch, capsys):
    (tmp_path / "run").mkdir()
    model.save(tmp_path / "run" / "model.keras")
    scorer.save(tmp_path / "run" / SCORER_FILE)
    monkeypatch.chdir(tmp_path)
    main(["export", "run"])
    assert "discriminate, score" in capsys.readouterr().out
    images = np.random.default_rng(4).uniform(0, 1, (N, 28, 28, 1)).astype("float32")
    served = tf.saved_model.load("saved_models/run/1").signatures["score"](images=tf.constant(images))
    np.testing.assert_allclose(served["anomaly"], scorer.score(images * 2 - 1)["anomaly"], rtol=1e-4, atol=1e-4)
