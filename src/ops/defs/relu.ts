import { makeActivation } from '../shared/elementwise.js';

export const op = makeActivation({ name: 'relu', doc: 'Rectified linear unit `max(x, 0)` (PyTorch `nn.ReLU`).', flopsPerElement: 1, onnxOp: 'Relu', tfjsOp: 'Relu' });
