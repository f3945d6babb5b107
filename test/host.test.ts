/**
 * The Node file host (src/cli/host.ts): which paths are the standard library's, on POSIX and Windows; one path
 * per file, whichever symbolic link reached it.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, win32 } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STDLIB_DIR, isInside, nodeHost } from '../src/cli/host.js';
import { check } from '../src/api.js';
import { loadProgram } from '../src/semantics/modules.js';

describe('isInside', () => {
  it('on POSIX paths: a file or folder below the folder, not the folder itself, a sibling with its name as prefix or a path that leaves it', () => {
    const std = '/opt/dslc/stdlib';
    expect(isInside(std, '/opt/dslc/stdlib/resnet.nn', posix)).toBe(true);
    expect(isInside(std, '/opt/dslc/stdlib/vision/vit.nn', posix)).toBe(true);
    expect(isInside(std, '/opt/dslc/stdlib/..x.nn', posix)).toBe(true);
    expect(isInside(std, std, posix)).toBe(false);
    expect(isInside(std, '/opt/dslc/stdlib2/resnet.nn', posix)).toBe(false);
    expect(isInside(std, '/opt/dslc/stdlib/../main.nn', posix)).toBe(false);
  });

  it('on Windows paths: backslashes, drive letters and case as Windows has them', () => {
    const std = 'C:\\Users\\me\\.vscode\\extensions\\dslc.dslc-nn-0.1.0\\server\\stdlib';
    expect(isInside(std, win32.join(std, 'resnet.nn'), win32)).toBe(true);
    expect(isInside(std, win32.join(std, 'vision', 'vit.nn'), win32)).toBe(true);
    expect(isInside(std, `c${win32.join(std, 'resnet.nn').slice(1).toLowerCase()}`, win32)).toBe(true);
    expect(isInside(std, 'D:\\Users\\me\\.vscode\\extensions\\dslc.dslc-nn-0.1.0\\server\\stdlib\\resnet.nn', win32)).toBe(false);
    expect(isInside(std, `${std}2\\resnet.nn`, win32)).toBe(false);
    expect(isInside(std, std, win32)).toBe(false);
  });
});

describe('nodeHost', () => {
  it("marks the standard library's files as std (the paths it builds for std.X), and no others", () => {
    const host = nodeHost();
    expect(host.isStd!(host.pathOf!('std.resnet', '/work/main.nn')!)).toBe(true);
    expect(host.isStd!(join(STDLIB_DIR, 'resnet.nn'))).toBe(true);
    expect(host.isStd!(host.pathOf!('./resnet.nn', '/work/main.nn')!)).toBe(false);
  });
});

describe('nodeHost: a file reached through symbolic links', () => {
  // (realpath: the temporary folder may itself be reached through a link, as /tmp on macOS.)
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'dslc-links-')));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const lib = join(dir, 'lib.nn');
  writeFileSync(lib, 'block a(x: Tensor) -> Tensor {\n  return x -> relu\n}\nblock b(x: Tensor) -> Tensor {\n  return x -> tanh\n}\n');
  symlinkSync('lib.nn', join(dir, 'link.nn'));
  mkdirSync(join(dir, 'real'));
  symlinkSync('real', join(dir, 'folder'));
  const main = join(dir, 'main.nn');

  it('resolves a link and its target to one path, the real one; a file not saved yet by its folder\'s real path', () => {
    const host = nodeHost();
    expect(host.resolve('./link.nn', main)).toBe(lib);
    expect(host.resolve('./lib.nn', main)).toBe(lib);
    expect(host.canonical(join(dir, 'link.nn'))).toBe(lib);
    expect(host.pathOf!('./folder/new.nn', main)).toBe(join(dir, 'real', 'new.nn'));
    expect(host.canonical('untitled:Untitled-1')).toBe('untitled:Untitled-1');
  });

  it('loads a module imported under both names once, so that its blocks are one', () => {
    const text = 'from "./link.nn" import a\nfrom "./lib.nn" import b\n\nmodel M(x: [N, 4]) {\n  return x -> a -> b\n}\n';
    const program = loadProgram(main, text, nodeHost());
    expect([...program.modules.keys()]).toEqual([main, lib]);
    expect(program.root.scope.get('a')!.module).toBe(program.root.scope.get('b')!.module);
    expect(check({ path: main, text, host: nodeHost() }).diagnostics).toEqual([]);
  });

  it('looks a real path up once, until told that links changed there (forget: the real paths the links had)', () => {
    const host = nodeHost();
    const link = join(dir, 'moving.nn');
    writeFileSync(join(dir, 'other.nn'), 'const K = 1\n');
    symlinkSync('lib.nn', link);
    expect(host.canonical(link)).toBe(lib);
    unlinkSync(link);
    symlinkSync('other.nn', link);
    expect(host.canonical(link)).toBe(lib);
    expect(host.forget(link)).toEqual([lib]);
    expect(host.canonical(link)).toBe(join(dir, 'other.nn'));
    // A folder: the paths below it are forgotten too.
    expect(host.canonical(join(dir, 'folder', 'x.nn'))).toBe(join(dir, 'real', 'x.nn'));
    expect(host.canonical(join(dir, 'folder'))).toBe(join(dir, 'real'));
    expect(host.forget(join(dir, 'folder'))).toEqual([join(dir, 'real')]);
  });

  it('reads relative imports beside the real file, also for a link from another folder (as Node does; the CLI and the editor agree)', () => {
    const nest = join(dir, 'nest');
    mkdirSync(join(nest, 'pkg'), { recursive: true });
    mkdirSync(join(nest, 'app'));
    writeFileSync(join(nest, 'pkg', 'helper.nn'), 'block h(x: Tensor) -> Tensor {\n  return x -> relu\n}\n');
    writeFileSync(join(nest, 'pkg', 'net.nn'), 'from "./helper.nn" import h\n\nmodel Net(x: [N, 4]) {\n  return x -> h\n}\n');
    symlinkSync(join(nest, 'pkg', 'net.nn'), join(nest, 'app', 'net.nn'));
    const entry = join(nest, 'app', 'net.nn');
    const host = nodeHost();
    expect(host.resolve('./helper.nn', entry)).toBe(join(nest, 'pkg', 'helper.nn'));
    const r = check({ path: entry, text: readFileSync(entry, 'utf8'), host });
    expect(r.diagnostics).toEqual([]);
    // The file given keeps the path it was given by.
    expect(r.models[0]!.graph.span.file).toBe(entry);
    expect(host.list!('./', entry)!.map((e) => e.name).sort()).toEqual(['helper.nn', 'net.nn']);
  });

  it('lists a link as what it leads to, for completing an import\'s path', () => {
    writeFileSync(join(dir, 'real', 'deep.nn'), 'const D = 2\n');
    const names = nodeHost().list!('./', main)!.filter((e) => !['other.nn', 'moving.nn', 'nest'].includes(e.name));
    expect(names.sort((x, y) => x.name.localeCompare(y.name))).toEqual([
      { name: 'folder', dir: true },
      { name: 'lib.nn', dir: false },
      { name: 'link.nn', dir: false },
      { name: 'real', dir: true },
    ]);
  });
});
