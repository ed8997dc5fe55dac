/**
 * The CLI side of checkpoints that heal and of moved data folders: generate,
 * export and train --resume skip a damaged newest checkpoint with one warning
 * line; --resume takes a checkpoint folder; --resume --data accepts the same
 * images in a new place and refuses other images.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY, cliTempDir, describeResult, expectSuccess, readJson, readStats, runCli, trainRun } from '../helpers/cli';

const ws = cliTempDir('gan-cli-heal-');
let dataDir: string;
let runDir: string;
let copies = 0;

/** 12 small colour PNGs, different per `salt`. */
async function makeImages(dir: string, salt: number): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (let i = 0; i < 12; i++) {
    const raw = Buffer.alloc(16 * 16 * 3);
    for (let p = 0; p < raw.length; p++) raw[p] = (p * (i + 3) + salt * 71) % 256;
    await sharp(raw, { raw: { width: 16, height: 16, channels: 3 } })
      .png()
      .toFile(path.join(dir, `img-${i}.png`));
  }
}

beforeAll(async () => {
  dataDir = path.join(ws.dir, 'images');
  await makeImages(dataDir, 0);
  const r = await trainRun(
    path.join(ws.dir, 'runs'),
    [
      '--data',
      dataDir,
      '--steps',
      '4',
      '--batch',
      '4',
      '--sample-every',
      '0',
      '--checkpoint-every',
      '2',
      '--set',
      'model.resolution=16',
      ...TINY,
    ],
    { env: ws.env },
  );
  runDir = r.runDir;
});

async function copyRun(): Promise<string> {
  const dir = path.join(ws.dir, `copy-${copies++}`);
  await fs.cp(runDir, dir, { recursive: true });
  return dir;
}

const ck = (run: string, step: number) => path.join(run, 'checkpoints', `step-${String(step).padStart(6, '0')}`);

describe('a damaged newest checkpoint', () => {
  it('generate and export use the newest intact one, with one warning line naming the skipped one and why', async () => {
    const run = await copyRun();
    await fs.truncate(path.join(ck(run, 4), 'g_ema', 'weights.bin'), 100);
    const out = path.join(ws.dir, 'gen');
    const g = expectSuccess(
      await runCli(['generate', '--checkpoint', run, '--count', '2', '--out', out, '--backend', 'wasm'], {
        env: ws.env,
      }),
    );
    expect(g.stderrLines).toContain(
      `warning: skipped checkpoint step-000004: g_ema/weights.bin is 100 bytes, the manifest says ${(await readJson<{ files: Record<string, { bytes: number }> }>(path.join(ck(run, 4), 'state.json'))).files['g_ema/weights.bin'].bytes} (truncated or corrupt)`,
    );
    expect(g.stderrLines.at(-1)).toMatch(/wrote 2 images to .* \(EMA generator, step 2\)$/);
    expect((await fs.readdir(out)).sort()).toEqual(['seed0-0000.png', 'seed0-0001.png']);

    const web = path.join(ws.dir, 'web');
    const e = expectSuccess(await runCli(['export', '--checkpoint', run, '--out', web], { env: ws.env }));
    expect(e.stderrLines.filter((l) => l.startsWith('warning: skipped checkpoint step-000004:'))).toHaveLength(1);
    expect(await readJson(path.join(web, 'generator.json'))).toMatchObject({ step: 2, ema: true });
  });

  it('train --resume continues from the intact one and says so', async () => {
    const run = await copyRun();
    await fs.writeFile(path.join(ck(run, 4), 'state.json'), '{"format": 2, "st');
    const r = expectSuccess(
      await runCli(['train', '--resume', run, '--steps', '5', '--backend', 'wasm'], { env: ws.env }),
    );
    expect(
      r.stderrLines.some((l) =>
        /^warning: skipped checkpoint step-000004: cannot read state\.json .*; it is kept in checkpoints\/damaged\/$/.test(
          l,
        ),
      ),
      describeResult(r),
    ).toBe(true);
    expect(r.stderrLines).toContain(`resuming from ${ck(run, 2)}: ${run}`);
    expect((await readStats(run)).map((s) => s.step)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('train --resume with a checkpoint folder', () => {
  it('continues from that checkpoint', async () => {
    const run = await copyRun();
    const r = expectSuccess(
      await runCli(['train', '--resume', ck(run, 2), '--steps', '3', '--backend', 'wasm'], { env: ws.env }),
    );
    expect(r.stderrLines).toContain(`resuming from ${ck(run, 2)}: ${run}`);
    expect((await readStats(run)).map((s) => s.step)).toEqual([1, 2, 3]);
    expect(await fs.readdir(path.join(run, 'checkpoints', 'superseded'))).toEqual(['step-000004']);
  });
});

describe('train --resume --data', () => {
  it('accepts the same images in a moved folder, and records the new place', async () => {
    const run = await copyRun();
    const moved = path.join(ws.dir, 'moved-images');
    await fs.cp(dataDir, moved, { recursive: true }); // a copy: new paths and new file times, same images
    const r = expectSuccess(
      await runCli(['train', '--resume', run, '--data', moved, '--steps', '5', '--backend', 'wasm'], { env: ws.env }),
    );
    expect(
      r.stderrLines.filter((l) => l.startsWith('warning:')),
      describeResult(r),
    ).toEqual([]);
    expect(await readJson(path.join(run, 'config.json'))).toMatchObject({ data: { dir: moved } });
    expect((await readStats(run)).map((s) => s.step)).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses other images with one line, and leaves the run as it was', async () => {
    const run = await copyRun();
    const other = path.join(ws.dir, 'other-images');
    await makeImages(other, 1);
    const configBefore = await fs.readFile(path.join(run, 'config.json'), 'utf8');
    const r = await runCli(['train', '--resume', run, '--data', other, '--steps', '5', '--backend', 'wasm'], {
      env: ws.env,
    });
    expect(r.code, describeResult(r)).not.toBe(0);
    const errors = r.stderrLines.filter((l) => l.startsWith('error:'));
    expect(errors).toEqual([
      `error: The images in ${other} are not the ones run ${run} trained on (their content key differs; it trained on ${dataDir}). Pass the folder holding the same images, or start a new run.`,
    ]);
    expect(await fs.readFile(path.join(run, 'config.json'), 'utf8')).toBe(configBefore);
    expect((await readStats(run)).map((s) => s.step)).toEqual([1, 2, 3, 4]);
  });
});
