/** `gru`: PyTorch `nn.GRU`. */
import { makeRecurrent } from '../shared/recurrent.js';

export const op = makeRecurrent({
  name: 'gru',
  gates: 3,
  doc: 'Gated recurrent unit layer (PyTorch `nn.GRU`; gates r, z, n; two biases like Keras `reset_after=True`).',
  onnxOp: 'GRU',
  onnxGateOrder: [1, 0, 2], // ONNX z, r, h ← PyTorch r, z, n
  // PyTorch applies the reset gate after the recurrent product: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)).
  onnxAttrs: () => ({ linear_before_reset: 1 }),
  examples: [
    { inputs: [[1, 100, 128]], call: 'gru(256)', output: [1, 100, 256], params: 296448, macs: 29491200 },
    { inputs: [[8, 20, 32]], call: 'gru(64, return_sequences=false)', output: [8, 64], params: 18816 },
  ],
});
