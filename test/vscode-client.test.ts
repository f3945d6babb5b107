/**
 * The VS Code client's JSON-RPC layer (editors/vscode/extension.js, `Connection`) against the reference
 * implementation of the other side, vscode-jsonrpc: requests, responses, notifications both ways, requests
 * from the server, and LSP framing with multi-byte text delivered in arbitrary chunks.
 */
import { PassThrough } from 'node:stream';
import { join, resolve } from 'node:path';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import { describe, expect, it } from 'vitest';
import { CodeActionKind, Diagnostic, DiagnosticRelatedInformation, Location, Position, Range, TextDocument, Uri, createVscodeMock, loadExtension } from './helpers/vscode-mock.js';

const ROOT = resolve(import.meta.dirname, '..');
const ext = loadExtension(join(ROOT, 'editors/vscode/extension.js'), createVscodeMock({}).api) as unknown as {
  Connection: new (...a: unknown[]) => unknown;
  spawnPlan(command: string, args: string[], platform: string): { command: string; args: string[]; shell: boolean };
  codeActionParams(doc: unknown, range: Range, ctx: unknown): { context: { diagnostics: unknown[]; only?: string[]; triggerKind?: number } };
};

interface Conn {
  request(method: string, params: unknown): Promise<unknown>;
  notify(method: string, params: unknown): void;
  on(method: string, handler: (p: unknown) => unknown): void;
}

/** A client Connection over in-memory pipes, and a vscode-jsonrpc peer on the other ends. */
function pair(chunkSize?: number) {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  // Optionally re-deliver the server's bytes in tiny chunks, splitting headers and UTF-8 sequences.
  const clientIn = new PassThrough();
  toClient.on('data', (b: Buffer) => {
    if (!chunkSize) return clientIn.write(b);
    for (let i = 0; i < b.length; i += chunkSize) clientIn.write(b.subarray(i, i + chunkSize));
  });
  const child = { stdin: toServer, stdout: clientIn };
  const client = new ext.Connection(child, () => {}) as unknown as Conn;
  const server = createMessageConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  server.listen();
  return { client, server };
}

describe('the VS Code client connection', () => {
  for (const chunk of [undefined, 1, 7]) {
    it(`talks to vscode-jsonrpc${chunk ? ` (bytes delivered ${chunk} at a time)` : ''}`, async () => {
      const { client, server } = pair(chunk);
      const seen: unknown[] = [];
      server.onRequest('echo', (p: unknown) => ({ back: p }));
      server.onRequest('fails', () => {
        throw new Error('no such thing');
      });
      server.onNotification('note', (p: unknown) => void seen.push(p));
      const text = 'shapes → [N, 64, 56, 56] · ×2 · 😀';
      expect(await client.request('echo', { text })).toEqual({ back: { text } });
      await expect(client.request('fails', {})).rejects.toThrow(/no such thing/);
      client.notify('note', { n: 1 });
      // Notifications and requests from the server reach the client's handlers; unknown requests get null.
      const got: unknown[] = [];
      client.on('textDocument/publishDiagnostics', (p) => got.push(p));
      client.on('workspace/configuration', () => [{ width: 100 }]);
      await server.sendNotification('textDocument/publishDiagnostics', { uri: 'file:///a.nn', diagnostics: [{ message: text }] });
      expect(await server.sendRequest('workspace/configuration', { items: [{ section: 'dslc' }] })).toEqual([{ width: 100 }]);
      expect(await server.sendRequest('window/unknownThing', {})).toBeNull();
      expect(got).toEqual([{ uri: 'file:///a.nn', diagnostics: [{ message: text }] }]);
      expect(seen).toEqual([{ n: 1 }]);
      server.dispose();
    });
  }

  it('once the server stopped (or never started), requests fail at once instead of waiting forever', async () => {
    const { client, server } = pair();
    server.onRequest('echo', (p: unknown) => p);
    expect(await client.request('echo', 1)).toBe(1);
    (client as unknown as { failAll(reason: string): void }).failAll('the language server stopped');
    const t0 = Date.now();
    await expect(client.request('echo', 2)).rejects.toThrow(/the language server stopped/);
    expect(Date.now() - t0).toBeLessThan(1000);
    server.dispose();
  });
});

