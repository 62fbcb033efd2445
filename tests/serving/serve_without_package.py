"""Serves an exported SavedModel the way TF Serving would, in a process where importing
keras_infogan or TFP is an error (run by tests/test_export.py).

    python serve_without_package.py EXPORT_DIR calls.json inputs.npz outputs.npz

calls.json is {"good": {label: signature}, "session": {label: signature}} and inputs.npz
holds {"<label>/<input>": array}. Good calls go through the TF2 API (`loaded.signatures`)
and their outputs are saved to outputs.npz as {"<label>/<output>": array}; "session" ones
go through a TF1 session fed with raw C++ `Session::Run`, which, like TF Serving, does not
check feeds against the signature's shapes. Prints a JSON report on its last line: each
session call's error (or null), the ops of the graph, those not registered in stock
TensorFlow, and which forbidden modules got imported.
"""

import json
import sys

FORBIDDEN = ("keras_infogan", "tensorflow_probability")


class _Forbid:
    """An import hook that refuses the packages a TF Serving process would not have."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in FORBIDDEN:
            raise ImportError(f"serving must not need {name}")


sys.meta_path.insert(0, _Forbid())

import numpy as np  # noqa: E402  (after the hook, on purpose)
import tensorflow as tf  # noqa: E402
from tensorflow.core.protobuf import saved_model_pb2  # noqa: E402
from tensorflow.python.framework import op_def_registry  # noqa: E402


def _inputs_of(inputs, label: str) -> dict:
    return {key.split("/")[1]: inputs[key] for key in inputs.files if key.split("/")[0] == label}


def _serve_good_calls(export_dir: str, calls: dict, inputs) -> dict:
    loaded = tf.saved_model.load(export_dir)
    outputs = {}
    for label, signature in calls.items():
        for name, value in loaded.signatures[signature](**_inputs_of(inputs, label)).items():
            outputs[f"{label}/{name}"] = value.numpy()
    return outputs


def _session_errors(export_dir: str, calls: dict, inputs) -> dict:
    graph = tf.Graph()
    with graph.as_default():
        session = tf.compat.v1.Session()
        meta_graph = tf.compat.v1.saved_model.load(session, ["serve"], export_dir)
    errors = {}
    for label, signature in calls.items():
        signature_def = meta_graph.signature_def[signature]
        feeds = {graph.get_tensor_by_name(signature_def.inputs[name].name)._as_tf_output(): value
                 for name, value in _inputs_of(inputs, label).items()}
        fetches = [graph.get_tensor_by_name(info.name)._as_tf_output() for info in signature_def.outputs.values()]
        try:
            session._call_tf_sessionrun(None, feeds, fetches, [], None)
            errors[label] = None
        except tf.errors.InvalidArgumentError as error:
            errors[label] = error.message.splitlines()[0]
    return errors


def _graph_ops(export_dir: str) -> set:
    saved_model = saved_model_pb2.SavedModel()
    with open(f"{export_dir}/saved_model.pb", "rb") as f:
        saved_model.ParseFromString(f.read())
    ops = set()
    for graph_meta in saved_model.meta_graphs:
        ops |= {node.op for node in graph_meta.graph_def.node}
        for function in graph_meta.graph_def.library.function:
            ops |= {node.op for node in function.node_def}
    return ops


def main(export_dir: str, calls_path: str, inputs_path: str, outputs_path: str) -> None:
    with open(calls_path) as f:
        calls = json.load(f)
    inputs = np.load(inputs_path)
    np.savez(outputs_path, **_serve_good_calls(export_dir, calls["good"], inputs))
    errors = _session_errors(export_dir, calls["session"], inputs)
    ops = _graph_ops(export_dir)
    print(json.dumps({"errors": errors, "ops": sorted(ops),
                      "unregistered_ops": sorted(op for op in ops if op_def_registry.get(op) is None),
                      "forbidden_modules": sorted(m for m in FORBIDDEN if m in sys.modules)}))


if __name__ == "__main__":
    main(*sys.argv[1:])
