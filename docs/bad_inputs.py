"""Make every bad input of docs/datasets.md and print the one line each gives.

    python docs/bad_inputs.py            # about 3 minutes: one `train` process per case

Command-line cases run `python -m keras_infogan train ARGS --epochs 1 --out RUN` in a
temporary folder (shown as DATA in the output) and check that RUN was not created;
Python cases call the API. Needs no network (the TFDS case shows the offline message).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image


def _png(path: Path, shape) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.random.default_rng(0).integers(0, 255, shape, dtype=np.uint8)).save(path)


def _make_inputs(root: Path) -> None:
    (root / "empty").mkdir()
    (root / "empty" / "notes.txt").write_text("x")
    _png(root / "unreadable" / "a.png", (28, 28))
    (root / "unreadable" / "b.png").write_bytes(b"not a png at all")
    _png(root / "zero" / "a.png", (28, 28))
    (root / "zero" / "b.png").write_bytes(b"")
    _png(root / "small" / "a.png", (20, 20))
    _png(root / "mixed" / "a.png", (28, 28))
    _png(root / "mixed" / "b.png", (40, 40, 3))
    _png(root / "both" / "top.png", (28, 28))
    _png(root / "both" / "cats" / "a.png", (28, 28))
    for index in range(4):
        _png(root / "ok" / f"{index}.png", (28, 28))


def _cli_cases(root: Path) -> list[tuple[str, list[str]]]:
    return [
        ("empty folder", ["--data", f"{root}/empty", "--preset", "mnist"]),
        ("unreadable image", ["--data", f"{root}/unreadable", "--preset", "mnist"]),
        ("zero-byte image", ["--data", f"{root}/zero", "--preset", "mnist"]),
        ("image smaller than the target with --image-fit crop",
         ["--data", f"{root}/small", "--preset", "mnist", "--image-fit", "crop"]),
        ("images both at the top and in subfolders", ["--data", f"{root}/both", "--preset", "mnist"]),
        ("a split the folder does not have", ["--data", f"{root}/ok", "--preset", "mnist", "--eval-split", "test"]),
        ("fewer images than one batch", ["--data", f"{root}/ok", "--preset", "mnist"]),
        ("a path that does not exist", ["--data", "/no/such/folder"]),
        ("a misspelt TFDS name", ["--data", "mnsit"]),
        ("a TFDS dataset that is not downloaded, offline", ["--data", "svhn_cropped", "--data-dir", f"{root}/tfds"]),
        ("a TFDS dataset with several label features", ["--data", "dsprites", "--preset", "chairs"]),
        ("a code list with an unknown item", ["--codes", "cat10,gauss"]),
        ("a categorical code with 1 category", ["--codes", "cat1,cont"]),
        ("a negative lambda", ["--codes", "cat10:-1"]),
        ("the faces preset without --data", ["--preset", "faces"]),
    ]


def _python_cases(root: Path) -> list[tuple[str, object]]:
    import keras_infogan as kig

    return [
        ("labels and images of different lengths",
         lambda: kig.load_images((np.zeros((5, 28, 28), np.uint8), np.zeros(4, int)))),
        ("float images outside [0, 1]", lambda: kig.load_images(np.full((4, 28, 28, 1), -1.0))),
        ("channels that cannot be converted",
         lambda: kig.load_images(np.zeros((4, 8, 8, 5), np.uint8), image_shape=(8, 8, 3))),
        ("images of mixed size and channels, kept as stored", lambda: kig.load_images(f"{root}/mixed")),
        ("with_labels on unlabeled images", lambda: kig.load_dataset(f"{root}/ok", batch_size=2, with_labels=True)),
    ]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "DATA"
        root.mkdir()
        (root / "tfds").mkdir()  # an empty TFDS data folder: the dataset must be downloaded
        _make_inputs(root)
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        for what, argv in _cli_cases(root):
            out = Path(tmp) / "run"
            proc = subprocess.run([sys.executable, "-m", "keras_infogan", "train", *argv, "--epochs", "1",
                                   "--out", str(out)], capture_output=True, text=True, cwd=tmp, env=env)
            errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
            line = errors[-1] if errors else f"NO ERROR LINE (exit {proc.returncode})"
            touched = " (RUN WAS CREATED)" if out.exists() else ""
            shown = " ".join(argv).replace(str(root), "DATA")
            print(f"- {what}: `train {shown}`{touched}\n  `{line.replace(str(root), 'DATA')}`")
        for what, call in _python_cases(root):
            try:
                call()
                line = "NO ERROR"
            except (ValueError, FileNotFoundError) as error:
                line = f"{type(error).__name__}: {error}".replace(str(root), "DATA")
            print(f"- {what} (Python API)\n  `{line}`")


if __name__ == "__main__":
    main()
