"""Shared test fixtures: quiet TensorFlow, the offline MNIST folder, tiny IDX data."""

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402
from idx_files import write_bar_mnist  # noqa: E402
from mnist_png import train_png_run, write_png_folder  # noqa: E402

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


@pytest.fixture(scope="session")
def mnist_png_folder(mnist_dir, tmp_path_factory) -> Path:
    """The 10,000 real MNIST test images as <label>/<index>.png."""
    return write_png_folder(mnist_dir, tmp_path_factory.mktemp("mnist_png"))


@pytest.fixture(scope="session")
def mnist_png_run(mnist_png_folder, tmp_path_factory) -> Path:
    """A real run, shared by the slow tests: 471 steps (3 epochs, batch 64, seed 0) of the
    default MNIST InfoGAN networks on the PNG folder, scored on it after every epoch
    (`mnist_png.RECIPE`). The step is compiled with XLA (`jit_compile=True`), which is 1.5x
    the plain step on a 2-core AMD EPYC with AVX2 only and within 4% of it on the AVX-512
    CPUs seen (`keras_infogan.xla_choice`). Batch 64 for 3 epochs replaced batch 128 for 5
    (390 steps) to shorten the suite: on a 2-core Intel Xeon with AVX-512 it trained in
    70-79 s against 100 s (the draws of both recipes behind the thresholds are in
    tests/test_anomaly.py and tests/test_folder_mnist.py; `experiments/fixture_draws.py`
    trains more)."""
    run = tmp_path_factory.mktemp("mnist_png_run") / "run"
    train_png_run(mnist_png_folder, run, seed=0)
    return run


# The groups that take longest (seconds of test time in a clean-clone run on a 2-core Intel
# Xeon with AVX-512: 128, 164, 88, 80, 73, 63, 47, 42), scheduled first so that the many
# short files fill the end of the run on both workers. In pytest-xdist's default order
# (groups by number of tests) the three tests of the shared real-MNIST run started last:
# one worker then ran its 100-s setup alone while the other had finished (538 s against
# 438 s). A group missing here only runs in file order.
LONGEST_GROUPS = ("mnist_png_folder", "tests/test_reliability.py", "tests/test_notebooks.py",
                  "tests/test_distribute.py", "tests/test_objectives.py", "tests/test_any_dataset.py",
                  "tests/test_restarts.py", "tests/test_model.py")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Groups for pytest-xdist's `--dist loadgroup` (pyproject.toml runs two workers): each
    file's tests stay on one worker, so a module-scoped fixture is built once, and every
    test of the real MNIST PNG folder (and the run trained on it) joins one group, so the
    10,000 PNGs are written and the run is trained once. The longest groups go first
    (`LONGEST_GROUPS`; pyproject.toml keeps this order with `--no-loadscope-reorder`)."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            group = "mnist_png_folder" if "mnist_png_folder" in item.fixturenames else item.nodeid.split("::")[0]
            item.add_marker(pytest.mark.xdist_group(group))
    rank = {group: index for index, group in enumerate(LONGEST_GROUPS)}
    items.sort(key=lambda item: rank.get(_group(item), len(LONGEST_GROUPS)))  # stable: file order otherwise


def _group(item) -> str:
    marker = item.get_closest_marker("xdist_group")
    return marker.args[0] if marker.args else marker.kwargs.get("name", "")


def pytest_terminal_summary(terminalreporter):
    """Lists how long each notebook took to execute (tests/test_notebooks.py records it)."""
    times = [(report.nodeid, value) for key in ("passed", "failed") for report in terminalreporter.stats.get(key, [])
             if report.when == "call" for name, value in report.user_properties if name == "notebook_seconds"]
    if times:
        terminalreporter.write_sep("-", "notebook execution times (KERAS_INFOGAN_FAST=1)")
        for nodeid, seconds in times:
            terminalreporter.write_line(f"{seconds:6.1f} s  {nodeid.split('@')[0]}")  # less the xdist group
