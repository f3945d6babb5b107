/** Command-line parsing: small and strict (unknown flags are usage errors, exit 2). */
import type { Dim } from '../symbolic/dim.js';

export class UsageError extends Error {
  constructor(message: string, readonly showHelp = false) {
    super(message);
  }
}

export interface Parsed {
  command: 'check' | 'summary' | 'compile' | 'run' | 'ops' | 'help' | 'version';
  emit?: string;
  output?: string;
  opset?: number;
  batch?: number;
  init?: 'he' | 'xavier' | 'zeros';
  seed?: number;
  weights?: string;
  /** `--external-data`: weights in a side file `<output>.data`. */
  externalData?: boolean;
  /** `--functions`: blocks as ONNX model-local functions. */
  functions?: boolean;
  /** `--fold-bn`: BatchNorm folded into the conv/dense before it (ONNX inference export). */
  foldBn?: boolean;
  /** `--weights-map FILE|auto`: how --weights names map to parameter keys (rename rules, or structural). */
  weightsMap?: string;
  /** `--verbose`: compile reports more (the --weights-map table). */
  verbose?: boolean;
  positional: string[];
  format?: string;
  model?: string;
  depth?: number;
  maxParams?: number;
  maxMacs?: number;
  baseline?: string;
  tolerance?: number;
  inputShapes?: Map<string, Dim>;
  /** `dslc run`: `--input [name=]x.npy` (repeatable), `--random`, `--output [name=]y.npy` (repeatable), `--backend`, `--bench N`. */
  inputs?: string[];
  random?: boolean;
  outputs?: string[];
  backend?: 'wasm' | 'cpu';
  bench?: number;
  debug: boolean;
}

const FORMATS: Record<string, string[]> = { check: ['human', 'json', 'sarif', 'github'], summary: ['table', 'json', 'markdown'] };
const SUFFIX: Record<string, number> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** `12M`, `1.5G`, `11689512`, `11_689_512`. */
export function parseCount(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec(v.replace(/[_,]/g, ''));
  if (!m) throw new UsageError(`${flag} expects a number like 12M or 11689512, got '${v}'`);
  return Math.round(Number(m[1]) * (SUFFIX[m[2]!] ?? 1));
}

