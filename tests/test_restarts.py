"""Restarts: the criteria, the step budget, and the continued start equal to an uninterrupted run."""

import csv
import json

import numpy as np
import pytest

from keras_infogan import TrainConfig, train
from keras_infogan.restart_criteria import consensus_scores
from keras_infogan.evaluation.plots import read_info_curve
from keras_infogan.restarts import budget_info_curve, restarts_summary, start_config, start_seed, winner_epochs
from keras_infogan.run_folder import RunFolderError

STEPS_PER_EPOCH = 8  # 256 tiny images, batch 32


def _config(data_dir, **overrides) -> TrainConfig:
    values = dict(data_dir=str(data_dir), epochs=4, batch_size=32, eval_split="test[:32]", restarts=3,
                  restart_epochs=1, jit_compile=False)
    return TrainConfig(**dict(values, **overrides))


def test_consensus_is_the_mean_nmi_with_the_other_partitions():
    same, relabeled, unrelated = np.array([0, 0, 1, 1]), np.array([1, 1, 0, 0]), np.array([0, 1, 0, 1])
    # NMI(same, relabeled) = 1 (one partition, other names); NMI with the unrelated one = 0.
    assert consensus_scores([same, relabeled, unrelated]) == pytest.approx([0.5, 0.5, 0.0])
    noisy = np.array([0, 0, 1, 0])
    scores = consensus_scores([same, relabeled, noisy, unrelated])
    assert np.argmax(scores) in (0, 1) and scores[3] < scores[2] < scores[0]
    with pytest.raises(ValueError, match="same images"):
        consensus_scores([same, np.array([0, 1])])
    with pytest.raises(ValueError, match="at least 2"):
        consensus_scores([same])


def test_the_starts_and_the_winner_spend_exactly_the_budget():
    config = TrainConfig(epochs=50, restarts=4, restart_epochs=3)
    assert winner_epochs(config) == 41  # 4 starts x 3 epochs + 38 more = 50 epochs of steps
    assert config.restarts * config.restart_epochs + winner_epochs(config) - config.restart_epochs == config.epochs
    assert [start_config(config, k).seed for k in range(4)] == [0, 1000, 2000, 3000]
    assert start_config(config, 2) == TrainConfig(epochs=41, seed=2000, restarts=1, restart_epochs=3)
    assert start_seed(1, 1) != start_seed(0, 1) and start_seed(5, 0) == 5


@pytest.mark.parametrize("values, match", [
    (dict(restarts=2), "at least 3 with the consensus criterion"),
    (dict(restarts=0), "restarts must be 1 \\(none\\) or more"),
    (dict(restarts=2, restart_criterion="consistency"), "needs --consistency > 0"),
    (dict(restarts=2, restart_criterion="medoid"), "restart_criterion must be one of"),
    (dict(restarts=3, restart_epochs=0), "restart_epochs at least 1"),
    (dict(restarts=4, restart_epochs=3, epochs=11), "leave the continued start 2 of the 11 epochs.*--restarts 1"),
    (dict(restarts=3, strategy="multiworker"), "multiworker"),
])
def test_bad_restart_settings_are_one_clear_error(values, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**values)


def test_stop_after_epoch_must_lie_inside_the_run(tiny_mnist_dir, tmp_path):
    with pytest.raises(ValueError, match=r"stop_after_epoch must be in \[1, 2\]"):
        train(_config(tiny_mnist_dir, epochs=2, restarts=1), tmp_path / "run", stop_after_epoch=3, verbose=0)
    assert not (tmp_path / "run").exists()


@pytest.fixture(scope="module")
def restarted(tiny_mnist_dir, tmp_path_factory):
    """A restarts run: 3 starts of 1 epoch, the winner continued to 2 epochs (4 epochs of steps)."""
    workdir = tmp_path_factory.mktemp("restarts") / "run"
    model = train(_config(tiny_mnist_dir), workdir, verbose=0)
    return workdir, model


def test_restarts_record_the_starts_and_continue_the_medoid(restarted, tiny_mnist_dir):
    workdir, _ = restarted
    state = json.loads((workdir / "restarts.json").read_text())
    assert [start["seed"] for start in state["starts"]] == [0, 1000, 2000]
    scores = [start["score"] for start in state["starts"]]
    assert state["criterion"] == "consensus" and restarts_summary(workdir)["scores"] == scores
    assert state["winner"] == int(np.argmax(scores)) and all(0 <= s <= 1 for s in scores)
    assert state["copied"] and state["winner_epochs"] == 2 and state["total_epochs"] == 4
    assert state["total_steps"] == 4 * STEPS_PER_EPOCH
    summary = restarts_summary(workdir)  # the evaluation report's "training steps" row adds these
    assert summary["steps_of_starts"] == 2 * STEPS_PER_EPOCH and summary["winner"] == state["winner"]
    assert restarts_summary(workdir / "starts" / "0") is None
    assert state["config"] == json.loads(json.dumps(_config(tiny_mnist_dir).__dict__))
    for k in range(3):  # every start stopped after its epoch: one metrics row, no model, its checkpoints
        start = workdir / "starts" / str(k)  # dropped once the winner was copied
        assert not (start / "checkpoints").exists() and not (start / "model.keras").exists()
        assert len(list(csv.DictReader((start / "metrics.csv").open()))) == 1
    saved = json.loads((workdir / "config.json").read_text())
    winner_seed = state["starts"][state["winner"]]["seed"]
    assert (saved["seed"], saved["epochs"], saved["restarts"]) == (winner_seed, 2, 1)
    rows = list(csv.DictReader((workdir / "metrics.csv").open()))
    assert [int(row["epoch"]) for row in rows] == [0, 1] and (workdir / "model.keras").exists()


