/**
 * The harness of the ONNX-vs-reference op tests (onnx-misc, onnx-more): each case is a one-layer model exported to ONNX,
 * run in onnxruntime against a naive PyTorch-semantics reference written in the test file; every file also passes
 * onnx.checker (full) and strict shape inference, which must infer dslc's shapes.
 */
import ort from 'onnxruntime-node';
import { afterAll, expect, it } from 'vitest';
import type { CheckedModel } from '../../src/checker/analyze.js';
import { exportOnnx } from '../../src/lower/onnx/export.js';
import { initParam, paramKey } from '../../src/lower/weights.js';
import { evaluate, formatDim, isSymbolic } from '../../src/symbolic/dim.js';
import { checkText, errors } from './compile.js';
import { pyCheck, tempDir } from './onnx.js';

/** A row-major float64 tensor of the references. */
export interface T { shape: number[]; data: Float64Array }
const SEED = 1;
export const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
export const tensor = (shape: number[], data: ArrayLike<number> = new Float64Array(size(shape))): T => ({ shape, data: Float64Array.from(data) });
export const rnd = (n: number, salt: number, scale = 1) => Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.618 + salt * 7.3 + 0.1) * scale);
export const map = (x: T, f: (v: number, i: number) => number): T => tensor(x.shape, x.data.map(f));
/** Strides of a row-major shape. */
export const strides = (s: readonly number[]) => s.map((_, a) => size(s.slice(a + 1)));
/** [outer, n, inner] around axis a: element (o, j, i) is at (o·n + j)·inner + i. */
export const around = (s: readonly number[], a: number): [number, number, number] => [size(s.slice(0, a)), s[a]!, size(s.slice(a + 1))];

/** The layer's parameter values (as exported), by name. */
export type Params = (name: string) => T | undefined;
export interface Case {
  call: string;
  /** Input shapes (x, x1, x2, …); symbolic ones need `run`. */
  inputs: (number | string)[][];
  run?: number[][];
  dtype?: 'int64' | 'int32';
  opset?: number;
  ref: (xs: T[], p: Params) => T;
}

export function compile(src: string): CheckedModel {
  const r = checkText(src);
  expect(errors(r).map((d) => d.message)).toEqual([]);
  return r.models[0]!;
}
const names = (c: Case) => c.inputs.map((_, i) => (i ? `x${i}` : 'x'));
const modelText = (c: Case) => `model M(${c.inputs.map((s, i) => `${names(c)[i]}: ${i === 0 ? (c.dtype ?? '') : ''}[${s.join(', ')}]`).join(', ')}) {\n  y = x -> ${c.call}\n  return y\n}`;

/** One test per case (export, onnxruntime, reference) and one for the checker over all the files; `minChecked`: files the checker must see. */
export function onnxCases(cases: readonly Case[], minChecked: number): void {
  const tmp = tempDir('dslc-onnx-cases-');
  afterAll(() => tmp.cleanup());
  const files: { file: string; symbolic: boolean }[] = [];
  cases.forEach((c, ci) =>
    it(`${c.call} on ${c.inputs.map((s) => `[${s.join(', ')}]`).join(', ')}${c.opset ? ` (opset ${c.opset})` : ''}`, async () => {
      const m = compile(modelText(c));
      const node = m.graph.nodes[0]!;
      // Non-trivial values for what fresh init makes 0 or 1 (biases, running statistics, norm scales); weights: export's own init.
      const given = new Map(node.params.filter((p) => !/weight$/.test(p.name) || p.init).map((p, i) => [paramKey(node, p), Float32Array.from(rnd(size(p.shape), i + 1, 0.5), (v) => (p.name === 'running_var' ? Math.abs(v) + 0.5 : v))]));
      const { result, diagnostics } = exportOnnx(m, { seed: SEED, opset: c.opset, weights: given });
      expect(diagnostics.map((d) => d.message)).toEqual([]);
      const file = tmp.write(`case${ci}.onnx`, result!);
      files.push({ file, symbolic: c.run !== undefined });

      const shapes = c.run ?? (c.inputs as number[][]);
      const xs = shapes.map((s, i) => tensor(s, c.dtype && i === 0 ? rnd(size(s), i).map((v) => Math.floor((v + 1) * 4.99)) : rnd(size(s), i + 10, 3)));
      const p: Params = (name) => {
        const q = node.params.find((x) => x.name === name);
        return q && tensor([...q.shape], given.get(paramKey(node, q)) ?? initParam(m.graph, node, q, 'he', SEED));
      };
      const session = await ort.InferenceSession.create(result!);
      const feeds: Record<string, ort.Tensor> = {};
      xs.forEach((x, i) => (feeds[names(c)[i]!] = c.dtype && i === 0 ? new ort.Tensor(c.dtype, c.dtype === 'int64' ? BigInt64Array.from(x.data, (v) => BigInt(v)) : Int32Array.from(x.data), x.shape) : new ort.Tensor('float32', Float32Array.from(x.data), x.shape)));
      const got = (await session.run(feeds))[session.outputNames[0]!]!;
      const env = new Map<string, number>();
      m.graph.inputs.forEach((port, i) => m.graph.tensors[port.tensor]!.type.shape.forEach((d, a) => isSymbolic(d) && env.set(formatDim(d), shapes[i]![a]!)));
      const want = c.ref(xs, p);
      expect(got.dims).toEqual(m.graph.tensors[m.graph.outputs[0]!.tensor]!.type.shape.map((d) => evaluate(d, env)));
      expect(got.dims).toEqual(want.shape);
      const data = Array.from(got.data as Float32Array | Int32Array | BigInt64Array, Number);
      const bad = data.findIndex((v, j) => !(Math.abs(v - want.data[j]!) <= 1e-4 * Math.max(1, Math.abs(want.data[j]!))));
      expect(bad < 0 ? 'ok' : `[${bad}]: ${data[bad]} vs reference ${want.data[bad]}`).toBe('ok');
    }),
  );

  it("passes onnx.checker (full) and strict shape inference, which infers dslc's shapes", () => {
    expect(files.length).toBe(cases.length);
    const out = pyCheck(files.map((f) => f.file));
    let checked = 0;
    for (const { file, symbolic } of files) {
      const r = out.files.get(file)!;
      if (r.opset! > out.maxOpset) continue; // newer than this onnx knows (onnxruntime ran it above)
      checked++;
      expect({ file, error: r.error }).toEqual({ file, error: null });
      for (const [name, dims] of Object.entries(r.declared)) {
        const inferred = r.shapes[name];
        // Sizes read with Shape at run time may stay unknown for onnx (null, unk__k) where dslc names them.
        const unknown = (v: unknown) => v === null || /^unk__\d+$/.test(String(v));
        const same = inferred?.length === dims!.length && dims!.every((d, i) => d === inferred[i] || (symbolic && typeof d === 'string' && unknown(inferred[i])));
        expect(same ? 'same' : `${file} ${name}: inferred ${JSON.stringify(inferred)}, declared ${JSON.stringify(dims)}`).toBe('same');
      }
    }
    expect(checked).toBeGreaterThan(minChecked);
  });
}

