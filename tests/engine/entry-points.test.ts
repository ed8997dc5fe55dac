/**
 * The engine's two entry points: `index` (everything) and `light` (no
 * tfjs), which the studio backend and the server import so their event loop
 * never pays for TensorFlow.js. Checked in fresh processes: tfjs-core keeps
 * its engine in `globalThis._tfengine` once it has loaded.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function loadsTfjs(modulePath: string): boolean {
  const url = new URL(`file://${path.join(ROOT, modulePath)}`).href;
  const code = `await import(${JSON.stringify(url)}); process.stdout.write(String('_tfengine' in globalThis));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return out.trim() === 'true';
}

describe('engine entry points', () => {
  it('light and the studio backend load no tfjs; index does', () => {
    expect(loadsTfjs('src/engine/light.ts')).toBe(false);
    expect(loadsTfjs('src/studio/backend.ts')).toBe(false);
    expect(loadsTfjs('src/engine/index.ts')).toBe(true);
  }, 120_000);
});
