/**
 * `gan-studio train` on a real terminal (a pty from util-linux's `script`):
 * the progress bars (import and training) must not write over the lines
 * printed around them, so the screen ends with the checkpoint lines, the
 * signal line and the final line intact, and the bar's last state on a line
 * of its own between them.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, TINY, makeTempDir, removeDir } from '../helpers/cli';
import { renderTerminal } from '../helpers/terminal';

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
let tmp: string;

beforeAll(async () => {
  tmp = await makeTempDir('gan-cli-tty-');
});

afterAll(async () => {
  await removeDir(tmp);
});

const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

/** What the terminal shows at the end of `log` (script's own first and last lines left out), blank lines dropped. */
async function screenOf(log: string): Promise<string[]> {
  const raw = await fs.readFile(log, 'utf8');
  expect(raw).toContain('\x1b['); // it really drew a bar
  return renderTerminal(raw.replace(/^Script started.*\n/, '').replace(/\nScript done.*\n?$/, '')).filter(
    (l) => l.trim() !== '',
  );
}

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
    const command = [process.execPath, ...args].map(quote).join(' ');
    execFileSync('script', ['-q', '-e', '-c', command, log], {
      env: { ...process.env, GAN_STUDIO_CACHE: path.join(tmp, 'cache'), NO_COLOR: '1' },
      stdio: 'ignore',
      timeout: 110_000,
    });
    const screen = await screenOf(log);
    const runDir = path.join(out, '00001-run');
    const tail = screen.slice(-4);
    const shown = `the terminal showed:\n${screen.slice(-8).join('\n')}`;
    expect(tail[0], shown).toBe(`checkpoint: ${path.join(runDir, 'checkpoints', 'step-000002')}`);
    expect(tail[1], shown).toBe(`checkpoint: ${path.join(runDir, 'checkpoints', 'step-000004')}`);
    // The bar as it ended: full, with the ETA kept inside script's 80 columns (the line is cut, never wrapped).
    expect(tail[2], shown).toMatch(/^step 4\/4 \u2588+ ETA 0s \| [\d.]+ img\/s \| D /);
    expect(tail[2].length, shown).toBeLessThan(80);
    expect(tail[3], shown).toBe(`finished at step 4: ${runDir}`);
  }, 120_000);

  it('keeps the signal line and the final line whole when Ctrl-C comes during the import', async () => {
    // A folder the import takes seconds over (the demo images, each linked four times), so the signal
    // lands while the import bar is drawn; a fresh cache, so the import really decodes.
    const demo = path.join(REPO_ROOT, 'resources', 'demo', 'fashion-mnist');
    const data = path.join(tmp, 'many');
    for (const cls of await fs.readdir(demo)) {
      for (let copy = 0; copy < 4; copy++) {
        const dir = path.join(data, `${cls}-${copy}`);
        await fs.mkdir(dir, { recursive: true });
        for (const f of await fs.readdir(path.join(demo, cls)))
          await fs.symlink(path.join(demo, cls, f), path.join(dir, f));
      }
    }
    const log = path.join(tmp, 'tty-import.log');
    const pidFile = path.join(tmp, 'trainer.pid');
    const args = [CLI, 'train', '--data', data, '--out', path.join(tmp, 'runs-import'), '--steps', '4', ...TINY];
    // The shell writes its pid and becomes the trainer, so the signal goes to the trainer alone.
    const command = `echo $$ > ${quote(pidFile)}; exec ${[process.execPath, ...args].map(quote).join(' ')}`;
    const child = spawn('script', ['-q', '-e', '-c', command, log], {
      env: { ...process.env, GAN_STUDIO_CACHE: path.join(tmp, 'cache-import'), NO_COLOR: '1' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 100_000;
    while (!(await fs.readFile(log, 'utf8').catch(() => '')).includes('importing')) {
      if (Date.now() > deadline) throw new Error('the import bar never appeared');
      await new Promise((r) => setTimeout(r, 50));
    }
    const trainer = Number((await fs.readFile(pidFile, 'utf8')).trim());
    process.kill(trainer, 'SIGINT');
    // One Ctrl-C must end the process: nothing (a bar's timer, a decode still running) may keep it alive.
    // A stop that never comes fails with what the terminal showed, not with the test's timeout.
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 90_000))]);
    if (code === 'hung') {
      // The trainer first (killing `script` alone leaves it running), then script.
      try {
        process.kill(trainer, 'SIGKILL');
      } catch {
        // already gone
      }
      child.kill('SIGKILL');
    }
    const screen = await screenOf(log);
    const shown = `the terminal showed:\n${screen.slice(-8).join('\n')}`;
    expect(code, shown).toBe(0);
    const tail = screen.slice(-3);
    expect(tail[0], shown).toBe('SIGINT: stopping');
    expect(tail[1], shown).toMatch(/^importing \S+ \d+\/12000 images$/); // the bar as it stood, on a line of its own
    expect(tail[2], shown).toBe('stopped during the dataset import; nothing was trained.');
  }, 240_000);
});
