/** `lstm`: PyTorch `nn.LSTM`. */
import { makeRecurrent } from '../shared/recurrent.js';

export const op = makeRecurrent({
  name: 'lstm',
  gates: 4,
  doc: 'Long short-term memory layer (PyTorch `nn.LSTM`; gates i, f, g, o). The cell state is internal and not returned.',
  onnxOp: 'LSTM',
  onnxGateOrder: [0, 3, 1, 2], // ONNX i, o, f, c ← PyTorch i, f, g, o
  examples: [
    { inputs: [[1, 100, 128]], call: 'lstm(256)', output: [1, 100, 256], params: 395264, macs: 39321600 },
    { inputs: [['N', 50, 64]], call: 'lstm(128, num_layers=2, bidirectional=true, return_sequences=false)', output: ['N', 256], params: 593920 },
  ],
});
