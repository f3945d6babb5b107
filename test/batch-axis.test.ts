/**
 * The batch symbol of a model: axis 0 of its inputs, except where a layer reads its batch elsewhere (time-major
 * recurrent and attention layers, `batch_first=false`: `[T, N, F]`). Costs are per sample over it (so a
 * time-major LSTM costs the same as its batch-first twin), and `--batch` binds it in the ONNX export.
 */
import { describe, expect, it } from 'vitest';
import { batchAxisOf, batchSymbols } from '../src/checker/memory.js';
import { formatDim } from '../src/symbolic/dim.js';
import { checkText } from './helpers/compile.js';
import { decodeModel, exportModel, graphOf, valueDims } from './helpers/onnx.js';

const model = (shape: string, body: string) => checkText(`model M(x: ${shape}) {\n  return x -> ${body}\n}\n`).models[0]!;

describe('batch symbols', () => {
  const layers = [
    ['lstm(8, return_sequences=false)', 'lstm(8, batch_first=false, return_sequences=false)'],
    ['gru(8, num_layers=2, bidirectional=true)', 'gru(8, num_layers=2, bidirectional=true, batch_first=false)'],
    ['multihead_attention(16, 4)', 'multihead_attention(16, 4, batch_first=false)'],
  ] as const;
  it.each(layers)('%s costs per sample the same batch-first and time-major', (bf, tm) => {
    const a = model('[N, T, 16]', bf);
    const b = model('[T, N, 16]', tm);
    expect([...batchSymbols(a.graph)]).toEqual(['N']);
    expect([...batchSymbols(b.graph)]).toEqual(['N']);
    expect(batchAxisOf(b.graph, 0)).toBe(1);
    expect(formatDim(b.totals.macs)).toBe(formatDim(a.totals.macs));
    expect(formatDim(b.totals.macs)).toMatch(/T/);
  });

  it('a time-major layer after an embedding finds the batch through the shared symbol; axis 0 stays the default', () => {
    const m = checkText('model M(tokens: int64[T, N]) {\n  return tokens -> embedding(100, 16) -> lstm(8, batch_first=false)\n}\n').models[0]!;
    expect([...batchSymbols(m.graph)]).toEqual(['N']);
    expect(batchAxisOf(m.graph, 0)).toBe(1);
    expect([...batchSymbols(model('[B, 3, 8, 8]', 'conv2d(4, 3)').graph)]).toEqual(['B']);
    expect(batchAxisOf(model('[1, 3, 8, 8]', 'conv2d(4, 3)').graph, 0)).toBeUndefined();
  });

  it('the ONNX export with a batch binds N of a time-major input, not T', () => {
    const m = model('[T, N, 16]', 'lstm(8, batch_first=false, return_sequences=false)');
    const p = graphOf(decodeModel(exportModel(m, { batch: 4 }).bytes!));
    expect(valueDims(p.input[0]!)).toEqual(['T', 4, 16]);
    expect(valueDims(p.output[0]!)).toEqual([4, 8]);
  });
});
