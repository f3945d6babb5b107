/**
 * The standard-library modules that build whole families (std.efficientnet, std.densenet, std.regnet): the
 * blocks, with the arguments torchvision's builders pass, give torchvision's documented parameter counts
 * (`num_params` of each model's weights in the torchvision documentation) for the variants the examples
 * do not cover; the examples that import them (examples/*.nn) are compared layer by layer in
 * test/torch-fixtures.test.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../src/api.js';
import { nodeHost } from '../src/cli/host.js';
import { memoryHost } from '../src/semantics/modules.js';
import { LanguageService, hover } from '../src/service/index.js';
import { substitute } from '../src/symbolic/dim.js';
import { ROOT, checkFile, checkText, codes, errors } from './helpers/compile.js';

/** Checks `text` and returns the trainable-parameter total of each model, by name. */
function trainable(text: string): Record<string, number> {
  const r = checkText(text);
  expect(errors(r)).toEqual([]);
  return Object.fromEntries(r.models.map((m) => [m.graph.name, m.totals.trainableParams]));
}

describe('std.efficientnet', () => {
  // torchvision's `_efficientnet_conf`: the B0 table, scaled by width_mult and depth_mult; the stem and the
  // head (4× the last stage) are scaled with make_divisible as well; dropout as torchvision's builders.
  const SRC = `from std.efficientnet import make_divisible, conv_bn_silu, mbconv_stage
block effnet(x: Tensor, w: float, d: float, p: float) -> Tensor {
  h = x -> conv_bn_silu(make_divisible(32 * w), 3, stride=2, name="stem")
  for g in [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3), (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)] {
    h = h -> mbconv_stage(g[0], g[1], g[2], g[3], g[4], width_mult=w, depth_mult=d, name="stage")
  }
  return h -> conv_bn_silu(4 * make_divisible(320 * w), 1, name="head") -> adaptive_avg_pool2d(1) -> flatten -> dropout(p) -> dense(1000)
}
model B0(x: [N, 3, 224, 224]) { return x -> effnet(1.0, 1.0, 0.2) }
model B1(x: [1, 3, 240, 240]) { return x -> effnet(1.0, 1.1, 0.2) }
model B2(x: [1, 3, 260, 260]) { return x -> effnet(1.1, 1.2, 0.3) }
model B3(x: [1, 3, 300, 300]) { return x -> effnet(1.2, 1.4, 0.3) }
model B4(x: [1, 3, 380, 380]) { return x -> effnet(1.4, 1.8, 0.4) }
model B5(x: [1, 3, 456, 456]) { return x -> effnet(1.6, 2.2, 0.4) }
model B6(x: [1, 3, 528, 528]) { return x -> effnet(1.8, 2.6, 0.5) }
model B7(x: [1, 3, 600, 600]) { return x -> effnet(2.0, 3.1, 0.5) }
`;
  it('mbconv_stage with width and depth multipliers gives torchvision efficientnet_b0 … b7', () => {
    expect(trainable(SRC)).toEqual({
      B0: 5_288_548, B1: 7_794_184, B2: 9_109_994, B3: 12_233_232, B4: 19_341_616, B5: 30_389_784, B6: 43_040_704, B7: 66_347_960,
    });
  });

  it('B0 from stages equals examples/efficientnet_b0.nn (blocks one by one) in every total', () => {
    const staged = checkText(SRC, { model: 'B0' }).models[0]!;
    const example = checkFile('examples/efficientnet_b0.nn').models[0]!;
    const one = new Map([['N', 1]]);
    expect(staged.totals.trainableParams).toBe(example.totals.trainableParams);
    expect(staged.totals.nonTrainableParams).toBe(example.totals.nonTrainableParams);
    expect(substitute(staged.totals.macs, one)).toBe(substitute(example.totals.macs, one));
    // The same layers in the same order; the stages nest the blocks one level deeper (the example's
    // block_3.dw.conv is effnet_1.stage_2.block_2.dw.conv here).
    const seq = (m: typeof staged) => m.layers.map((l) => [l.op, l.outputShapes[0]!.map((d) => substitute(d, one)), l.params]);
    expect(seq(staged)).toEqual(seq(example));
    expect(staged.layers.map((l) => l.path)).toContain('effnet_1.stage_2.block_2.dw.conv');
    expect(example.layers.map((l) => l.path)).toContain('block_3.dw.conv');
  });

  it("make_divisible rounds as torchvision's _make_divisible, never losing more than 10%", () => {
    const r = checkText(`from std.efficientnet import make_divisible
model M(x: [1, 3]) {
  assert make_divisible(32 * 1.1) == 32
  assert make_divisible(320 * 1.4) == 448
  assert make_divisible(3) == 8
  assert make_divisible(20) == 24
  assert make_divisible(11) == 16
  assert make_divisible(10, 4) == 12
  return x
}`);
    expect(r.diagnostics).toEqual([]);
  });

  it('mbconv: se_ratio 0 leaves squeeze-and-excitation out; a stride other than 1 or 2 is an assertion error', () => {
    const r = checkText(`from std.efficientnet import mbconv
model M(x: [1, 16, 8, 8]) { return x -> mbconv(6, 3, 1, 16, se_ratio=0.0) }`);
    expect(errors(r)).toEqual([]);
    expect(r.models[0]!.layers.some((l) => l.path.includes('.se.'))).toBe(false);
    expect(r.models[0]!.layers.some((l) => l.node.op.name === 'add')).toBe(true);
    // The expansion is rounded as torchvision's adjust_channels: 3 · 12 = 36 becomes 40.
    const odd = checkText(`from std.efficientnet import mbconv
model M(x: [1, 12, 8, 8]) { return x -> mbconv(3, 3, 1, 12) }`);
    expect(odd.models[0]!.layers.find((l) => l.path === 'mbconv_1.expand.conv')!.outputShapes[0]).toEqual([1, 40, 8, 8]);
    const bad = checkText(`from std.efficientnet import mbconv
model M(x: [1, 16, 8, 8]) { return x -> mbconv(6, 3, 3, 16) }`);
    expect(codes(bad)).toContain('E0500');
    expect(bad.diagnostics.find((d) => d.code === 'E0500')!.message).toContain('stride 1 or 2');
  });
});

