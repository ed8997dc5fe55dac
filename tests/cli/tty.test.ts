/**
 * `gan-studio train` on a real terminal (a pty from util-linux's `script`):
 * the progress bar must not write over the lines printed around it, so the
 * screen ends with the checkpoint lines and the final line intact.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, TINY, makeTempDir, removeDir } from '../helpers/cli';
import { renderTerminal } from '../helpers/terminal';

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
let tmp: string;

beforeAll(async () => {
  tmp = await makeTempDir('gan-cli-tty-');
});

afterAll(async () => {
  await removeDir(tmp);
});

describe.skipIf(!hasScript)('train on a terminal', () => {
  it('keeps the checkpoint lines and the final line whole under the progress bar', async () => {
    const out = path.join(tmp, 'runs');
    const log = path.join(tmp, 'tty.log');
    const args = [
      CLI,
      'train',
      '--out',
      out,
      '--steps',
      '4',
      '--batch',
      '4',
      '--checkpoint-every',
      '2',
      '--sample-every',
      '0',
      ...TINY,
    ];
    const command = [process.execPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    execFileSync('script', ['-q', '-e', '-c', command, log], {
      env: { ...process.env, GAN_STUDIO_CACHE: path.join(tmp, 'cache'), NO_COLOR: '1' },
      stdio: 'ignore',
      timeout: 110_000,
    });
    const raw = await fs.readFile(log, 'utf8');
    expect(raw).toContain('\x1b['); // it really drew a bar
    const screen = renderTerminal(raw.replace(/^Script started.*\n/, '').replace(/\nScript done.*\n?$/, '')).filter(
      (l) => l.trim() !== '',
    );
    const runDir = path.join(out, '00001-run');
    const tail = screen.slice(-3);
    expect(tail).toEqual([
      `checkpoint: ${path.join(runDir, 'checkpoints', 'step-000002')}`,
      `checkpoint: ${path.join(runDir, 'checkpoints', 'step-000004')}`,
      `finished at step 4: ${runDir}`,
    ]);
  }, 120_000);
});
