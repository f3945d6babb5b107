/** Every example checks clean; its summary is pinned by a golden file; the classic RF table is reproduced. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarize } from '../src/api.js';
import { renderHuman } from '../src/cli/render-human.js';
import { renderTable } from '../src/cli/render-summary.js';
import { ROOT, checkFile, errors } from './helpers/compile.js';
import { expectGolden } from './helpers/golden.js';

const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.nn')).sort();
const rel = (p: string) => p.replace(`${ROOT}/`, '');

describe('examples', () => {
  it('covers the models the design promises', () => {
    for (const m of ['lenet5', 'alexnet', 'zf5', 'vgg16', 'resnet18', 'resnet50', 'googlenet', 'mobilenet_v1', 'mobilenet_v2', 'unet', 'lstm_text', 'siamese', 'yolo_head'])
      expect(examples).toContain(`${m}.nn`);
  });
  for (const f of examples) {
    it(`${f} checks clean and matches its golden summary`, () => {
      const r = checkFile(`examples/${f}`);
      expect(errors(r)).toEqual([]);
      expect(r.models.length).toBe(1);
      const warnings = r.diagnostics.map((d) => renderHuman({ ...d, ...(d.span ? { span: { ...d.span, file: rel(d.span.file) } } : {}), notes: d.notes.map((n) => (n.span ? { ...n, span: { ...n.span, file: rel(n.span.file) } } : n)) }, () => undefined, { color: false }));
      expectGolden(join(ROOT, 'test/golden/examples', f.replace(/\.nn$/, '.txt')), `${renderTable(summarize(r.models[0]!))}\n${warnings.join('\n\n')}`);
    });
  }
});

/** Output size / jump / RF size at 224×224, from ../shared/domain-notes.md (the classic table). */
const RF_TABLE: Record<string, [string, number, number, number][]> = {
  'vgg16.nn': [
    ['stage1.conv', 224, 1, 3], ['stage1.conv_2', 224, 1, 5], ['stage1.pool', 112, 2, 6], ['stage2.conv_2', 112, 2, 14], ['stage2.pool', 56, 4, 16],
    ['stage3.conv_3', 56, 4, 40], ['stage3.pool', 28, 8, 44], ['stage4.conv_3', 28, 8, 92], ['stage4.pool', 14, 16, 100], ['stage5.conv_3', 14, 16, 196], ['stage5.pool', 7, 32, 212],
  ],
  // torchvision's AlexNet pads conv1 by 2 (55×55); the RF and jumps are those of the [11, 4, 0] table.
  'alexnet.nn': [['conv1', 55, 4, 11], ['pool1', 27, 8, 19], ['conv2', 27, 8, 51], ['pool2', 13, 16, 67], ['conv5', 13, 16, 163], ['pool5', 6, 32, 195]],
  'zf5.nn': [['conv1', 112, 2, 7], ['pool1', 56, 4, 11], ['conv2', 28, 8, 27], ['pool2', 14, 16, 43], ['conv5', 14, 16, 139]],
};

describe('classic receptive-field table', () => {
  for (const [file, rows] of Object.entries(RF_TABLE)) {
    it(file, () => {
      const m = checkFile(`examples/${file}`).models[0]!;
      for (const [path, size, jump, rf] of rows) {
        const l = m.layers.find((x) => x.path === path);
        expect(l, path).toBeDefined();
        expect([l!.outputShapes[0]![2], l!.rf![0]!.jump, l!.rf![0]!.size, l!.rf![1]!.size], path).toEqual([size, jump, rf, rf]);
      }
    });
  }
});