describe('how the client spawns the server', () => {
  it('runs an executable (or node with the bundled launcher) directly, on every platform', () => {
    for (const platform of ['linux', 'darwin', 'win32'])
      for (const command of ['/usr/local/bin/dslc', 'C:\\Program Files\\nodejs\\node.exe', 'dslc'])
        expect(ext.spawnPlan(command, ['lsp', '--stdio'], platform)).toEqual({ command, args: ['lsp', '--stdio'], shell: false });
    // A file named like a batch file is only special on Windows.
    expect(ext.spawnPlan('/opt/dslc.cmd', ['lsp'], 'linux')).toEqual({ command: '/opt/dslc.cmd', args: ['lsp'], shell: false });
  });

  it('runs a Windows batch file (.cmd, .bat, any case) through the shell, as one escaped command line', () => {
    // Node ≥ 18.20.2 refuses to spawn a batch file without a shell (EINVAL).
    for (const command of ['dslc.cmd', 'C:\\tools\\dslc.CMD', 'C:\\tools\\dslc.bat']) {
      const plan = ext.spawnPlan(command, ['lsp', '--stdio'], 'win32');
      expect(plan.shell).toBe(true);
      expect(plan.args).toEqual([]); // (arguments given separately with `shell` are joined unescaped by Node)
      expect(plan.command).toBe(`${command} ^^^"lsp^^^" ^^^"--stdio^^^"`);
    }
  });

  it('escapes what cmd.exe would otherwise interpret: spaces, &, |, %, quotes, trailing backslashes', () => {
    const plan = ext.spawnPlan('C:\\Program Files\\dslc (dev)\\dslc.cmd', ['a b', 'x&calc', '100%', 'say "hi"', 'C:\\dir\\'], 'win32');
    const [command, ...args] = plan.command.split(/(?<!\^) /);
    expect(command).toBe('C:\\Program^ Files\\dslc^ ^(dev^)\\dslc.cmd');
    // Each argument: quoted for the program ("…", \" inside, backslashes before a quote doubled), then each
    // cmd.exe metacharacter escaped twice (^^^), as a batch file's %* is parsed once more.
    expect(args).toEqual(['^^^"a^^^ b^^^"', '^^^"x^^^&calc^^^"', '^^^"100^^^%^^^"', '^^^"say^^^ \\^^^"hi\\^^^"^^^"', '^^^"C:\\dir\\\\^^^"']);
    // No metacharacter is left unescaped: nothing can end the command or start another one.
    expect(plan.command.replace(/\^./g, '')).not.toMatch(/[&|<>()%!"^]/);
  });
});

describe('code action requests', () => {
  const doc = new TextDocument(Uri.file('/w/a.nn'), 'model M(x: [N, 3, 8, 8]) {}\n');
  const range = new Range(new Position(1, 2), new Position(1, 40));

  it('carry the context diagnostics in LSP form (code, source, range, severity, related), `only` and the trigger', () => {
    // VS Code hands the provider copies of the diagnostics, rebuilt from the editor's markers: only their fields.
    const d = new Diagnostic(range, "conv2d before batchnorm: its bias is redundant", 1);
    d.code = 'W0101';
    d.source = 'dslc';
    d.relatedInformation = [new DiagnosticRelatedInformation(new Location(Uri.file('/w/lib.nn'), new Range(new Position(0, 0), new Position(0, 5))), 'here')];
    const other = new Diagnostic(range, 'from another extension', 3);
    other.code = { value: 'X1', target: Uri.parse('https://example.com') } as unknown as string;
    const params = ext.codeActionParams(doc, range, { diagnostics: [d, other], only: CodeActionKind.QuickFix, triggerKind: 1 });
    expect(params).toEqual({
      textDocument: { uri: 'file:///w/a.nn' },
      range: { start: { line: 1, character: 2 }, end: { line: 1, character: 40 } },
      context: {
        diagnostics: [
          {
            range: { start: { line: 1, character: 2 }, end: { line: 1, character: 40 } }, message: d.message, severity: 2, code: 'W0101', source: 'dslc',
            relatedInformation: [{ location: { uri: 'file:///w/lib.nn', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } } }, message: 'here' }],
          },
          { range: { start: { line: 1, character: 2 }, end: { line: 1, character: 40 } }, message: 'from another extension', severity: 4, code: 'X1' },
        ],
        only: ['quickfix'],
        triggerKind: 1,
      },
    });
    // Without `only` (the light bulb asks for every kind), none is sent.
    expect(ext.codeActionParams(doc, range, { diagnostics: [], triggerKind: 2 }).context).toEqual({ diagnostics: [], triggerKind: 2 });
  });
});
