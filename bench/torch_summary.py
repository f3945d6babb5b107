"""A torchinfo-like summary of torchvision's ResNet-50, the work `dslc check examples/resnet50.nn` replaces:
import torch, build the model, run one forward pass on a 1x3x224x224 input with hooks on every leaf module
collecting output shapes and parameter counts, and print the totals. Timed as a whole process by
bench/compare_torch.mjs. Exits 3 when torch/torchvision are missing.
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

torch.set_num_threads(max(1, torch.get_num_threads()))
model = torchvision.models.resnet50(weights=None).eval()
T_BUILD = time.perf_counter()

rows = []


def hook(module, inputs, output):
    shape = tuple(output.shape) if isinstance(output, torch.Tensor) else None
    params = sum(p.numel() for p in module.parameters(recurse=False))
    buffers = sum(b.numel() for n, b in module.named_buffers(recurse=False) if n != "num_batches_tracked")
    rows.append((module.__class__.__name__, shape, params, buffers))


handles = [m.register_forward_hook(hook) for m in model.modules() if len(list(m.children())) == 0]
with torch.no_grad():
    out = model(torch.zeros(1, 3, 224, 224))
for h in handles:
    h.remove()
T_FWD = time.perf_counter()

trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
buffers = sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked"))
assert tuple(out.shape) == (1, 1000), out.shape
print(f"layers={len(rows)} trainable={trainable} non_trainable={buffers} output={tuple(out.shape)}")
print(f"import_s={T_IMPORT - T0:.3f} build_s={T_BUILD - T_IMPORT:.3f} forward_s={T_FWD - T_BUILD:.3f}")
