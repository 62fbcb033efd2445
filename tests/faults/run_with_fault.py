"""Runs the keras-infogan command line with one fault injected, for tests/test_reliability.py.

    python run_with_fault.py FAULT [CLI ARGS ...]

FAULT is "none" or one of:
  kill-in-checkpoint-write:N  SIGKILL in the N-th checkpoint save, after its data files are
                              written and before the checkpoint index names them
  kill-in-model-save          SIGKILL while model.keras is being written
  kill-in-export              SIGKILL after the SavedModel is written, before it is renamed into place
"""

import os
import signal
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from keras_infogan.__main__ import main  # noqa: E402


def _kill(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


def _inject(fault: str) -> None:
    name, _, arg = fault.partition(":")
    if name == "none":
        return
    if name == "kill-in-checkpoint-write":
        from tensorflow.python.checkpoint import checkpoint_management

        original, named = checkpoint_management.update_checkpoint_state_internal, set()

        def update_state(save_dir, model_checkpoint_path, *args, **kwargs):
            # Called twice per save (before and after deleting old checkpoints): count new names.
            if model_checkpoint_path not in named:
                named.add(model_checkpoint_path)
                if len(named) == int(arg):
                    _kill()
            return original(save_dir, model_checkpoint_path, *args, **kwargs)

        checkpoint_management.update_checkpoint_state_internal = update_state
    elif name == "kill-in-model-save":
        from keras.src.saving import saving_lib

        saving_lib._save_state = _kill  # the zip file is open, nothing of the model is in it yet
    elif name == "kill-in-export":
        import pathlib

        pathlib.Path.rename = _kill
    else:
        raise SystemExit(f"unknown fault {fault!r}")


if __name__ == "__main__":
    _inject(sys.argv[1])
    main(sys.argv[2:])
