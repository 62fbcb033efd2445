"""Let a finished training's train-step graph be freed (a TensorFlow leak worked around).

Every trace of a Keras 3 train step on TensorFlow keeps its whole graph alive for
the rest of the process: the optimizer all-reduces its gradients even on one
device (`_all_reduce_sum_gradients`), TensorFlow's `all_reduce` is a
`tf.custom_gradient`, and in graph mode a custom gradient registers its gradient
function under a new name ("CustomGradient-<n>") in TensorFlow's global gradient
registry, where it stays, holding the graph's tensors (tensorflow/tensorflow#97697,
#27492). For the MNIST InfoGAN that is about 200 MiB per trained model: five
restarts in one process grew by about 1 GiB, and so did a notebook that trains
several models.

`releases_custom_gradients(fn)` wraps a function that trains (`train`, which runs
Keras' loop itself, and `InfoGAN.fit`, for notebooks): on its return, the registry
entries added during the call are dropped, so the graphs can be collected with
their model. Nothing needs them afterwards: a traced step already holds its
gradient ops, and a new trace (a later `fit` with new shapes) registers its own.
Caveat: entries another thread registers during the call are dropped too, which
would break that thread's gradient if it were still being traced; train in one
thread. Where TensorFlow's private registry is not found, nothing is dropped.
"""

from __future__ import annotations

import functools

PREFIX = "CustomGradient-"


def gradient_registry() -> dict | None:
    """TensorFlow's global registry of gradient functions (name -> entry), or None."""
    try:
        from tensorflow.python.framework import ops
    except ImportError:  # pragma: no cover - TensorFlow always ships it
        return None
    registry = getattr(getattr(ops, "_gradient_registry", None), "_registry", None)
    return registry if isinstance(registry, dict) else None


def releases_custom_gradients(fn):
    """Decorator: drop the custom gradients `fn` registered, when it returns or raises."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        registry = gradient_registry()
        before = set(registry) if registry is not None else set()
        try:
            return fn(*args, **kwargs)
        finally:
            if registry is not None:
                for name in [name for name in registry if name.startswith(PREFIX) and name not in before]:
                    registry.pop(name, None)

    return wrapper
