"""Shared test fixtures: quiet TensorFlow, the offline MNIST folder, tiny IDX data."""

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402
from idx_files import write_bar_mnist  # noqa: E402

MNIST_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The real offline MNIST IDX folder (skips where it is absent)."""
    if not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"offline MNIST not found at {MNIST_DIR}")
    return MNIST_DIR


@pytest.fixture(scope="session")
def tiny_mnist_dir(tmp_path_factory) -> Path:
    """A synthetic MNIST-format folder: 256 train and 64 test images of 10 bar patterns."""
    return write_bar_mnist(tmp_path_factory.mktemp("tiny_mnist"), train_size=256, test_size=64)


def pytest_terminal_summary(terminalreporter):
    """Lists how long each notebook took to execute (tests/test_notebooks.py records it)."""
    times = [(report.nodeid, value) for key in ("passed", "failed") for report in terminalreporter.stats.get(key, [])
             if report.when == "call" for name, value in report.user_properties if name == "notebook_seconds"]
    if times:
        terminalreporter.write_sep("-", "notebook execution times (KERAS_INFOGAN_FAST=1)")
        for nodeid, seconds in times:
            terminalreporter.write_line(f"{seconds:6.1f} s  {nodeid}")
