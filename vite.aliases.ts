/**
 * Import aliases of the renderer, shared by electron.vite.config.ts and
 * vitest.config.ts; tsconfig.web.json's `paths` say the same for the type
 * checker. The renderer imports only `@shared/*` and its own `@renderer/*`
 * (ESLint's no-restricted-imports enforces it).
 */
import { resolve } from 'node:path';

export const RENDERER_ALIASES = {
  '@shared': resolve(import.meta.dirname, 'src/shared'),
  '@renderer': resolve(import.meta.dirname, 'src/renderer/src'),
};
