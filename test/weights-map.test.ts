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
  describe('block by block (torch registers a block\'s layers in another order than it applies them)', () => {
    // Two applications of a block: dense a, norm n1, dense b, norm n2 in forward order, all of equal shapes.
    const src =
      'block blk(x: Tensor) -> Tensor {\n  return x -> dense(16, name="a") -> layernorm(name="n1") -> dense(16, name="b") -> layernorm(name="n2")\n}\n' +
      'model T(x: [N, 5, 16]) {\n  h = x -> blk(name="blk_0") -> blk(name="blk_1") -> layernorm(name="norm")\n  return h\n}\n';
    const m = () => {
      const r = checkText(src);
      expect(errors(r)).toEqual([]);
      return r.models[0]!;
    };
    const layer = (p: string, ...order: string[]): [string, WeightTensor][] =>
      order.flatMap((l): [string, WeightTensor][] => [[`${p}.${l}.weight`, l.startsWith('n') ? tensor(16) : tensor(16, 16)], [`${p}.${l}.bias`, tensor(16)]]);
    it("pairs blocks in order, and inside each block layers of unique shapes wherever they are, repeated ones in order (under a wrapper's prefix too)", () => {
      // Like nn.TransformerEncoderLayer: a 16×32 and a 32×16 dense layer (unique shapes) registered before the norms.
      const s2 =
        'block blk(x: Tensor) -> Tensor {\n  return x -> layernorm(name="n1") -> dense(32, name="l1") -> dense(16, name="l2") -> layernorm(name="n2")\n}\n' +
        'model T(x: [N, 5, 16]) {\n  h = x -> blk(name="blk_0") -> blk(name="blk_1") -> layernorm(name="norm")\n  return h\n}\n';
      const mm = checkText(s2).models[0]!;
      const ff = (p: string): [string, WeightTensor][] => [[`${p}.l1.weight`, tensor(32, 16)], [`${p}.l1.bias`, tensor(32)], [`${p}.l2.weight`, tensor(16, 32)], [`${p}.l2.bias`, tensor(16)], [`${p}.n1.weight`, tensor(16)], [`${p}.n1.bias`, tensor(16)], [`${p}.n2.weight`, tensor(16)], [`${p}.n2.bias`, tensor(16)]];
      const file = new Map([...ff('encoder.layers.0'), ...ff('encoder.layers.1'), ['encoder.norm.weight', tensor(16)], ['encoder.norm.bias', tensor(16)]]);
      const auto = matchByStructure(mm, 'sd', file);
      expect(auto.diagnostics.map((d) => d.message)).toEqual([]);
      expect(auto.table.map((t) => `${t.file} ${t.key}`)).toEqual(expect.arrayContaining([
        'encoder.layers.0.n1.weight blk_0.n1.weight', 'encoder.layers.0.n2.bias blk_0.n2.bias', 'encoder.layers.1.l2.weight blk_1.l2.weight', 'encoder.layers.1.n1.bias blk_1.n1.bias', 'encoder.norm.weight norm.weight',
      ]));
      expect(matchWeights(mm, 'sd', auto.tensors).diagnostics).toEqual([]);
    });
    it('pairs blocks listed in the forward order of their layers as before', () => {
      const file = new Map([...layer('blk.0', 'a', 'n1', 'b', 'n2'), ...layer('blk.1', 'a', 'n1', 'b', 'n2'), ...layer('', 'norm').map(([k, v]): [string, WeightTensor] => [k.slice(1), v])]);
      expect(matchByStructure(m(), 'sd', file).diagnostics).toEqual([]);
    });
    it('refuses a block whose layers of equal shapes the file lists in another order (a, b before n1, n2: which dense is which?)', () => {
      const file = new Map([...layer('blk.0', 'a', 'b', 'n1', 'n2'), ...layer('blk.1', 'a', 'b', 'n1', 'n2'), ['norm.weight', tensor(16)], ['norm.bias', tensor(16)]]);
      const d = matchByStructure(m(), 'sd', file).diagnostics;
      expect(d.map((x) => x.code)).toEqual(['E0601']);
      expect(d[0]!.message).toMatch(/ambiguous structural match: .*; block by block, blk_0\.b takes 'blk\.0\.b', which the file lists before 'blk\.0\.n1' \(taken by blk_0\.n1\)/);
    });
  });
});
