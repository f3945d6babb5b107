/** The Node file host (src/cli/host.ts): which paths are the standard library's, on POSIX and Windows. */
import { join, posix, win32 } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STDLIB_DIR, isInside, nodeHost } from '../src/cli/host.js';

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