def test_the_budget_curve_lays_every_start_end_to_end_then_the_continued_steps(restarted):
    """Each start logs L_I once (its last step, 8); the winner's own curve has steps 8 and 16.
    Over the 32-step budget: the starts at 8, 16, 24, the continuation at 32, NaN between."""
    workdir, _ = restarted
    winner = json.loads((workdir / "restarts.json").read_text())["winner"]
    starts = [read_info_curve(workdir / "starts" / str(k) / "info_curve.csv") for k in range(3)]
    own = read_info_curve(workdir / "info_curve.csv")
    assert [list(curve["step"]) for curve in starts] == [[8.0]] * 3 and list(own["step"]) == [8.0, 16.0]
    np.testing.assert_array_equal(own["mi_cat0"][:1], starts[winner]["mi_cat0"])  # copied with the winner
    budget = budget_info_curve(workdir)
    nan = np.nan
    np.testing.assert_array_equal(budget["step"], [8, nan, 16, nan, 24, nan, 32])
    expected = [starts[0]["mi_cat0"][0], nan, starts[1]["mi_cat0"][0], nan, starts[2]["mi_cat0"][0], nan,
                own["mi_cat0"][1]]
    np.testing.assert_array_equal(budget["mi_cat0"], expected)
    alone = budget_info_curve(workdir / "starts" / "0")  # no restarts: the run's own curve
    assert {column: list(values) for column, values in alone.items()} == \
        {column: list(values) for column, values in starts[0].items()}


def test_the_continued_start_ends_as_its_uninterrupted_run(restarted, tiny_mnist_dir, tmp_path):
    """Stopping a start after its epoch, copying it and resuming loses nothing: the weights and
    optimizer state equal those of the winner's config trained straight through."""
    workdir, model = restarted
    winner = json.loads((workdir / "restarts.json").read_text())["winner"]
    straight = train(start_config(_config(tiny_mnist_dir), winner), tmp_path / "straight", verbose=0)
    for restarted_var, straight_var in zip(model.variables, straight.variables):
        np.testing.assert_array_equal(restarted_var.numpy(), straight_var.numpy(), err_msg=restarted_var.path)
    for a, b in zip(model.d_optimizer.variables + model.g_optimizer.variables,
                    straight.d_optimizer.variables + straight.g_optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_a_finished_restarts_run_is_refused_and_another_config_is_named(restarted, tiny_mnist_dir):
    workdir, _ = restarted
    with pytest.raises(RunFolderError, match="finished run"):
        train(_config(tiny_mnist_dir), workdir, verbose=0)
    with pytest.raises(RunFolderError, match="restarts run with a different config.*restart_epochs"):
        train(_config(tiny_mnist_dir, restart_epochs=2, epochs=7), workdir, verbose=0)


def test_a_copy_cut_short_is_redone_and_the_winner_resumed(restarted, tiny_mnist_dir, tmp_path, monkeypatch):
    """A crash while copying the winner (here: the checkpoints folder, after some files): the next call
    copies it again from the start's checkpoints, which are kept until a copy is complete."""
    import shutil

    import keras_infogan.restarts as restarts

    workdir, model = restarted
    crashed, copytree = tmp_path / "crashed", shutil.copytree

    def crash(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(restarts.shutil, "copytree", crash)
    with pytest.raises(OSError, match="simulated"):
        train(_config(tiny_mnist_dir), crashed, verbose=0)
    assert not json.loads((crashed / "restarts.json").read_text())["copied"]
    assert (crashed / "starts" / "0" / "checkpoints").is_dir()
    monkeypatch.setattr(restarts.shutil, "copytree", copytree)
    resumed = train(_config(tiny_mnist_dir), crashed, verbose=0)
    assert json.loads((crashed / "restarts.json").read_text())["copied"]
    assert not any((crashed / "starts" / str(k) / "checkpoints").exists() for k in range(3))
    for a, b in zip(model.variables, resumed.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_a_folder_with_other_files_is_not_taken_for_restarts(tiny_mnist_dir, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(RunFolderError, match="not empty.*notes.txt"):
        train(_config(tiny_mnist_dir), tmp_path, verbose=0)
    assert (tmp_path / "notes.txt").read_text() == "mine" and not (tmp_path / "starts").exists()


def test_the_report_counts_every_start_in_the_training_steps():
    from keras_infogan.evaluation.report_markdown import _steps

    summary = {"starts": 4, "winner": 2, "seeds": [0, 1000, 2000, 3000], "steps_of_starts": 1386,
               "criterion": "consensus"}
    assert _steps({"train_steps": 6314, "restarts": summary}).startswith("7700 (best of 4 starts by consensus: "
                                                                          "seed 2000; 1386 in the others)")
    assert _steps({"train_steps": 7700, "restarts": None}) == "7700"


def test_half_written_files_of_a_crash_do_not_block_the_starts(tmp_path):
    from keras_infogan.restarts import _check_empty

    (tmp_path / ".restarts.json.partial-123").write_text("{")
    (tmp_path / "starts").mkdir()
    _check_empty(tmp_path)  # no error: only unfinished starts and a partial file
    assert not (tmp_path / ".restarts.json.partial-123").exists()
