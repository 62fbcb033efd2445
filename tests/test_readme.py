"""The README's Python API example runs as written (on TFDS mock data, offline)."""

import re
from pathlib import Path

import tensorflow_datasets as tfds

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_runs(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README.md has no python example"
    monkeypatch.chdir(tmp_path)
    namespace = {}
    with tfds.testing.mock_data(num_examples=128):  # one batch of 128 per epoch
        exec(compile(blocks[0], str(README), "exec"), namespace)
    assert namespace["images"].shape == (16, 28, 28, 1)
    assert namespace["sevens"].shape == (10, 28, 28, 1)
    assert namespace["codes"]["cat0"]["probs"].shape == (16, 10)
    assert (tmp_path / "infogan.keras").exists()
