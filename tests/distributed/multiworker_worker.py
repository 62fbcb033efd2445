"""One worker of a 2-worker MultiWorkerMirroredStrategy run on localhost (run by
tests/test_distribute.py with TF_CONFIG set): trains 3 steps with `train()`, crashing
(on both workers) after step 3 but before its checkpoint, then runs `train()` again,
which resumes from the chief's checkpoint of step 2 on both workers; exports the
model, and writes what it saw to RESULTS/worker<index>.npz/.json.

    python multiworker_worker.py DATA_DIR WORKDIR RESULTS
"""

import contextlib
import io
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_infogan import TrainConfig, train  # noqa: E402
from keras_infogan.distribute import is_chief, make_strategy  # noqa: E402


def main(data_dir: str, workdir: str, results: str) -> None:
    strategy = make_strategy("multiworker")  # before anything else runs in TensorFlow
    index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    config = TrainConfig(data_dir=data_dir, train_split="train[:96]", eval_split=None,
                         epochs=1, batch_size=32, seed=1, checkpoint_every_steps=1)
    try:
        train(config, workdir, strategy=strategy, verbose=0, callbacks=[_CrashAfterStep(3)])
    except _Crash:
        pass
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model = train(config, workdir, strategy=strategy, verbose=1)
    exported = model.export_serving(Path(workdir) / "export")
    results = Path(results)
    np.savez(results / f"worker{index}.npz", *[v.numpy() for v in model.weights],
             *[v.numpy() for v in model.d_optimizer.variables + model.g_optimizer.variables])
    (results / f"worker{index}.json").write_text(json.dumps({
        "is_chief": is_chief(strategy), "replicas": strategy.num_replicas_in_sync,
        "steps": int(model.d_optimizer.iterations.numpy()), "exported": None if exported is None else str(exported),
        "d_loss": model.history.history["d_loss"][-1],
        "resumed_at_step_2": "from its checkpoint at step 2 of 3" in printed.getvalue()}))


class _Crash(Exception):
    pass


class _CrashAfterStep(keras.callbacks.Callback):
    """Raises after global step `step` on every worker (between steps: no collective is cut)."""

    def __init__(self, step: int):
        super().__init__()
        self.step = step

    def on_train_batch_end(self, batch, logs=None):
        if batch + 1 == self.step:
            raise _Crash


if __name__ == "__main__":
    main(*sys.argv[1:])
