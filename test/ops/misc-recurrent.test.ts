import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runOp } from '../helpers/op-harness.js';

const codes = (r: { diagnostics: { code: string }[] }) => r.diagnostics.map((d) => d.code);

/** Brute force: PyTorch's parameter tensors, listed one by one as `named_parameters()` would. */
function torchParams(gates: number, input: number, h: number, layers: number, bidirectional: boolean, bias: boolean): number {
  const tensors: number[][] = [];
  for (let l = 0; l < layers; l++)
    for (const _dir of bidirectional ? ['', '_reverse'] : ['']) {
      const inF = l === 0 ? input : h * (bidirectional ? 2 : 1);
      tensors.push([gates * h, inF], [gates * h, h]);
      if (bias) tensors.push([gates * h], [gates * h]);
    }
  return tensors.reduce((s, t) => s + t.reduce((a, b) => a * b, 1), 0);
}

describe('the LSTM text classifier (embedding 10000×128 → LSTM 256 → dense 2)', () => {
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch/lstm_text.json', import.meta.url), 'utf8')) as {
    params: number;
    macs: number;
    layers: { params: number; macs: number; outputShape: number[] }[];
  };
  const emb = runOp('embedding', [[1, 100]], [10000, 128], {}, 'int64');
  const seq = runOp('lstm', [[1, 100, 128]], [256]);
  const last = runOp('lstm', [[1, 100, 128]], [256], { return_sequences: false });
  const fc2 = runOp('dense', [[1, 256]], [2]);

  it('matches each PyTorch layer', () => {
    expect(emb.shapes![0]).toEqual(fixture.layers[0]!.outputShape);
    expect([emb.params, emb.macs]).toEqual([1280000, 0]);
    expect(seq.shapes![0]).toEqual(fixture.layers[1]!.outputShape);
    expect([seq.params, seq.macs]).toEqual([395264, 39321600]);
    expect([seq.params, seq.macs]).toEqual([fixture.layers[1]!.params, fixture.layers[1]!.macs]);
    expect(last.shapes).toEqual([[1, 256]]);
    expect([fc2.params, fc2.macs]).toEqual([514, 512]);
  });
  it('totals 1,675,778 parameters and 39,322,112 MACs', () => {
    expect(emb.params + last.params + fc2.params).toBe(1675778);
    expect(emb.params + last.params + fc2.params).toBe(fixture.params);
    expect((emb.macs as number) + (last.macs as number) + (fc2.macs as number)).toBe(fixture.macs);
  });
  it('uses two bias vectors (Keras would have 394,240)', () => {
    expect(seq.result!.params!.map((p) => `${p.name}:${p.shape.join('x')}`)).toEqual(['weight_ih_l0:1024x128', 'weight_hh_l0:1024x256', 'bias_ih_l0:1024', 'bias_hh_l0:1024']);
    expect(runOp('lstm', [[1, 100, 128]], [256], { bias: false }).params).toBe(4 * 256 * 384);
  });
});

describe('recurrent shapes', () => {
  it('returns sequences [N, T, H·dirs] or the final state [N, H·dirs]', () => {
    expect(runOp('gru', [['N', 'T', 32]], [64]).shapes).toEqual([['N', 'T', 64]]);
    expect(runOp('gru', [['N', 'T', 32]], [64], { bidirectional: true }).shapes).toEqual([['N', 'T', 128]]);
    expect(runOp('lstm', [['N', 'T', 32]], [64], { bidirectional: true, return_sequences: false }).shapes).toEqual([['N', 128]]);
    expect(runOp('rnn', [[4, 7, 3]], [5], { return_sequences: false }).shapes).toEqual([[4, 5]]);
  });
  it('takes [T, N, F] with batch_first=false', () => {
    const r = runOp('lstm', [[100, 8, 32]], [16], { batch_first: false });
    expect(r.shapes).toEqual([[100, 8, 16]]);
    expect(r.macs).toBe(8 * 100 * 4 * 16 * 48);
    expect(runOp('lstm', [[100, 8, 32]], [16], { batch_first: false, return_sequences: false }).shapes).toEqual([[8, 16]]);
  });
  it('keeps symbolic batch and length in the MACs', () => {
    expect(runOp('lstm', [['N', 'T', 128]], [256]).macs).toBe('393216*N*T');
  });
  it('follows PyTorch positional order (hidden_size, num_layers, bias, …)', () => {
    expect(runOp('lstm', [[1, 5, 8]], [4, 2, false]).params).toBe(torchParams(4, 8, 4, 2, false, false));
    expect(runOp('rnn', [[1, 5, 8]], [4, 1, 'relu']).params).toBe(torchParams(1, 8, 4, 1, false, true));
    expect(runOp('simple_rnn', [[1, 5, 8]], [4], { nonlinearity: 'relu' }).diagnostics).toEqual([]);
  });
});

describe('recurrent parameters and MACs', () => {
  it('match PyTorch named_parameters and the per-step products (property)', () => {
    const kinds = [['lstm', 4], ['gru', 3], ['rnn', 1]] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.record({ n: fc.integer({ min: 1, max: 4 }), t: fc.integer({ min: 1, max: 30 }), f: fc.integer({ min: 1, max: 64 }), h: fc.integer({ min: 1, max: 64 }), layers: fc.integer({ min: 1, max: 4 }), bi: fc.boolean(), bias: fc.boolean() }),
        ([name, gates], { n, t, f, h, layers, bi, bias }) => {
          const r = runOp(name, [[n, t, f]], [h, layers], { bidirectional: bi, bias });
          expect(r.params).toBe(torchParams(gates, f, h, layers, bi, bias));
          expect(r.params).toBe(r.trainable);
          // Brute force: count the multiplies of each step's x·W_ih and h·W_hh.
          let macs = 0;
          for (let step = 0; step < n * t; step++)
            for (let l = 0; l < layers; l++)
              for (let d = 0; d < (bi ? 2 : 1); d++) macs += gates * h * (l === 0 ? f : h * (bi ? 2 : 1)) + gates * h * h;
          expect(r.macs).toBe(macs);
          expect(r.shapes).toEqual([[n, t, h * (bi ? 2 : 1)]]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('recurrent errors', () => {
  it('needs a rank-3 sequence', () => {
    const r = runOp('lstm', [[1, 64, 8, 8]], [32]);
    expect(codes(r)).toEqual(['E0400']);
    expect(r.diagnostics[0]!.hint).toContain('reshape');
    expect(codes(runOp('gru', [[10, 32]], [32]))).toEqual(['E0400']);
  });
  it('needs concrete input features', () => {
    expect(codes(runOp('lstm', [['N', 'T', 'F']], [32]))).toEqual(['E0409']);
  });
  it('checks input_size, nonlinearity, dropout and hidden_size', () => {
    expect(codes(runOp('lstm', [[1, 10, 32]], [16], { input_size: 64 }))).toEqual(['E0402']);
    expect(runOp('lstm', [[1, 10, 32]], [16], { input_size: 32 }).diagnostics).toEqual([]);
    expect(codes(runOp('rnn', [[1, 10, 32]], [16], { nonlinearity: 'sigmoid' }))).toEqual(['E0301']);
    expect(codes(runOp('gru', [[1, 10, 32]], [16], { dropout: 2 }))).toEqual(['E0301']);
    expect(codes(runOp('gru', [[1, 10, 32]], [0]))).toEqual(['E0301']);
    expect(codes(runOp('gru', [[1, 10, 32]]))).toEqual(['E0203']);
  });
});
