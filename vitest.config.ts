import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Language servers started by the tests keep their diagnostics cache in a fresh directory, not in ~/.cache.
process.env.DSLC_CACHE_DIR ??= mkdtempSync(join(tmpdir(), 'dslc-test-cache-'));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
