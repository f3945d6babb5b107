/**
 * The VS Code client's JSON-RPC layer (editors/vscode/extension.js, `Connection`) against the reference
 * implementation of the other side, vscode-jsonrpc: requests, responses, notifications both ways, requests
 * from the server, and LSP framing with multi-byte text delivered in arbitrary chunks.
 */
import { PassThrough } from 'node:stream';
import { join, resolve } from 'node:path';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import { describe, expect, it } from 'vitest';
import { createVscodeMock, loadExtension } from './helpers/vscode-mock.js';

const ROOT = resolve(import.meta.dirname, '..');
const ext = loadExtension(join(ROOT, 'editors/vscode/extension.js'), createVscodeMock({}).api);

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
      server.onNotification('note', (p: unknown) => seen.push(p));
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
