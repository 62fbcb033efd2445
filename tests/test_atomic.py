"""Atomic writes: a writer that fails half-way leaves the old file and no temporary file."""

import pytest

from keras_infogan.atomic import write_atomic, write_text_atomic


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_else(tmp_path):
    path = tmp_path / "metrics.csv"
    write_text_atomic(path, "epoch\r\n0\r\n")

    def half_then_fail(partial):
        partial.write_text("epoch\r\n0\r\n1")
        raise OSError("No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_atomic(path, half_then_fail)
    assert path.read_bytes() == b"epoch\r\n0\r\n"  # line ends kept as written
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.csv"]


def test_the_temporary_file_keeps_the_suffix_a_writer_needs(tmp_path):
    seen = []
    write_atomic(tmp_path / "model.keras", lambda partial: (seen.append(partial.name), partial.write_text("x")),
                 suffix=".keras")
    assert seen[0].startswith(".model.partial-") and seen[0].endswith(".keras")
    assert (tmp_path / "model.keras").read_text() == "x"