describe('std.densenet', () => {
  it('dense_block and transition give torchvision densenet121, 161, 169 and 201', () => {
    expect(trainable(`from std.densenet import dense_block, transition
block densenet(x: Tensor, init: int, growth: int, cfg: list) -> Tensor {
  h = x -> conv2d(init, 7, stride=2, padding=3, bias=false) -> batchnorm -> relu -> max_pool2d(3, stride=2, padding=1)
  for i in 0..len(cfg) {
    h = h -> dense_block(cfg[i], growth, name="denseblock" + str(i + 1))
    if i < len(cfg) - 1 {
      h = h -> transition(name="transition" + str(i + 1))
    }
  }
  return h -> batchnorm -> relu -> global_avg_pool -> flatten -> dense(1000)
}
model D121(x: [1, 3, 224, 224]) { return x -> densenet(64, 32, [6, 12, 24, 16]) }
model D161(x: [1, 3, 224, 224]) { return x -> densenet(96, 48, [6, 12, 36, 24]) }
model D169(x: [1, 3, 224, 224]) { return x -> densenet(64, 32, [6, 12, 32, 32]) }
model D201(x: [1, 3, 224, 224]) { return x -> densenet(64, 32, [6, 12, 48, 32]) }
`)).toEqual({ D121: 7_978_856, D161: 28_681_000, D169: 14_149_480, D201: 20_013_928 });
  });

  it('dense_block adds layers·growth channels with torchvision names; transition compresses and halves', () => {
    const r = checkText(`from std.densenet import dense_block, transition
model M(x: [1, 24, 16, 16]) { return x -> dense_block(3, 12, bn_size=2, name="db") -> transition(compression=0.25, name="t") }`);
    expect(errors(r)).toEqual([]);
    const m = r.models[0]!;
    expect(m.layers.at(-1)!.outputShapes[0]).toEqual([1, 15, 8, 8]); // floor(0.25 · (24 + 3·12))
    expect(m.layers.map((l) => l.path)).toEqual(expect.arrayContaining(['db.denselayer3.conv2', 't.conv', 't.pool']));
    expect(m.layers.find((l) => l.path === 'db.denselayer1.conv1')!.outputShapes[0]).toEqual([1, 24, 16, 16]); // bn_size · growth
  });
});

