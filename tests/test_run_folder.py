"""RunFolder.prepare's config comparison: a field a saved config lacks counts as its default."""

import dataclasses
import json

import pytest

from keras_infogan import TrainConfig
from keras_infogan.run_folder import RunFolder, RunFolderError


def _unfinished_run(folder, config: dict):
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "checkpoints").mkdir()  # no checkpoint in it: prepare then says what it finds


def test_fields_added_after_a_run_was_saved_take_their_defaults(tmp_path):
    defaults = dataclasses.asdict(TrainConfig())
    older = {key: value for key, value in defaults.items() if key not in ("gan_loss", "d_steps", "codes")}
    _unfinished_run(tmp_path / "run", older)
    run = RunFolder(tmp_path / "run")
    lines = []  # not refused: with no checkpoint yet, the same run starts again
    assert run.prepare(defaults, defaults=defaults, writer=False, log=lines.append) == "new"
    assert lines == [f"{run.path} holds an unfinished run with no checkpoint yet: starting it again from step 0"]
    changed = dict(defaults, d_steps=2)
    with pytest.raises(RunFolderError, match=r"different config \(d_steps: 1 in the folder vs 2 now\)"):
        run.prepare(changed, defaults=defaults)


def test_a_folder_with_only_half_written_files_is_empty_and_they_are_deleted(tmp_path):
    """A writer killed inside its first atomic write leaves `.config.json.partial-*` (and its lock file)."""
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / ".lock").write_text("pid 1 on host\n")
    (folder / ".config.json.partial-1a2b3c4d").write_text('{"epochs": ')
    config = dataclasses.asdict(TrainConfig())
    assert RunFolder(folder).prepare(config, writer=False) == "new"
    assert (folder / ".config.json.partial-1a2b3c4d").exists()  # a non-chief worker deletes nothing
    assert RunFolder(folder).prepare(config) == "new"
    assert sorted(p.name for p in folder.iterdir()) == [".lock"]
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(RunFolderError, match="not empty and holds no keras-infogan run"):
        RunFolder(folder).prepare(config)
