import { readFileSync } from 'node:fs';

/**
 * This build's version, from the package.json two folders up (src/cli → the
 * project root, wherever it is installed or linked). '0.0.0' if unreadable,
 * so that `--version` or the studio's About never fails over it.
 */
export function packageVersion(): string {
  try {
    const url = new URL('../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
