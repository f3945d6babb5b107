/** `--emit json` validates against schema/graph.schema.json; `--emit dot` is accepted by Graphviz. */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { toDot } from '../src/lower/dot.js';
import { graphJson } from '../src/lower/graph-json.js';
import { ROOT, checkFile } from './helpers/compile.js';

const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.nn'));
const ajv = new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schema/graph.schema.json'), 'utf8')));

describe('--emit json', () => {
  it.each(examples)('%s: the checked graph matches schema/graph.schema.json', (f) => {
    const m = checkFile(`examples/${f}`).models[0]!;
    const j = JSON.parse(JSON.stringify(graphJson(m))) as { nodes: { id: number; macs: unknown }[]; totals: { params: number } };
    expect(validate(j), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(j.nodes.map((n) => n.id)).toEqual(m.graph.nodes.map((n) => n.id));
    expect(j.totals.params).toBe(m.totals.params);
  });
  it('rejects a mangled graph (the schema can fail)', () => {
    const j = JSON.parse(JSON.stringify(graphJson(checkFile('examples/lenet5.nn').models[0]!))) as { nodes: { source: { line: number } }[] };
    j.nodes[0]!.source.line = 0;
    expect(validate(j)).toBe(false);
  });
});

describe('--emit dot', () => {
  it('renders every example with Graphviz (Debian graphviz)', () => {
    for (const f of examples) {
      const dot = toDot(checkFile(`examples/${f}`).models[0]!);
      const r = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8' });
      expect(r.error, 'graphviz `dot` must be installed (.ci/run installs it)').toBeUndefined();
      expect(r.stderr, f).toBe('');
      expect(r.status, f).toBe(0);
      expect(r.stdout).toContain('<svg');
    }
  });
});
