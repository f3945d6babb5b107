/** `rnn`: PyTorch `nn.RNN` (Elman). */
import { makeRecurrent } from '../shared/recurrent.js';
import type { OnnxAttr } from '../onnx-types.js';

export const op = makeRecurrent({
  name: 'rnn',
  aliases: ['simple_rnn'],
  gates: 1,
  doc: 'Simple (Elman) recurrent layer `h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)` (PyTorch `nn.RNN`, Keras `SimpleRNN`).',
  extraAttrs: [{ name: 'nonlinearity', type: 'enum', default: 'tanh', choices: ['tanh', 'relu'], doc: "Activation of the cell: 'tanh' or 'relu'.", aliases: ['activation'] }],
  onnxOp: 'RNN',
  onnxGateOrder: [0],
  // ONNX RNN's default activation is Tanh; PyTorch's 'relu' becomes one activation name per direction.
  onnxAttrs: (a, dirs): Record<string, OnnxAttr> => (a.nonlinearity === 'relu' ? { activations: { ss: Array<string>(dirs).fill('Relu') } } : {}),
  examples: [
    { inputs: [[4, 10, 16]], call: 'rnn(32)', output: [4, 10, 32], params: 1600, macs: 61440 },
    { inputs: [[4, 10, 16]], call: "simple_rnn(32, nonlinearity='relu', bidirectional=true)", output: [4, 10, 64], params: 3200 },
  ],
});
