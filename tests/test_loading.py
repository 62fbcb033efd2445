"""Loading is safe and clear: `evaluate` and `export` on bad model files fail with one line
naming the file and the problem; a saved InfoGAN loads with Keras' default safe_mode."""

import zipfile

import keras
import numpy as np
import pytest

from keras_infogan import InfoGAN
from keras_infogan.__main__ import main
from keras_infogan.loading import load_infogan


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A compiled InfoGAN whose optimizers have taken one step, saved to model.keras."""
    model = InfoGAN()
    model.compile()
    model.fit(np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32"), batch_size=8,
              epochs=1, verbose=0)
    path = tmp_path_factory.mktemp("saved") / "model.keras"
    model.save(path)
    return model, path


def _bad_files(saved_path, folder):
    """(name, path, words the error must contain) for each kind of bad model file."""
    folder.mkdir()
    empty = folder / "empty.keras"
    empty.write_bytes(b"")
    noise = folder / "random.keras"
    noise.write_bytes(np.random.default_rng(0).bytes(4096))
    truncated = folder / "truncated.keras"
    data = saved_path.read_bytes()
    truncated.write_bytes(data[:len(data) // 2])
    no_weights = folder / "no_weights.keras"
    with zipfile.ZipFile(saved_path) as source, zipfile.ZipFile(no_weights, "w") as target:
        target.writestr("config.json", source.read("config.json"))
    foreign = folder / "sequential.keras"
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).save(foreign)
    return [("missing", folder / "nothing.keras", "no model at"), ("empty", empty, "is empty"),
            ("random bytes", noise, "not a zip archive"), ("truncated", truncated, "not a zip archive"),
            ("no weights", no_weights, "lacks model.weights.h5"), ("foreign", foreign, "holds a Sequential")]


@pytest.mark.parametrize("command", ["export", "evaluate"])
def test_bad_model_files_fail_with_one_line(command, saved, tmp_path, tiny_mnist_dir, capsys):
    for name, path, words in _bad_files(saved[1], tmp_path / "bad"):
        extra = (["--out", str(tmp_path / "serving")] if command == "export"
                 else ["--data-dir", str(tiny_mnist_dir), "--judge-cache", str(tmp_path / "judges")])
        with pytest.raises(SystemExit) as raised:
            main([command, str(path)] + extra)
        message = str(raised.value)
        assert message.startswith("error: ") and "\n" not in message, (name, message)
        assert str(path) in message and words in message, (name, message)
        assert "Traceback" not in capsys.readouterr().err
    assert not (tmp_path / "serving").exists()  # nothing was exported


def test_a_corrupt_member_is_named(saved, tmp_path):
    data = bytearray(saved[1].read_bytes())
    with zipfile.ZipFile(saved[1]) as archive:
        info = archive.getinfo("model.weights.h5")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 100
    data[start:start + 64] = bytes(64)  # zeroes inside the stored weights: the CRC no longer matches
    path = tmp_path / "crc.keras"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"crc.keras is truncated or corrupt \(member model.weights.h5 fails"):
        load_infogan(path)


def test_load_model_with_default_safe_mode_restores_weights_and_optimizers(saved):
    model, path = saved
    loaded = keras.saving.load_model(path)  # safe_mode=True by default
    assert isinstance(loaded, InfoGAN)
    for mine, theirs in zip(model.weights, loaded.weights):
        assert np.array_equal(mine.numpy(), theirs.numpy()), mine.path
    for mine, theirs in zip(model.d_optimizer.variables + model.g_optimizer.variables,
                            loaded.d_optimizer.variables + loaded.g_optimizer.variables):
        assert np.array_equal(mine.numpy(), theirs.numpy()), mine.path
    assert int(loaded.d_optimizer.iterations.numpy()) == int(loaded.g_optimizer.iterations.numpy()) == 1
    assert isinstance(load_infogan(path.parent), InfoGAN)  # a run folder works too
