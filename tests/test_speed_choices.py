"""Settings chosen for speed: jit_compile="auto" (keras_infogan.xla_choice) and the sampled per-epoch scores."""

import csv
import dataclasses
import json

import numpy as np
import pytest

from keras_infogan import TrainConfig, build_model, train
from keras_infogan import xla_choice
from keras_infogan.xla_choice import XLA_CHOICE_FILE, choose_jit_compile


def _forbid(*args, **kwargs):
    raise AssertionError("measured although it should not have")


def _choose(tmp_path, rates=None, resuming=False, replicas=1, steps=5000, jit="auto", monkeypatch=None):
    if monkeypatch is not None:
        monkeypatch.setattr(xla_choice, "measure_step_rates", (lambda *a: rates) if rates else _forbid)
    lines = []
    chosen = choose_jit_compile(TrainConfig(jit_compile=jit), _forbid, np.zeros((1, 28, 28, 1), np.uint8),
                                replicas, steps, tmp_path, resuming=resuming, log=lines.append)
    return chosen, lines


def test_a_bool_is_kept_and_nothing_is_recorded(tmp_path, monkeypatch):
    assert _choose(tmp_path, jit=True, monkeypatch=monkeypatch)[0] is True
    assert _choose(tmp_path, jit=False, monkeypatch=monkeypatch)[0] is False
    assert not (tmp_path / XLA_CHOICE_FILE).exists()


@pytest.mark.parametrize("xla, chosen", [(457.0, True), (1.05 * 440.0, True), (1.02 * 440.0, False),
                                         (214.0, False)])
def test_xla_is_chosen_only_when_measured_faster_by_the_margin(tmp_path, monkeypatch, xla, chosen):
    result, lines = _choose(tmp_path, rates={"plain": 440.0, "xla": xla}, monkeypatch=monkeypatch)
    assert result is chosen
    record = json.loads((tmp_path / XLA_CHOICE_FILE).read_text())
    assert record["jit_compile"] is chosen and record["images_per_s"] == {"plain": 440.0, "xla": xla}
    assert len(lines) == 1 and lines[0].startswith(f"jit_compile auto: {'XLA' if chosen else 'plain'} step")
    assert f"XLA {xla:.0f} images/s, plain 440 images/s" in lines[0]


def test_short_runs_and_several_replicas_are_not_measured_or_recorded(tmp_path, monkeypatch):
    chosen, lines = _choose(tmp_path, steps=999, monkeypatch=monkeypatch)
    assert chosen is False and "999 steps, fewer than 1000" in lines[0]
    chosen, lines = _choose(tmp_path, replicas=2, resuming=True, monkeypatch=monkeypatch)
    assert chosen is False and "2 replicas" in lines[0]
    assert not (tmp_path / XLA_CHOICE_FILE).exists()  # the config alone decides: nothing to record


def test_a_resumed_run_keeps_the_recorded_choice_without_measuring(tmp_path, monkeypatch):
    _choose(tmp_path, rates={"plain": 100.0, "xla": 200.0}, monkeypatch=monkeypatch)
    chosen, lines = _choose(tmp_path, resuming=True, monkeypatch=monkeypatch)  # measuring would raise
    assert chosen is True and "as chosen when this run started" in lines[0]


def test_a_resume_without_a_record_measures_again_and_says_so(tmp_path, monkeypatch):
    chosen, lines = _choose(tmp_path, rates={"plain": 100.0, "xla": 90.0}, resuming=True, monkeypatch=monkeypatch)
    assert chosen is False and "may differ" in lines[0]


def test_bad_jit_compile_values_are_refused():
    for bad in ("yes", 1, None):
        with pytest.raises(ValueError, match="jit_compile must be True, False or 'auto'"):
            TrainConfig(jit_compile=bad)


def test_measure_times_both_settings_on_the_run_images(tiny_mnist_dir):
    """The timing loop: one throwaway model per setting, each stepped on the run's images."""
    from keras_infogan.data import load_images

    built = []

    def build(config):  # records the setting; compiles without XLA to keep the test short
        built.append(config.jit_compile)
        return build_model(dataclasses.replace(config, jit_compile=False))

    images = load_images("mnist", "train", data_dir=str(tiny_mnist_dir)).images
    rates = xla_choice.measure_step_rates(TrainConfig(batch_size=16), build, images)
    assert built == [False, True] and set(rates) == {"plain", "xla"}
    assert all(np.isfinite(rate) and rate > 0 for rate in rates.values())


def test_measuring_does_not_change_the_run(tiny_mnist_dir, tmp_path, monkeypatch):
    """A run that measured (drawing random numbers, building models) ends with the weights
    of the same run with jit_compile=False, and records its choice."""
    def measure(config, build, images):
        build(dataclasses.replace(config, jit_compile=False))  # consumes the global RNG as a real one would
        return {"plain": 300.0, "xla": 100.0}

    monkeypatch.setattr(xla_choice, "MIN_STEPS", 1)
    monkeypatch.setattr(xla_choice, "measure_step_rates", measure)
    config = TrainConfig(data_dir=str(tiny_mnist_dir), epochs=1, batch_size=64, eval_split=None)
    auto = train(config, tmp_path / "auto", verbose=0)
    plain = train(dataclasses.replace(config, jit_compile=False), tmp_path / "plain", verbose=0)
    assert json.loads((tmp_path / "auto" / XLA_CHOICE_FILE).read_text())["jit_compile"] is False
    assert json.loads((tmp_path / "auto" / "config.json").read_text())["jit_compile"] == "auto"
    for a, b in zip(auto.generator.get_weights(), plain.generator.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_epochs_before_the_last_are_scored_on_the_sample(tiny_mnist_dir, tmp_path):
    config = TrainConfig(data_dir=str(tiny_mnist_dir), epochs=3, batch_size=64, eval_split="test", eval_images=40)
    train(config, tmp_path / "run", verbose=0)
    rows = list(csv.DictReader((tmp_path / "run" / "metrics.csv").open()))
    assert [row["eval_images"] for row in rows] == ["40", "40", "64"]  # the tiny test split has 64 images
    for row in rows:
        assert 0 <= float(row["eval_acc_cat0"]) <= 1 and -1 <= float(row["eval_ari_cat0"]) <= 1


def test_the_sample_is_fixed_and_a_negative_size_refused(tiny_mnist_dir):
    from keras_infogan.callbacks import ClusteringScores

    images, labels = np.zeros((100, 28, 28, 1), np.uint8), np.arange(100) % 10
    first, second = ClusteringScores(images, labels, sample=30), ClusteringScores(images, labels, sample=30)
    np.testing.assert_array_equal(first.sample, second.sample)
    assert len(set(first.sample)) == 30 and ClusteringScores(images, labels, sample=0).sample is None
    assert ClusteringScores(images, labels, sample=100).sample is None
    with pytest.raises(ValueError, match="sample must be >= 0"):
        ClusteringScores(images, labels, sample=-1)
    with pytest.raises(ValueError, match="eval_images must be >= 0"):
        TrainConfig(eval_images=-1)


@pytest.mark.parametrize("flags, expected", [([], "auto"), (["--jit-compile"], True), (["--no-jit-compile"], False)])
def test_cli_jit_compile_flags(flags, expected):
    from keras_infogan.__main__ import _config_from_args, _parser

    args = _parser().parse_args(["train", "--out", "run"] + flags)
    assert _config_from_args(args).jit_compile == expected
