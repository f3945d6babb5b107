/**
 * W0108 (src/checker/rules/empty-output.ts): a layer whose output size is at least 1 only from some size of
 * its symbol on. One warning per symbol, with the largest bound and the layer that needs it; silent once a
 * `where` bound (or concrete sizes) covers it; sizes in several symbols are not judged. The bounds are
 * PyTorch's: the smallest input height its forward pass accepts (scripts/fixtures/torch_min_sizes.py).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, checkText, codes } from './helpers/compile.js';

const w0108 = (text: string, inputShapes?: ReadonlyMap<string, number>) =>
  checkText(text, inputShapes ? { inputShapes } : {}).diagnostics.filter((d) => d.code === 'W0108').map((d) => [d.message, d.span?.line, d.hint]);
const bounds = (text: string) => checkText(text).diagnostics.filter((d) => d.code === 'W0108').map((d) => d.bound);

const VGGISH = (where: string) => `model V(x: [N, 3, H, W])${where} {
  h = x
  for c in [8, 16, 32, 64, 64] {
    h = h -> conv2d(c, 3, padding=1) -> relu -> max_pool2d(2)
  }
  return h -> conv2d(10, 7) -> flatten
}`;

describe('W0108: an output that may be empty', () => {
  it('five poolings then a 7×7 head: one warning per symbol, for the head (224), not one per pooling', () => {
    expect(w0108(VGGISH(''))).toEqual([
      ['H must be at least 224: conv2d_6 makes floor(H/32) - 6 (axis 2), less than 1 below that', 6, 'declare it (`where H >= 224`), or pad the input'],
      ['W must be at least 224: conv2d_6 makes floor(W/32) - 6 (axis 3), less than 1 below that', 6, 'declare it (`where W >= 224`), or pad the input'],
    ]);
    // The bound as data too (the editor's quick fix adds it; JSON output carries it).
    expect(bounds(VGGISH(''))).toEqual([{ symbol: 'H', least: 224 }, { symbol: 'W', least: 224 }]);
    expect(bounds('model M(x: [N, 3, H, 32]) {\n  return x -> conv2d(8, 3) -> conv2d(8, 5)\n}\n')).toEqual([{ symbol: 'H', least: 7 }]);
  });

  it('is silent once a bound, or concrete sizes, cover it; a bound too small leaves the warning', () => {
    expect(w0108(VGGISH(' where H >= 224, W >= 224'))).toEqual([]);
    expect(w0108(VGGISH(''), new Map([['H', 224], ['W', 256]]))).toEqual([]);
    // Divisibility alone makes every pooling exact (H/32 ≥ 1), not the head (H/32 - 6 ≥ 1 from 224 on).
    expect(w0108(VGGISH(' where H % 32 == 0, W >= 224')).map((w) => w[0])).toEqual(['H must be at least 224: conv2d_6 makes H/32 - 6 (axis 2), less than 1 below that']);
    expect(w0108(VGGISH(' where H >= 200, W >= 224')).map((w) => w[0])).toEqual(['H must be at least 224: conv2d_6 makes floor(H/32) - 6 (axis 2), less than 1 below that']);
  });

  it('padded convolutions and poolings (a ResNet stem) never shrink a size below 1: no warning', () => {
    const r = checkText('model R(x: [N, 3, H, W]) {\n  return x -> conv2d(64, 7, stride=2, padding=3) -> max_pool2d(3, stride=2, padding=1) -> conv2d(64, 3, stride=2, padding=1) -> adaptive_avg_pool2d(1) -> flatten\n}');
    expect(codes(r)).toEqual([]);
  });

  it('a size in several symbols (a flatten of two shrunk sizes) is not judged; a concrete size below 1 stays an error of the layer', () => {
    expect(w0108('model F(x: [N, 3, H, W]) where H >= 7, W >= 7 {\n  return x -> conv2d(4, 7) -> flatten\n}')).toEqual([]);
    expect(codes(checkText('model C(x: [N, 3, 4, 4]) {\n  return x -> conv2d(4, 7)\n}'))).toEqual(['E0401']);
  });

  it('inside a block: at the layer that shrinks, from the block applied to a symbolic input', () => {
    const r = w0108('block stem(x: Tensor) -> Tensor {\n  return x -> conv2d(8, 5)\n}\nmodel B(x: [N, 3, H, 64]) {\n  return x -> stem()\n}');
    expect(r).toEqual([['H must be at least 5: stem_1.conv2d_1 makes H - 4 (axis 2), less than 1 below that', 2, 'declare it (`where H >= 5`), or pad the input']]);
  });

  it('names the smallest height PyTorch accepts, for each chain of the fixture (none where any height works)', () => {
    const fixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/torch/min_sizes.json'), 'utf8')) as { chains: { chain: string; least: number }[] };
    expect(fixture.chains.length).toBeGreaterThan(10);
    for (const { chain, least } of fixture.chains) {
      const r = checkText(`model M(x: [N, 3, H, 256]) {\n  return x -> ${chain}\n}`);
      expect(r.diagnostics.filter((d) => d.severity === 'error'), chain).toEqual([]);
      const bound = r.diagnostics.map((d) => /^H must be at least (\d+):/.exec(d.message)?.[1]).find(Boolean);
      expect({ chain, least: bound === undefined ? 1 : Number(bound) }).toEqual({ chain, least });
    }
  });
});
