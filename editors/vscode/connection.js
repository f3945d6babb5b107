// The parts of the VS Code client that need no `vscode` module: the JSON-RPC connection to the server and
// how its process is spawned (pure, so that the Windows decision is tested on any platform).
'use strict';

/** JSON-RPC 2.0 over a child process's stdio, with LSP's `Content-Length` headers. */
class Connection {
  constructor(child, log) {
    this.child = child;
    this.log = log;
    this.nextId = 1;
    /** Why the server answers nothing any more, once it stopped or never started. */
    this.dead = undefined;
    this.pending = new Map();
    this.handlers = new Map();
    this.buffer = Buffer.alloc(0);
    child.stdout.on('data', (chunk) => this.receive(chunk));
  }

  receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const m = /Content-Length:\s*(\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString('ascii'));
      if (!m) {
        this.buffer = this.buffer.subarray(headerEnd + 4);
        continue;
      }
      const length = Number(m[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      let msg;
      try {
        msg = JSON.parse(body);
      } catch {
        continue;
      }
      this.log('<-', msg);
      this.dispatch(msg);
    }
  }

  dispatch(msg) {
    if (msg.id !== undefined && msg.method === undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
      return;
    }
    const handler = this.handlers.get(msg.method);
    if (msg.id === undefined) {
      if (handler) handler(msg.params);
      return;
    }
    // A request from the server: answer it, with null for the ones this client does not implement.
    Promise.resolve(handler ? handler(msg.params) : null).then(
      (result) => this.write({ jsonrpc: '2.0', id: msg.id, result: result === undefined ? null : result }),
      (e) => this.write({ jsonrpc: '2.0', id: msg.id, error: { code: -32603, message: String(e && e.message) } }),
    );
  }

  write(msg) {
    this.log('->', msg);
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    if (this.child.stdin.writable) this.child.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  request(method, params, token) {
    // A server that stopped (or never started) answers nothing: fail at once rather than wait forever.
    if (this.dead) return Promise.reject(new Error(this.dead));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.write({ jsonrpc: '2.0', id, method, params });
      if (token) token.onCancellationRequested(() => this.notify('$/cancelRequest', { id }));
    });
  }

  notify(method, params) {
    this.write({ jsonrpc: '2.0', method, params });
  }

  on(method, handler) {
    this.handlers.set(method, handler);
  }

  failAll(reason) {
    this.dead = reason;
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
  }
}

// cmd.exe's metacharacters (https://www.robvanderwoude.com/escapechars.php), escaped with `^`.
const CMD_META = /([()\][%!^"`<>&|;, *?])/g;

/**
 * One argument of a batch file's command line: quoted for the program's own parser (backslashes before a
 * quote doubled, https://qntm.org/cmd), then every cmd.exe metacharacter escaped with `^`, twice: cmd.exe
 * parses the line, then the batch file's `%*` once more. (Node runs the line as `cmd.exe /d /s /c "…"`.)
 */
function quoteBatchArg(arg) {
  const quoted = `"${String(arg).replace(/(\\*)"/g, '$1$1\\"').replace(/(\\*)$/, '$1$1')}"`;
  return quoted.replace(CMD_META, '^$1').replace(CMD_META, '^$1');
}

/**
 * How to spawn `command args` on `platform`: `{ command, args, shell }` for child_process.spawn. A Windows
 * batch file (`.cmd`, `.bat`: npm's `dslc.cmd` shim) runs only through cmd.exe: since Node 18.20.2 spawning
 * one without `shell` fails with EINVAL (CVE-2024-27980). It then gets one command line, every part escaped
 * (a path with spaces, an argument with `&`), and no separate arguments, which Node would join unescaped.
 */
function spawnPlan(command, args, platform) {
  if (platform !== 'win32' || !/\.(cmd|bat)$/i.test(command)) return { command, args, shell: false };
  return { command: [command.replace(CMD_META, '^$1'), ...args.map(quoteBatchArg)].join(' '), args: [], shell: true };
}

module.exports = { Connection, spawnPlan };
