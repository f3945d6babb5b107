/** Entry of `dslc lsp --stdio`: loaded by bin/dslc.cjs without the rest of the CLI (fast start-up). */
import { startServer } from './server.js';

const USAGE = 'usage: dslc lsp --stdio\n  Starts the language server on stdin/stdout (LSP). Editors start it; see README "Editor support".\n';

/** Runs the server; returns an exit code only for usage errors (the server exits on `exit`). */
export function runLsp(argv: readonly string[], err: (s: string) => void): number | undefined {
  const unknown = argv.filter((a) => a !== '--stdio');
  if (argv.includes('--help') || argv.includes('-h')) {
    err(USAGE);
    return 0;
  }
  if (unknown.length || !argv.includes('--stdio')) {
    err(`dslc lsp: ${unknown.length ? `unknown option '${unknown[0]}'` : 'only --stdio is supported'}\n${USAGE}`);
    return 2;
  }
  startServer();
  return undefined;
}

/**
 * Runs the service over a few files without a connection, so the bundler can record a V8 code cache
 * holding the functions a check, hover and completion compile (start-up to first diagnostics).
 */
export async function warmUp(files: readonly { path: string; text: string }[]): Promise<void> {
  const { LanguageService, hover, completion, inlayHints, codeLenses, semanticTokens } = await import('../service/index.js');
  const { nodeHost } = await import('../cli/host.js');
  const s = new LanguageService({ host: nodeHost() });
  for (const f of files) {
    s.set(f.path, f.text);
    const a = s.analyze(f.path);
    if (!a) continue;
    for (let o = 0; o < f.text.length; o += 97) hover(a, o);
    completion(a, f.text, f.text.length >> 1);
    inlayHints(a, 0, f.text.length);
    codeLenses(a);
    semanticTokens(a);
  }
}
