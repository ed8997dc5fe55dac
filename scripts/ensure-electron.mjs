#!/usr/bin/env node
// Makes sure the Electron binary is present before `electron-vite dev` needs it.
//
// The `electron` npm package ships without its binary; the binary is fetched
// by the package's own `install-electron` bin (node_modules/electron/install.js),
// which writes node_modules/electron/path.txt. electron-vite reads that file and
// fails with a bare "Electron uninstall" when it is missing. This script runs
// the installer once if needed (the same thing `npx install-electron` does,
// without npx's registry fallback) and, if the download fails, prints one line
// saying so instead of a stack trace.
//
// Exit 0: binary present (or ELECTRON_EXEC_PATH points at one). Exit 1: not.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const FALLBACK = 'The CLI and `gan-studio serve` work without it.';

// On a terminal, show that a download is under way on a line that the result
// then overwrites, so a failure still reads as one line.
const tty = Boolean(process.stdout.isTTY);
let statusShown = false;

function clearStatus() {
  if (statusShown) process.stdout.write('\r\x1b[K');
  statusShown = false;
}

function fail(reason) {
  clearStatus();
  console.error(`Electron binary not installed and could not be downloaded (${reason}). ${FALLBACK}`);
  process.exit(1);
}

function binaryPresent(electronDir) {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return false;
  const executable = readFileSync(pathFile, 'utf8').trim();
  return executable !== '' && existsSync(join(electronDir, 'dist', executable));
}

/** The most telling line of the installer's output: its error message, not its stack. */
function summarise(output) {
  const lines = output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('at ') && !line.startsWith('npm warn'));
  const errorLine = lines.find((line) => /^(\w+)?Error\b|^Error:/.test(line)) ?? lines.at(-1);
  if (!errorLine) return 'the installer gave no reason';
  // undici reports every network-level failure (DNS, refused, offline) this way.
  if (/TypeError: fetch failed/.test(errorLine))
    return 'fetch failed: the Electron download server could not be reached';
  return errorLine.length > 200 ? `${errorLine.slice(0, 197)}...` : errorLine;
}

const override = process.env.ELECTRON_EXEC_PATH;
if (override) {
  if (existsSync(override)) process.exit(0);
  fail(`ELECTRON_EXEC_PATH points at ${override}, which does not exist`);
}

let electronDir;
try {
  electronDir = dirname(require.resolve('electron/package.json'));
} catch {
  fail('the electron package is missing; run `npm install`');
}

if (binaryPresent(electronDir)) process.exit(0);

if (tty) {
  process.stdout.write('Electron binary not found; downloading it once (install-electron)...');
  statusShown = true;
}
const installer = join(electronDir, 'install.js');
const result = spawnSync(process.execPath, [installer], {
  cwd: electronDir,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
  timeout: 10 * 60 * 1000,
});

if (result.error) {
  fail(result.error.code === 'ETIMEDOUT' ? 'the download timed out after 10 minutes' : result.error.message);
}
if (result.status !== 0 || !binaryPresent(electronDir)) {
  fail(summarise(`${result.stderr ?? ''}\n${result.stdout ?? ''}`));
}
clearStatus();
console.log('Electron binary installed.');