export function parseArgs(argv: string[]): Parsed {
  const p: Parsed = { command: 'help', positional: [], debug: false };
  const rest = [...argv];
  const first = rest[0];
  // Bare `dslc` is a usage error (exit 2) that shows the help, unlike an asked-for `--help` (exit 0).
  if (first === undefined) throw new UsageError('no command given', true);
  if (first === '--help' || first === '-h' || first === 'help') return p;
  if (first === '--version' || first === '-V') return { ...p, command: 'version' };
  // `dslc model.nn --emit onnx` is `dslc compile model.nn --emit onnx`.
  if (first.endsWith('.nn') && rest.includes('--emit')) rest.unshift('compile');
  else if (!['check', 'summary', 'compile', 'run', 'ops'].includes(first)) throw new UsageError(`unknown command '${first}'`, true);
  p.command = rest[0] as Parsed['command'];
  rest.shift();
  const value = (flag: string): string => {
    const v = rest.shift();
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  while (rest.length) {
    let a = rest.shift()!;
    if (a.startsWith('--') && a.includes('=')) {
      rest.unshift(a.slice(a.indexOf('=') + 1));
      a = a.slice(0, a.indexOf('='));
    }
    switch (a) {
      case '--format':
      case '-f': {
        const f = value(a);
        const ok = FORMATS[p.command] ?? [];
        if (!ok.includes(f)) throw new UsageError(`--format must be one of ${ok.join(', ')} for ${p.command}, got '${f}'`);
        p.format = f;
        break;
      }
      case '--model':
        p.model = value(a);
        break;
      case '--depth': {
        const d = Number(value(a));
        if (!Number.isSafeInteger(d) || d < 0) throw new UsageError('--depth expects a non-negative integer');
        p.depth = d;
        break;
      }
      case '--max-params':
        p.maxParams = parseCount(a, value(a));
        break;
      case '--max-macs':
        p.maxMacs = parseCount(a, value(a));
        break;
      case '--baseline':
        p.baseline = value(a);
        break;
      case '--tolerance': {
        // A fraction (0.02) or a percentage (2%); a bare 2 would be ambiguous (2% or 200%?).
        const v = value(a);
        const pct = v.endsWith('%');
        const t = Number(pct ? v.slice(0, -1) : v);
        if (!/^\d/.test(v) || !Number.isFinite(t) || t < 0 || (!pct && t >= 1)) throw new UsageError(`--tolerance expects a fraction like 0.02 or a percentage like 2%, got '${v}'`);
        p.tolerance = pct ? t / 100 : t;
        break;
      }
      case '--input-shape': {
        p.inputShapes ??= new Map();
        for (const kv of value(a).split(',')) {
          const m = /^([A-Za-z_]\w*)=(\d+)$/.exec(kv.trim());
          if (!m || Number(m[2]) < 1) throw new UsageError(`--input-shape expects SYMBOL=SIZE pairs like N=1,H=224, got '${kv}'`);
          // (a size no double holds exactly would be checked as another one)
          if (!Number.isSafeInteger(Number(m[2]))) throw new UsageError(`--input-shape ${m[1]}=${m[2].length > 30 ? `${m[2].slice(0, 30)}…` : m[2]}: sizes must be below 2^53`);
          const prev = p.inputShapes.get(m[1]!);
          if (prev !== undefined && prev !== Number(m[2])) throw new UsageError(`--input-shape gives ${m[1]} twice (${prev} and ${m[2]})`);
          p.inputShapes.set(m[1]!, Number(m[2]));
        }
        break;
      }
      case '--debug':
        p.debug = true;
        break;
      case '--emit': {
        const e = value(a);
        if (!['onnx', 'json', 'dot', 'tfjs'].includes(e)) throw new UsageError(`--emit must be onnx, json, dot or tfjs, got '${e}'`);
        p.emit = e;
        break;
      }
      case '--weights':
        p.weights = value(a);
        break;
      case '--external-data':
        p.externalData = true;
        break;
      case '--functions':
        p.functions = true;
        break;
      case '--fold-bn':
        p.foldBn = true;
        break;
      case '--weights-map':
        p.weightsMap = value(a);
        break;
      case '--verbose':
      case '-v':
        p.verbose = true;
        break;
      case '-o':
      case '--output':
        p.output = value(a);
        (p.outputs ??= []).push(p.output);
        break;
      case '--input':
        (p.inputs ??= []).push(value(a));
        break;
      case '--random':
        p.random = true;
        break;
      case '--backend': {
        const b = value(a);
        if (b !== 'wasm' && b !== 'cpu') throw new UsageError(`--backend must be wasm or cpu, got '${b}'`);
        p.backend = b;
        break;
      }
      case '--bench': {
        const n = Number(value(a));
        if (!Number.isSafeInteger(n) || n < 1) throw new UsageError('--bench expects a positive number of runs');
        p.bench = n;
        break;
      }
      case '--opset': {
        const o = Number(value(a));
        if (!Number.isInteger(o) || o < 13 || o > 21) throw new UsageError('--opset must be an integer from 13 to 21');
        p.opset = o;
        break;
      }
      case '--batch': {
        const b = Number(value(a));
        // (1e20 is an integer to JavaScript, but no int64 dimension and no exact count)
        if (!Number.isSafeInteger(b) || b < 1) throw new UsageError('--batch must be a positive integer below 2^53');
        p.batch = b;
        break;
      }
      case '--init': {
        const i = value(a);
        if (i !== 'he' && i !== 'xavier' && i !== 'zeros') throw new UsageError(`--init must be he, xavier or zeros, got '${i}'`);
        p.init = i;
        break;
      }
      case '--seed': {
        const s = Number(value(a));
        if (!Number.isInteger(s) || s < 0 || s > 2 ** 32 - 1) throw new UsageError('--seed must be an integer from 0 to 4294967295');
        p.seed = s;
        break;
      }
      case '--help':
      case '-h':
        return { command: 'help', positional: [], debug: false };
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}'`);
        p.positional.push(a);
    }
  }
  if ((p.command === 'check' || p.command === 'summary' || p.command === 'compile' || p.command === 'run') && !p.positional.length) throw new UsageError(`${p.command} needs a file`);
  if (p.command === 'compile' && !p.emit) throw new UsageError('compile needs --emit onnx');
  if (p.command !== 'run' && (p.inputs || p.random || p.backend || p.bench !== undefined)) throw new UsageError('--input, --random, --backend and --bench belong to run (dslc run model.nn)');
  if (p.command === 'run' && (p.emit || p.opset !== undefined || p.externalData || p.functions)) throw new UsageError('--emit, --opset, --external-data and --functions belong to compile');
  if (p.command !== 'compile' && p.command !== 'run' && (p.emit || p.output || p.opset !== undefined || p.batch !== undefined || p.init || p.seed !== undefined || p.weights || p.externalData || p.functions))
    throw new UsageError('--emit, -o, --opset, --batch, --init, --seed, --weights, --external-data and --functions belong to compile (dslc model.nn --emit onnx)');
  if ((p.externalData || p.functions) && p.emit !== 'onnx') throw new UsageError(`${p.externalData ? '--external-data' : '--functions'} belongs to --emit onnx`);
  if (p.foldBn && p.emit !== 'onnx') throw new UsageError('--fold-bn belongs to --emit onnx');
  if (p.weightsMap !== undefined && !p.weights) throw new UsageError('--weights-map belongs to --weights (it says how the file\'s names map to the model\'s)');
  if (p.verbose && p.command !== 'compile') throw new UsageError('--verbose belongs to compile');
  if (p.weights && (p.init || (p.seed !== undefined && p.command !== 'run'))) throw new UsageError('--weights replaces --init/--seed: give one or the other');
  if (p.command !== 'check' && (p.baseline || p.maxMacs !== undefined || p.maxParams !== undefined)) throw new UsageError('--baseline, --max-params and --max-macs belong to check');
  if (p.command !== 'summary' && p.depth !== undefined) throw new UsageError('--depth belongs to summary');
  return p;
}
