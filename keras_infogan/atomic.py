"""Files written whole or not at all: a temporary sibling, then a rename.

A reader (or a resumed run) sees the old file or the new one, never half of one; a
crash mid-write leaves a hidden `.NAME.partial-*` file, which `RunFolder.rollback`
deletes on resume.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Callable


def write_atomic(path: str | os.PathLike, write: Callable[[Path], None], suffix: str = "") -> None:
    """Call `write(partial)` on a temporary sibling of `path`, then rename it to `path`.

    Args:
        path: the file to write.
        write: writes the whole file at the path it is given.
        suffix: the temporary file's ending, for writers that check it (Keras wants ".keras").
    """
    path = Path(path)
    stem = path.name[:-len(suffix)] if suffix and path.name.endswith(suffix) else path.name
    partial = path.with_name(f".{stem}.partial-{uuid.uuid4().hex[:8]}{suffix}")
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write `text` to `path` atomically, line ends as given (csv writes \\r\\n)."""
    write_atomic(path, lambda partial: partial.write_text(text, newline=""))


def save_model_atomic(model, path: str | os.PathLike) -> None:
    """`model.save(path)` atomically (a crash leaves no half-written .keras file)."""
    write_atomic(path, model.save, suffix=".keras")
