import { defineConfig } from 'vitest/config';

// Engine tests run real tfjs (wasm and cpu backends) and real sharp; they are
// CPU-heavy, so files run one at a time on our 2-core machines and get long timeouts.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/renderer/**', 'node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
