/**
 * The studio's run list against real run folders in every state: sound,
 * damaged or half-made (listed with what is wrong, deletable), held by
 * another trainer process (refused, named), and killed (interrupted).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/engine/config/resolve';
import { UserError } from '../../src/engine/errors';
import { writeRunStatus } from '../../src/engine/run/status';
import { makeStudio, type TestStudio } from './helpers';

const HOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'engine', 'run', 'hold-new-run.ts');

let s: TestStudio;
let holder: ChildProcess | null = null;

beforeAll(async () => {
  s = await makeStudio('browser');
  const run = async (id: string, files: Record<string, string>) => {
    const dir = path.join(s.runsRoot, id);
    await mkdir(path.join(dir, 'samples'), { recursive: true });
    await mkdir(path.join(dir, 'checkpoints'), { recursive: true });
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    return dir;
  };
  const config = (name: string, steps = 50) => JSON.stringify(parseConfig({ name, steps }));
  await run('00001-good', { 'config.json': config('good') });
  await writeRunStatus(path.join(s.runsRoot, '00001-good'), {
    status: 'finished',
    step: 50,
    steps: 50,
    backend: 'wasm',
  });
  await run('00002-noconfig', {});
  await run('00003-badjson', { 'config.json': '{"name": "badj' });
  await run('00004-invalid', { 'config.json': JSON.stringify({ steps: -3 }) });
  await run('00005-held', { 'config.json': config('held') });
});

afterAll(async () => {
  if (holder && holder.exitCode === null) holder.kill('SIGKILL');
  await s?.backend.dispose();
});

function startHolder(dir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, dir, 'lock'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('locked') && resolve(child));
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
}

describe('damaged and half-made runs', () => {
  it('runs:list shows them with what is wrong, and never as resumable', async () => {
    const list = await s.call('runs:list');
    const byId = Object.fromEntries(list.map((r) => [r.id, r]));
    expect(Object.keys(byId).sort()).toEqual([
      '00001-good',
      '00002-noconfig',
      '00003-badjson',
      '00004-invalid',
      '00005-held',
    ]);
    expect(byId['00001-good']).toMatchObject({
      status: 'finished',
      problem: null,
      name: 'good',
      steps: 50,
      resumable: true,
    });
    expect(byId['00002-noconfig']).toMatchObject({ name: 'noconfig', resumable: false, status: 'new' });
    expect(byId['00002-noconfig'].problem).toBe(
      `Not a run folder: ${path.join(s.runsRoot, '00002-noconfig')} (no config.json).`,
    );
    expect(byId['00003-badjson'].problem).toMatch(/^Corrupt .*00003-badjson\/config\.json: /);
    expect(byId['00004-invalid'].problem).toMatch(/^Invalid option "steps" in .*00004-invalid\/config\.json/);
    for (const id of ['00002-noconfig', '00003-badjson', '00004-invalid']) expect(byId[id].resumable).toBe(false);
  });

  it('runs:get says what is wrong instead of "not found"; runs:delete removes one', async () => {
    await expect(s.call('runs:get', { runId: '00003-badjson' })).rejects.toThrow(
      /^Run 00003-badjson is damaged: Corrupt .*config\.json: .* Repair it \(or delete it\) in the runs list\.$/,
    );
    await expect(s.call('runs:get', { runId: '00009-absent' })).rejects.toThrow('Run 00009-absent not found.');
    await expect(s.call('training:resume-run', { runId: '00002-noconfig' })).rejects.toThrow(
      /Not a run folder: .*00002-noconfig \(no config\.json\)\./,
    );
    await s.call('runs:delete', { runId: '00002-noconfig' });
    expect(await readdir(s.runsRoot)).not.toContain('00002-noconfig');
  });
});

describe('a run another process trains', () => {
  it('is shown running, refuses a resume naming the process, and reads interrupted once that process is killed', async () => {
    const dir = path.join(s.runsRoot, '00005-held');
    holder = await startHolder(dir);
    await writeRunStatus(dir, { status: 'running', step: 3, steps: 50, backend: 'wasm', pid: holder.pid! });
    const running = (await s.call('runs:list')).find((r) => r.id === '00005-held')!;
    expect(running).toMatchObject({ status: 'running', live: false, resumable: false });

    const refused = await s
      .call('training:resume-run', { runId: '00005-held', changes: { steps: 60 } })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as Error).message).toMatch(
      new RegExp(`^Run ${dir} is being trained by process ${holder.pid} on this machine .*; stop that one first\\.$`),
    );
    expect(s.backend.workerPids.training ?? null).toBeNull();
    await expect(s.call('runs:delete', { runId: '00005-held' })).rejects.toThrow(/being trained by another process/);

    await new Promise<void>((resolve) => {
      holder!.on('exit', () => resolve());
      holder!.kill('SIGKILL');
    });
    const after = (await s.call('runs:list')).find((r) => r.id === '00005-held')!;
    expect(after).toMatchObject({ status: 'interrupted', live: false, resumable: true, step: 3 });
  });
});

describe('runs:repair', () => {
  it('lists what it would do, repairs a damaged run on apply, and says what it cannot repair', async () => {
    const { cp, rm } = await import('node:fs/promises');
    const { DCGAN_28, fixturePath } = await import('../helpers/fixture-runs');
    const dir = path.join(s.runsRoot, '00006-repairme');
    await cp(fixturePath(DCGAN_28), dir, { recursive: true });
    await rm(path.join(dir, 'config.json'));
    await rm(path.join(dir, 'status.json'));
    const listed = (await s.call('runs:list')).find((r) => r.id === '00006-repairme');
    expect(listed?.problem).toMatch(/no config\.json/);

    const dry = await s.call('runs:repair', { runId: '00006-repairme', apply: false });
    expect(dry.applied).toBe(false);
    expect(dry.actions.map((a) => a.kind)).toEqual(['config', 'status']);
    expect((await readdir(dir)).includes('config.json')).toBe(false); // the dry run changed nothing

    const done = await s.call('runs:repair', { runId: '00006-repairme', apply: true });
    expect(done).toMatchObject({ runId: '00006-repairme', applied: true, unrepairable: [] });
    expect((await s.call('runs:list')).find((r) => r.id === '00006-repairme')).toMatchObject({
      problem: null,
      status: 'stopped',
      step: 4,
    });

    // No checkpoint to rebuild config.json from: said, not done.
    expect(await s.call('runs:repair', { runId: '00004-invalid', apply: false })).toMatchObject({
      unrepairable: ['config.json is missing or unreadable and there is no intact checkpoint to rebuild it from.'],
    });
    // Validated like every call: a runId that is a path, or a missing flag, is refused.
    await expect(s.call('runs:repair', { runId: '../x', apply: true })).rejects.toThrow();
    await expect(s.call('runs:repair', { runId: '00006-repairme' })).rejects.toThrow();
  });
});
