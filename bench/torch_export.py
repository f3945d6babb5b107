"""torch.onnx.export of a torchvision model with random init, the work `dslc model.nn --emit onnx` does:
import torch, build the model, export at opset 17 (BatchNorm kept: training=PRESERVE, as dslc exports it).
Timed as a whole process by bench/onnx_export.mjs, beside dslc in the same run.
Usage: /usr/bin/python3 bench/torch_export.py resnet50|vgg16 OUT.onnx   (exit 3 when torch is missing)
"""
import sys
import time

T0 = time.perf_counter()
try:
    import torch
    import torchvision
except Exception as e:  # pragma: no cover - depends on the machine
    print(f"torch unavailable: {e}", file=sys.stderr)
    sys.exit(3)
T_IMPORT = time.perf_counter()
name, out = sys.argv[1], sys.argv[2]
model = getattr(torchvision.models, name)(weights=None).eval()
T_BUILD = time.perf_counter()
x = torch.randn(1, 3, 224, 224)
torch.onnx.export(model, x, out, opset_version=17, training=torch.onnx.TrainingMode.PRESERVE,
                  input_names=["x"], output_names=["y"], dynamic_axes={"x": {0: "N"}, "y": {0: "N"}})
T_EXPORT = time.perf_counter()
print(f"import_s={T_IMPORT - T0:.3f} build_s={T_BUILD - T_IMPORT:.3f} export_s={T_EXPORT - T_BUILD:.3f}")
