/**
 * The one child runner of the bench scripts: run a command that prints its
 * result as a JSON line, and resolve with the last such line of its stdout
 * (plus its stderr). A failure rejects with the command and its last lines.
 */
import { spawn } from 'node:child_process';

/** @param {string} cmd @param {string[]} argv @param {{ cwd?: string, timeoutMs?: number }} [options] */
export function spawnJson(cmd, argv, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : null;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const line = out
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      if (code !== 0 || !line) {
        const tail = (err.trim() || out.trim()).split('\n').slice(-8).join('\n');
        reject(new Error(`${[cmd, ...argv].join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail}`));
        return;
      }
      try {
        resolve({ result: JSON.parse(line), stderr: err });
      } catch {
        reject(new Error(`${[cmd, ...argv].join(' ')} printed a line that is not JSON: ${line}`));
      }
    });
  });
}
