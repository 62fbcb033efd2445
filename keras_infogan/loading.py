"""Loading a saved InfoGAN with one clear error for every bad file.

`keras.saving.load_model` on a truncated, empty, random or foreign file raises deep
inside zipfile, h5py or Keras' deserialisation, with a traceback that rarely names the
file. `load_infogan` checks the file layer by layer first and raises one `ValueError`
(or `FileNotFoundError`) naming the file and what is wrong with it; the command line
prints it as one `error:` line. Loading itself is `keras.saving.load_model` with its
default `safe_mode=True` (an InfoGAN's config holds no lambdas).

    model = load_infogan("runs/mnist")               # a run folder or a .keras file
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path

import keras

MODEL_FILE = "model.keras"
_MEMBERS = ("config.json", "model.weights.h5")


def run_model_path(run: str | Path) -> Path:
    """The model file of a run folder (its model.keras) or a .keras path; raises if absent."""
    run = Path(run)
    path = run / MODEL_FILE if run.is_dir() else run
    if not path.exists():
        raise FileNotFoundError(f"no model at {path}")
    return path


def check_model_file(path: str | Path) -> Path:
    """Check that `path` (a run folder or a .keras file) holds a readable, saved InfoGAN.

    Returns:
        The path of the .keras file.

    Raises:
        FileNotFoundError: no such file.
        ValueError: empty, not a zip archive, truncated or corrupt, missing a part of
            a Keras model file, or holding another kind of model.
    """
    path = run_model_path(path)
    if not path.is_file():
        raise ValueError(f"{path} is not a file")
    if path.stat().st_size == 0:
        raise ValueError(f"{path} is empty (0 bytes): not a Keras model file")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not a Keras model file (not a zip archive: truncated, or another format)")
    try:
        with zipfile.ZipFile(path) as archive:
            missing = [name for name in _MEMBERS if name not in archive.namelist()]
            if missing:
                raise ValueError(f"{path} is not a Keras model file (it lacks {', '.join(missing)})")
            broken = archive.testzip()
            config = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is truncated or corrupt ({error})") from error
    if broken is not None:
        raise ValueError(f"{path} is truncated or corrupt (member {broken} fails its CRC check)")
    class_name = config.get("class_name") if isinstance(config, dict) else None
    if class_name != "InfoGAN":
        raise ValueError(f"{path} holds a {class_name or 'model of unknown class'}, not an InfoGAN")
    return path


def load_infogan(path: str | Path, compile: bool = True):
    """Load the InfoGAN saved at `path` (a run folder or a .keras file).

    Args:
        path: a run folder holding model.keras, or a .keras file.
        compile: restore both optimizers too (False: the networks only, e.g. for export).

    Raises:
        FileNotFoundError / ValueError: see `check_model_file`; also a file that passes
            those checks but still fails to load (the first line of the error is named).
    """
    path = check_model_file(path)
    try:
        return keras.saving.load_model(path, compile=compile)
    except Exception as error:  # noqa: BLE001  any failure inside Keras becomes one line naming the file
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ValueError(f"{path} could not be loaded as an InfoGAN ({type(error).__name__}: {first})") from error
