import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import { buildContentSecurityPolicy } from './src/shared/csp';
import { RENDERER_ALIASES } from './vite.aliases';

/**
 * Writes the renderer CSP (src/shared/csp.ts) into index.html's <meta>, so the
 * meta and the header main sends are the same policy. Fails the build if the
 * meta tag has been removed.
 */
function rendererCspMeta(): Plugin {
  let dev = false;
  return {
    name: 'gan-studio:csp-meta',
    configResolved(config) {
      dev = config.command === 'serve';
    },
    transformIndexHtml(html) {
      const pattern = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")[^"]*(")/i;
      if (!pattern.test(html)) {
        throw new Error('src/renderer/index.html must keep its Content-Security-Policy <meta> tag');
      }
      const policy = buildContentSecurityPolicy({ dev, forMeta: true });
      return html.replace(pattern, (_match, start: string, end: string) => `${start}${policy}${end}`);
    },
  };
}

// Packages with native addons or .wasm files found at run time next to their
// JS: they must stay in node_modules (unpacked from the asar, see
// electron-builder.yml), never be bundled.
const MAIN_EXTERNALS = [/^@tensorflow\//, 'sharp', 'webgpu'];

export default defineConfig({
  main: {
    build: {
      // Default true as well; stated so nobody turns it off and bundles tfjs.
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          // Studio workers, started with utilityProcess.fork (src/main/utility-process.ts).
          'training-worker': resolve(import.meta.dirname, 'src/studio/workers/training-worker.ts'),
          'tools-worker': resolve(import.meta.dirname, 'src/studio/workers/tools-worker.ts'),
          // A worker_thread of the training worker (--replicas N, src/engine/train/replicas.ts).
          'replica-worker': resolve(import.meta.dirname, 'src/engine/train/replica-worker.ts'),
        },
        external: MAIN_EXTERNALS,
      },
    },
  },
  preload: {
    build: {
      // Sandboxed preloads can only require('electron') and a few Node
      // built-ins, so everything else must be bundled in.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        output: {
          // Sandboxed preloads cannot be ES modules.
          format: 'cjs',
          entryFileNames: '[name].cjs',
          chunkFileNames: 'chunks/[name]-[hash].cjs',
        },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    resolve: { alias: RENDERER_ALIASES },
    build: {
      // Browser mode sends these files over the wire: minified, the first load moves a third of the bytes.
      minify: 'esbuild',
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') },
      },
    },
    plugins: [vue(), rendererCspMeta()],
  },
});
