"""Validates ONNX files with the `onnx` Python package; prints one JSON object for all of them.

usage: python3 onnx_check.py FILE...

For each file: {"file", "ok", "error", "irVersion", "opset", "declared", "shapes"}.
- ok/error: onnx.checker.check_model(full_check=True) and then onnx.shape_inference.infer_shapes(strict_mode=True,
  data_prop=True: sizes computed with Shape/Slice/Concat are followed) on the model with its value_info removed
  and its output shapes cleared (so every shape below is inferred, not copied from the file).
  Files over 64 MB: check_model's two halves are run separately, the structural check (C++) on the whole file
  and the strict shape inference on a copy whose large float initializers (over 1024 values: weights, never
  shape data) have no raw_data: same checks, without copying hundreds of MB of weights through Python 4 times.
- declared: {value name: dims} as written in the file (value_info and graph outputs).
- shapes: {value name: dims} as inferred (every value that shape inference typed, inputs included).
Dims are ints, strings (dim_param) or null (unknown). Also printed once: "max_opset", the newest default-domain
opset this onnx version knows (files above it cannot be checked here).
"""
import json
import sys

import onnx
from onnx import shape_inference


def dims(vi):
    t = vi.type.tensor_type
    if not t.HasField("shape"):
        return None
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param if d.HasField("dim_param") else None) for d in t.shape.dim]


BIG = 64 << 20


def strip_weights(m):
    """Drops the data of large float initializers (shape inference needs their dims and types, not values)."""
    for t in m.graph.initializer:
        if t.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE, onnx.TensorProto.BFLOAT16) and t.raw_data:
            n = 1
            for d in t.dims:
                n *= d
            if n > 1024:
                t.ClearField("raw_data")


def check(path):
    res = {"file": path, "ok": False, "error": None, "irVersion": None, "opset": None, "declared": {}, "shapes": {}}
    try:
        with open(path, "rb") as f:
            data = f.read()
        m = onnx.load_from_string(data)
        res["irVersion"] = m.ir_version
        res["opset"] = next((o.version for o in m.opset_import if o.domain in ("", "ai.onnx")), None)
        for vi in list(m.graph.value_info) + list(m.graph.output):
            res["declared"][vi.name] = dims(vi)
        if len(data) <= BIG:
            onnx.checker.check_model(m, full_check=True)
        else:
            onnx.checker.check_model(data)  # structure, initializers included
            del data
            strip_weights(m)
            shape_inference.infer_shapes(m, check_type=True, strict_mode=True)  # the rest of full_check
        bare = onnx.ModelProto()
        bare.CopyFrom(m)
        strip_weights(bare)
        del bare.graph.value_info[:]
        for o in bare.graph.output:
            o.type.tensor_type.ClearField("shape")
        inferred = shape_inference.infer_shapes(bare, check_type=True, strict_mode=True, data_prop=True)
        for vi in list(inferred.graph.input) + list(inferred.graph.value_info) + list(inferred.graph.output):
            res["shapes"][vi.name] = dims(vi)
        res["ok"] = True
    except Exception as e:  # noqa: BLE001 - report every failure as data
        res["error"] = f"{type(e).__name__}: {e}".strip()
    return res


if __name__ == "__main__":
    out = {"max_opset": onnx.defs.onnx_opset_version(), "files": {p: check(p) for p in sys.argv[1:]}}
    print(json.dumps(out))
