"""Restart criteria: the consistency criterion's known answers, and a restarts run that keeps its winner as it is."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from keras_infogan import TrainConfig, train
from keras_infogan.presets import preset_config
from keras_infogan.restart_criteria import CRITERIA, check_settings, last_epoch_consistency
from keras_infogan.restarts import restarts_summary
from keras_infogan.run_folder import RunFolderError


def _write_metrics(folder, rows):
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "metrics.csv").open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=["epoch", "d_loss", "q_consistency"])
        writer.writeheader()
        writer.writerows(rows)


def test_the_consistency_measure_is_the_kl_of_the_starts_last_epoch_and_the_lowest_wins(tmp_path):
    kls = [0.41, 0.19, 0.27]
    for k, kl in enumerate(kls):  # epoch 2 (row 1) is the start's last; row 0's KL must not be read
        _write_metrics(tmp_path / str(k), [dict(epoch=0, d_loss=1.0, q_consistency=0.01),
                                           dict(epoch=1, d_loss=1.0, q_consistency=kl)])
    criterion = CRITERIA["consistency"]
    measures = [criterion.measure(None, tmp_path / str(k), 2, None) for k in range(3)]
    assert measures == kls
    scores = criterion.score(measures)
    assert int(np.argmax(scores)) == 1 and scores == [-0.41, -0.19, -0.27]


@pytest.mark.parametrize("rows, match", [
    ([dict(epoch=0, d_loss=1.0, q_consistency=0.2)], "no q_consistency for epoch 2"),  # stopped early
    ([dict(epoch=1, d_loss=1.0, q_consistency="")], "no q_consistency for epoch 2.*consistency term"),
    ([dict(epoch=1, d_loss=1.0, q_consistency="nan")], "q_consistency of epoch 2 is nan"),
])
def test_a_start_without_a_usable_kl_is_one_clear_error(tmp_path, rows, match):
    _write_metrics(tmp_path, rows)
    with pytest.raises(ValueError, match=match):
        last_epoch_consistency(tmp_path, 2)
    with pytest.raises(ValueError, match="no q_consistency"):
        last_epoch_consistency(tmp_path / "missing", 2)


def test_criterion_settings_are_checked_by_name():
    check_settings("consistency", 2, 1.0)  # two starts are enough: the KL needs no other start
    check_settings("consistency", 1, 0.0)  # no restarts: nothing to score
    with pytest.raises(ValueError, match="at least 3 with the consensus criterion"):
        check_settings("consensus", 2, 1.0)
    with pytest.raises(ValueError, match="needs --consistency > 0, got 0.0"):
        check_settings("consistency", 3, 0.0)


def test_the_mnist_preset_trains_restarts_unless_a_length_is_named():
    default = preset_config("mnist")
    assert (default.restarts, default.restart_epochs, default.epochs, default.restart_criterion) == (
        5, 10, 50, "consistency")
    assert preset_config("mnist", epochs=5).restarts == 1  # 5 epochs, not 5 starts of 10
    assert preset_config("mnist", epochs=60, restarts=5).restarts == 5
    probe = preset_config("mnist", baseline="probe")  # no consistency term to score starts by: one run
    assert (probe.restarts, probe.epochs, probe.consistency) == (1, 50, 0.0)
    with pytest.raises(ValueError, match="--restarts 1"):
        preset_config("mnist", epochs=20, restarts=5)


@pytest.fixture(scope="module")
def kept(tiny_mnist_dir, tmp_path_factory):
    """Two starts of 1 epoch scored by their KL; the run is 2 epochs, so the winner is kept as it is."""
    config = TrainConfig(data_dir=str(tiny_mnist_dir), epochs=2, batch_size=32, eval_split="test[:32]", restarts=2,
                         restart_epochs=1, restart_criterion="consistency", consistency=1.0, jit_compile=False)
    workdir = tmp_path_factory.mktemp("kept") / "run"
    return config, workdir, train(config, workdir, verbose=0)


def test_the_lowest_kl_start_is_kept_with_its_figures(kept):
    config, workdir, model = kept
    state = json.loads((workdir / "restarts.json").read_text())
    logged = [float(next(csv.DictReader((workdir / "starts" / str(k) / "metrics.csv").open()))["q_consistency"])
              for k in range(2)]
    assert [start["q_consistency"] for start in state["starts"]] == pytest.approx(logged, rel=1e-6)
    assert state["winner"] == int(np.argmin(logged)) and state["criterion"] == "consistency"
    assert state["winner_epochs"] == 1 and state["copied"]
    summary = restarts_summary(workdir)
    assert summary["scores"] == pytest.approx([-kl for kl in logged]) and summary["steps_of_starts"] == 8
    winner = workdir / "starts" / str(state["winner"])
    assert (workdir / "metrics.csv").read_text() == (winner / "metrics.csv").read_text()
    from keras_infogan.loading import load_infogan

    for a, b in zip(model.variables, load_infogan(winner / "model.keras").variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_a_finished_kept_run_is_refused(kept):
    config, workdir, _ = kept
    with pytest.raises(RunFolderError, match="finished run"):
        train(config, workdir, verbose=0)


def test_a_crash_after_a_finished_start_keeps_it_and_ends_as_the_uninterrupted_run(kept, tmp_path, monkeypatch):
    """Kept-as-is starts are whole runs (each ends with model.keras): after a crash in start 1, the
    next call must keep start 0 as it is, not refuse it as a finished run nor train it again."""
    import shutil

    from keras_infogan import loading

    config, workdir, model = kept
    crashed = tmp_path / "crashed"
    shutil.copytree(workdir / "starts" / "0", crashed / "starts" / "0")
    logged = (crashed / "starts" / "0" / "metrics.csv").read_text()
    loaded, load = [], loading.load_infogan
    monkeypatch.setattr(loading, "load_infogan", lambda path, *args, **kwargs: loaded.append(Path(path)) or load(
        path, *args, **kwargs))
    resumed = train(config, crashed, verbose=0)
    assert loaded == [crashed / "model.keras"]  # the KL is read from metrics.csv: no start's model is loaded
    assert (crashed / "starts" / "0" / "metrics.csv").read_text() == logged
    state, first = (json.loads((folder / "restarts.json").read_text()) for folder in (crashed, workdir))
    assert state["winner"] == first["winner"]
    for a, b in zip(model.variables, resumed.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    other = tmp_path / "other" / "starts" / "0"  # a finished start of another config is refused, not kept
    shutil.copytree(workdir / "starts" / "0", other)
    (other / "config.json").write_text(json.dumps(dict(json.loads((other / "config.json").read_text()), seed=7)))
    with pytest.raises(RunFolderError, match="holds a start with a different config.*seed"):
        train(config, tmp_path / "other", verbose=0)
