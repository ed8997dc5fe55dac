/**
 * How the `gan-studio` command behaves as an installed program: its version,
 * the supported Node versions, and running through a linked bin from outside
 * the project (what `npm link` / `npm install -g .` set up).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, TINY, describeResult, makeTempDir, removeDir, runCli } from '../helpers/cli';

const pkg = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  engines: { node: string };
};

let tmp: string;

beforeAll(async () => {
  tmp = await makeTempDir('gan-cli-install-');
});

afterAll(async () => {
  await removeDir(tmp);
});

describe('--version', () => {
  it("prints package.json's version and nothing else", async () => {
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      expect(r.code, describeResult(r)).toBe(0);
      expect(r.stdout).toBe(`${pkg.version}\n`);
      expect(r.stderr).toBe('');
    }
  });
});

describe('supported Node versions', () => {
  it('engines asks for the Node the guard in bin/gan-studio.mjs checks', () => {
    expect(pkg.engines.node).toBe('>=22.12');
  });

  // Debian's own /usr/bin/node is Node 20 on our machines (CI puts Node 22
  // first on PATH); where an older Node is at hand, the guard must refuse it.
  const oldNode = '/usr/bin/node';
  const oldVersion = existsSync(oldNode)
    ? spawnSync(oldNode, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim()
    : '';
  const isOld = /^(\d+)\.(\d+)/.test(oldVersion) && Number(oldVersion.split('.')[0]) < 22;

  it.runIf(isOld)('an older Node gets one line saying which Node is needed, and exit 1', () => {
    const r = spawnSync(oldNode, [CLI, 'info'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('GAN Studio needs Node.js 22.12 or newer');
    expect(lines[0]).toContain(`this is ${oldVersion}`);
  });
});

describe('run from outside the project through a linked bin', () => {
  it('trains on the bundled demo data into ./runs of the current folder', async () => {
    // npm link and npm install -g . put a symbolic link to bin/gan-studio.mjs
    // on PATH; the bin must find its sources and the demo data through it.
    const binDir = path.join(tmp, 'bin');
    const cwd = path.join(tmp, 'elsewhere');
    await fs.mkdir(binDir);
    await fs.mkdir(cwd);
    const linked = path.join(binDir, 'gan-studio');
    await fs.symlink(CLI, linked);
    const r = spawnSync(process.execPath, [linked, 'train', '--steps', '1', '--sample-every', '1', ...TINY], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', GAN_STUDIO_CACHE: path.join(tmp, 'cache') },
      timeout: 110_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const runs = await fs.readdir(path.join(cwd, 'runs'));
    expect(runs).toHaveLength(1);
    const report = JSON.parse(await fs.readFile(path.join(cwd, 'runs', runs[0], 'import-report.json'), 'utf8')) as {
      root: string;
      imported: number;
    };
    expect(report.root).toBe(path.join(REPO_ROOT, 'resources', 'demo', 'fashion-mnist'));
    expect(report.imported).toBe(3000);
    expect(existsSync(path.join(cwd, 'runs', runs[0], 'checkpoints', 'step-000001'))).toBe(true);
  });
});
