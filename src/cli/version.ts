/** Kept equal to package.json's version (test/cli.test.ts checks it) so the CLI needs no JSON read at start-up. */
export const VERSION = '0.1.0';