describe('std.regnet', () => {
  it('regnet_stage gives torchvision regnet_y_400mf, regnet_y_800mf, regnet_x_400mf and regnet_x_800mf', () => {
    // Widths, depths and group widths as torchvision's BlockParams.from_init_params derives them; X: no SE.
    expect(trainable(`from std.regnet import regnet_stage
block regnet(x: Tensor, widths: list, depths: list, g: int, se: float) -> Tensor {
  h = x -> conv2d(32, 3, stride=2, padding=1, bias=false) -> batchnorm -> relu
  for i in 0..len(widths) {
    h = h -> regnet_stage(widths[i], depths[i], group_width=g, se_ratio=se, name="block" + str(i + 1))
  }
  return h -> global_avg_pool -> flatten -> dense(1000)
}
model Y400(x: [1, 3, 224, 224]) { return x -> regnet([48, 104, 208, 440], [1, 3, 6, 6], 8, 0.25) }
model Y800(x: [1, 3, 224, 224]) { return x -> regnet([64, 144, 320, 784], [1, 3, 8, 2], 16, 0.25) }
model X400(x: [1, 3, 224, 224]) { return x -> regnet([32, 64, 160, 400], [1, 2, 7, 12], 16, 0.0) }
model X800(x: [1, 3, 224, 224]) { return x -> regnet([64, 128, 288, 672], [1, 3, 7, 5], 16, 0.0) }
`)).toEqual({ Y400: 4_344_144, Y800: 6_432_512, X400: 5_495_976, X800: 7_259_656 });
  });

  it("res_bottleneck: the squeeze width is Python's round(se_ratio · C), halves to even", () => {
    for (const [c, squeeze] of [[42, 10], [46, 12], [48, 12]] as const) {
      const r = checkText(`from std.regnet import res_bottleneck\nmodel M(x: [1, ${c}, 8, 8]) { return x -> res_bottleneck(48) }`);
      expect(r.models[0]!.layers.find((l) => l.path === 'res_bottleneck_1.se.fc1')!.outputShapes[0], String(c)).toEqual([1, squeeze, 1, 1]);
    }
  });

  it('res_bottleneck: a width that is not a multiple of the group width is an assertion error', () => {
    const bad = checkText(`from std.regnet import res_bottleneck
model M(x: [1, 16, 8, 8]) { return x -> res_bottleneck(20, group_width=8) }`);
    expect(codes(bad)).toContain('E0500');
    expect(bad.diagnostics.find((d) => d.code === 'E0500')!.message).toContain('multiple of the group width');
  });
});

describe('every standard module', () => {
  const modules = readdirSync(join(ROOT, 'stdlib')).filter((f) => f.endsWith('.nn')).map((f) => `std.${f.slice(0, -3)}`).sort();

  it('is listed in docs/language.md', () => {
    const doc = readFileSync(join(ROOT, 'docs/language.md'), 'utf8');
    const listed = doc.slice(doc.indexOf('The standard modules are'), doc.indexOf('- Any other module'));
    expect([...listed.matchAll(/`(std\.[a-z_]+)`/g)].map((m) => m[1]).sort()).toEqual(modules);
  });

  it('documents its blocks: hover on an imported block shows the doc comment from the stdlib file', () => {
    for (const [example, block, words] of [
      ['efficientnet_b0', 'mbconv', 'MBConv (torchvision `MBConv`)'],
      ['densenet121', 'dense_block', 'A dense block (torchvision `_DenseBlock`)'],
      ['regnet_y_400mf', 'regnet_stage', 'A RegNet stage (torchvision `AnyStage`)'],
    ] as const) {
      const path = join(ROOT, `examples/${example}.nn`);
      const text = readFileSync(path, 'utf8');
      const s = new LanguageService({ host: nodeHost() });
      s.set(path, text);
      const a = s.analyze(path)!;
      const h = hover(a, text.indexOf(`${block}(`, text.indexOf('model ')) + 2)!.contents;
      expect(h, example).toContain(`block ${block}(`);
      expect(h, example).toContain(words);
    }
  });

  it("E0206's hint lists the modules the host's stdlib has (never a stale list) and suggests the closest", () => {
    const hintOf = (r: ReturnType<typeof check>) => r.diagnostics.find((d) => d.code === 'E0206')!.hint;
    // A stdlib of its own: the hint is read from the host, not written into the compiler.
    const text = 'from std.convnxt import stage\nfrom resnet import basic_block\nmodel M(x: [1, 3]) { return x }\n';
    const mem = check({ path: 'main.nn', text, host: memoryHost({ 'main.nn': text, 'lib/convnext.nn': '', 'lib/nested/resnet.nn': '', 'lib/notes.md': '' }, 'lib') });
    const hints = mem.diagnostics.filter((d) => d.code === 'E0206').map((d) => d.hint);
    expect(hints).toEqual([
      'did you mean std.convnext? standard modules are std.convnext, std.nested.resnet; use a quoted relative path for your own files',
      'standard modules are std.convnext, std.nested.resnet; use a quoted relative path for your own files',
    ]);
    // The package's stdlib, through the file-system host and through the language service's host.
    const bad = 'from std.regnets import regnet_stage\nmodel M(x: [1, 3]) { return x }\n';
    const disk = hintOf(check({ path: join(ROOT, 'x.nn'), text: bad, host: nodeHost() }))!;
    expect(disk.startsWith('did you mean std.regnet? standard modules are ')).toBe(true);
    expect(disk.match(/std\.[a-z_.]+/g)!.slice(1)).toEqual(modules);
    const s = new LanguageService({ host: nodeHost() });
    s.set(join(ROOT, 'x.nn'), bad);
    expect(s.analyze(join(ROOT, 'x.nn'))!.diagnostics.find((d) => d.code === 'E0206')!.hint).toBe(disk);
  });
});
