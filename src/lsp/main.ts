/** Entry of `dslc lsp --stdio`: loaded by bin/dslc.js without the rest of the CLI (fast start-up). */
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
