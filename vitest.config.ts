import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources, never a stale dist/.
    alias: [
      { find: /^softmax\/node$/, replacement: here('./packages/softmax/src/node/index.ts') },
      { find: /^softmax$/, replacement: here('./packages/softmax/src/index.ts') },
      { find: /^@softmax\/bench$/, replacement: here('./bench/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
  },
});
