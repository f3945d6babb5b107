/** `--weights-map auto` on PyTorch state_dict names (unit level; the torch fixtures are in onnx-torch.test.ts). */
import { describe, expect, it } from 'vitest';
import { matchWeights, type WeightTensor } from '../src/lower/weights-file.js';
import { matchByStructure } from '../src/lower/weights-map.js';
import { checkText, errors } from './helpers/compile.js';

const tensor = (...dims: number[]): WeightTensor => ({ dims, dtype: 'float32', data: new Float32Array(dims.reduce((a, b) => a * b, 1)) });

describe('--weights-map auto', () => {
  it("pairs attention's dotted parameters (out_proj.weight) with torch's nn.MultiheadAttention names", () => {
    const r = checkText('model T(x: [N, 5, 16]) {\n  a = x -> multihead_attention(16, 4, name="attn")\n  y = a -> dense(8, name="fc")\n  return y\n}\n');
    expect(errors(r)).toEqual([]);
    const m = r.models[0]!;
    // torch's TransformerEncoderLayer state_dict: the out_proj Linear is a submodule of self_attn.
    const file = new Map([
      ['enc.self_attn.in_proj_weight', tensor(48, 16)], ['enc.self_attn.in_proj_bias', tensor(48)],
      ['enc.self_attn.out_proj.weight', tensor(16, 16)], ['enc.self_attn.out_proj.bias', tensor(16)],
      ['head.weight', tensor(8, 16)], ['head.bias', tensor(8)],
    ]);
    const auto = matchByStructure(m, 'sd', file);
    expect(auto.diagnostics.map((d) => d.message)).toEqual([]);
    expect(auto.table.find((t) => t.file === 'enc.self_attn.out_proj.weight')?.key).toBe('attn.out_proj.weight');
    expect(matchWeights(m, 'sd', auto.tensors).diagnostics).toEqual([]);
  });
  it('keeps a Linear named out_proj a layer of its own when no group holds its parent', () => {
    const r = checkText('model T(x: [N, 5, 16]) {\n  a = x -> multihead_attention(16, 4, name="attn")\n  y = a -> dense(16, name="fc")\n  return y\n}\n');
    const m = r.models[0]!;
    const file = new Map([
      ['attn.in_proj_weight', tensor(48, 16)], ['attn.in_proj_bias', tensor(48)],
      ['attn.out_proj.weight', tensor(16, 16)], ['attn.out_proj.bias', tensor(16)],
      ['decoder.out_proj.weight', tensor(16, 16)], ['decoder.out_proj.bias', tensor(16)],
    ]);
    const auto = matchByStructure(m, 'sd', file);
    expect(auto.diagnostics.map((d) => d.message)).toEqual([]);
    expect(auto.table.find((t) => t.file === 'decoder.out_proj.weight')?.key).toBe('fc.weight');
  });
  it("pairs a layer whose shapes are unique wherever the file lists it (torchvision ViT registers class_token first), and still refuses crossing repeated layers", () => {
    const r = checkText(
      'model T(x: [N, 3, 8, 8]) {\n  t = x -> conv2d(16, 4, stride=4, name="proj") -> flatten(start_dim=2) -> transpose(1, 2) -> class_token(name="cls") -> position_embedding(name="pos")\n' +
        '  y = t -> dense(16, name="a") -> layernorm(name="n1") -> dense(16, name="b") -> layernorm(name="n2")\n  return y\n}\n',
    );
    expect(errors(r)).toEqual([]);
    const m = r.models[0]!;
    const dense = (p: string): [string, WeightTensor][] => [[`${p}.weight`, tensor(16, 16)], [`${p}.bias`, tensor(16)]];
    const norm = (p: string): [string, WeightTensor][] => [[`${p}.weight`, tensor(16)], [`${p}.bias`, tensor(16)]];
    const head: [string, WeightTensor][] = [['class_token', tensor(1, 1, 16)], ['conv_proj.weight', tensor(16, 3, 4, 4)], ['conv_proj.bias', tensor(16)], ['encoder.pos_embedding', tensor(1, 5, 16)]];
    const file = new Map([...head, ...dense('layers.0'), ...norm('norms.0'), ...dense('layers.1'), ...norm('norms.1')]);
    const auto = matchByStructure(m, 'sd', file);
    expect(auto.diagnostics.map((d) => d.message)).toEqual([]);
    expect(auto.table.filter((t) => !/^(layers|norms)\./.test(t.file)).map((t) => [t.file, t.key])).toEqual([
      ['conv_proj.weight', 'proj.weight'], ['conv_proj.bias', 'proj.bias'], ['class_token', 'cls.class_token'], ['encoder.pos_embedding', 'pos.pos_embedding'],
    ]);
    expect(auto.table.find((t) => t.file === 'layers.1.weight')?.key).toBe('b.weight');
    expect(matchWeights(m, 'sd', auto.tensors).diagnostics).toEqual([]);
    // Dense layers listed before the norms (nn.TransformerEncoderLayer's order), shapes repeating: refused.
    const swapped = new Map([...head, ...dense('layers.0'), ...dense('layers.1'), ...norm('norms.0'), ...norm('norms.1')]);
    expect(matchByStructure(m, 'sd', swapped).diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/ambiguous structural match/)]);
  });
});
