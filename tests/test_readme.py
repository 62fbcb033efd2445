"""The README's Python examples run as written (offline: TFDS mock data, stubbed evaluation)."""

import re
from pathlib import Path

import pytest
import tensorflow_datasets as tfds

import keras_infogan.evaluation as evaluation

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_block(containing: str) -> str:
    blocks = [b for b in re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S) if containing in b]
    assert len(blocks) == 1, f"README.md should have one python example with {containing!r}"
    return blocks[0]


def test_readme_python_api_example_runs(tmp_path, monkeypatch):
    """The example as written but for its 50 epochs, cut to 2: on mock data an epoch is one
    batch; the 50-epoch fit took 88 s alone on a 2-core AMD EPYC (AVX2), and its 48 more steps prove nothing more."""
    monkeypatch.chdir(tmp_path)
    block, fit = _python_block("kig.InfoGAN("), "model.fit(dataset, epochs=50)"
    assert block.count(fit) == 1
    namespace = {}
    with tfds.testing.mock_data(num_examples=128):  # one batch of 128 per epoch
        exec(compile(block.replace(fit, fit.replace("50", "2")), str(README), "exec"), namespace)
    assert int(namespace["model"].d_optimizer.iterations) == 2
    assert namespace["images"].shape == (16, 28, 28, 1)
    assert namespace["sevens"].shape == (10, 28, 28, 1)
    assert namespace["codes"]["cat0"]["probs"].shape == (16, 10)
    assert (tmp_path / "infogan.keras").exists()


def test_readme_evaluation_example_calls_real_functions(monkeypatch):
    """The report call is stubbed (it needs trained runs); the information example runs for real."""
    calls = []
    monkeypatch.setattr(evaluation, "evaluate_run", lambda *args, **kwargs: calls.append((args, kwargs)))
    monkeypatch.setattr(evaluation.EvalData, "load", classmethod(lambda cls, *args: args))
    block = _python_block("evaluate_run(")
    namespace = {}
    exec(compile(block, str(README), "exec"), namespace)
    assert calls == [(("runs/mnist", ("mnist", "../shared/data/mnist")), {"baseline": "runs/baseline"})]
    documented = float(re.search(r"# ([0-9.]+) bits", block).group(1))
    assert namespace["rain_dark_bits"] == pytest.approx(documented, abs=5e-4)
