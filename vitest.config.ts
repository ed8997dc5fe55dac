import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';
import { RENDERER_ALIASES } from './vite.aliases';

// Two projects:
//  - node: engine, CLI, studio and e2e tests. They run real tfjs (wasm and cpu
//    backends) and real sharp; they are CPU-heavy, so files run one at a time on
//    our 2-core machines and get long timeouts.
//  - renderer: Vue component and Pinia store tests (tests/renderer/**) in a DOM
//    (happy-dom), with the Vue plugin to compile .vue files.
export default defineConfig({
  // The renderer's @shared/@renderer imports (node tests import the ws client too).
  resolve: { alias: RENDERER_ALIASES },
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/renderer/**', 'node_modules/**'],
        },
      },
      {
        extends: true,
        plugins: [vue()],
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['tests/renderer/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
