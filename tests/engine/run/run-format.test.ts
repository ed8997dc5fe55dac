/**
 * The run folder's own format (run.json): written with config.json before a
 * new folder becomes visible, migrated in memory for folders made before it
 * (format 1: no run.json, nothing rewritten), refused with "Update GAN
 * Studio" when newer, and read through the one reader by every front end.
 */
import { cp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/engine/config/resolve';
import { UserError } from '../../../src/engine/errors';
import { loadGenerator } from '../../../src/engine/generate';
import { readRun } from '../../../src/engine/run/config-file';
import { planRun } from '../../../src/engine/run/plan';
import { NewerRunFormatError, RUN_FILE, RUN_FORMAT } from '../../../src/engine/run/run-format';
import { resumeRun, trainNewRun } from '../../../src/engine/train/run-training';
import { GAN_STUDIO_VERSION } from '../../../src/engine/version';
import { listRuns } from '../../../src/studio/runs';
import { blobData, onBackend } from '../../helpers/tf';
import { tempDir } from '../../helpers/temp';

const config = parseConfig({
  name: 'fmt',
  model: { arch: 'dcgan-conv', resolution: 16, channels: 1, latentDim: 8, baseWidth: 4 },
  batchSize: 2,
  gridSize: 2,
  steps: 1,
  sampleEvery: 0,
  checkpointEvery: 1,
  metrics: { enabled: false },
});
const data = blobData(4, 16, 1);
let runDir: string;

beforeAll(async () => {
  await onBackend('wasm');
  runDir = await trainNewRun(await tempDir('gan-fmt-'), { config, data, datasetKey: null, backend: 'wasm' });
});

/** A copy of the trained run, to damage or age. */
async function copyOfRun(): Promise<string> {
  const dir = path.join(await tempDir('gan-fmt-copy-'), path.basename(runDir));
  await cp(runDir, dir, { recursive: true });
  return dir;
}

const listing = async (dir: string) =>
  Promise.all((await readdir(dir)).sort().map(async (n) => [n, (await stat(path.join(dir, n))).mtimeMs] as const));

describe('run.json', () => {
  it('a new run folder is born with its format and the version that made it', async () => {
    const info = JSON.parse(await readFile(path.join(runDir, RUN_FILE), 'utf8'));
    expect(info).toEqual({ format: RUN_FORMAT, createdBy: GAN_STUDIO_VERSION, createdAt: expect.any(String) });
    expect(Date.parse(info.createdAt)).not.toBeNaN();
    expect(await readRun(runDir)).toMatchObject({ foundFormat: RUN_FORMAT, info: { createdBy: GAN_STUDIO_VERSION } });
  });

  it('a folder without run.json is format 1, migrated in memory and left as it is on disk', async () => {
    const dir = await copyOfRun();
    await rm(path.join(dir, RUN_FILE));
    const before = await listing(dir);
    const read = await readRun(dir);
    expect(read.foundFormat).toBe(1);
    expect(read.info).toEqual({ format: RUN_FORMAT, createdBy: null, createdAt: null });
    expect(read.config).toEqual(config);
    // Every reader (resume plans, generate/export, the studio's list) works on it and writes nothing.
    await planRun({ mode: 'resume', runDir: dir, changes: { steps: 2 } });
    (await loadGenerator(dir)).model.dispose();
    const [summary] = await listRuns(path.dirname(dir), { liveRunId: null, ownPids: new Set() });
    expect(summary).toMatchObject({ problem: null, resumable: true });
    expect(await listing(dir)).toEqual(before);

    // Only the trainer, resuming it, writes the current format (keeping "unknown" as its maker).
    await resumeRun(dir, { config: { ...config, steps: 2 }, data, datasetKey: null, backend: 'wasm' });
    expect(JSON.parse(await readFile(path.join(dir, RUN_FILE), 'utf8'))).toEqual({
      format: RUN_FORMAT,
      createdBy: null,
      createdAt: null,
      resumedBy: GAN_STUDIO_VERSION,
    });
  });

  it('a folder of a newer format is refused by every reader with "Update GAN Studio", naming the versions', async () => {
    const dir = await copyOfRun();
    await writeFile(path.join(dir, RUN_FILE), JSON.stringify({ format: RUN_FORMAT + 7, createdBy: '9.4.0' }));
    const line = new RegExp(
      `^Run .*${path.basename(dir)} was made by a newer GAN Studio \\(9\\.4\\.0\\) \\(run format ${RUN_FORMAT + 7}; this version ${GAN_STUDIO_VERSION.replace(/\./g, '\\.')} reads up to ${RUN_FORMAT}\\)\\. Update GAN Studio to open it\\.$`,
    );
    await expect(readRun(dir)).rejects.toThrow(NewerRunFormatError);
    await expect(readRun(dir)).rejects.toThrow(line);
    await expect(planRun({ mode: 'resume', runDir: dir, changes: { steps: 5 } })).rejects.toThrow(line);
    await expect(loadGenerator(dir)).rejects.toThrow(line);
    const [summary] = await listRuns(path.dirname(dir), { liveRunId: null, ownPids: new Set() });
    expect(summary.problem).toMatch(line);
    expect(summary.resumable).toBe(false);
  });

  it('a damaged run.json is one clear line, not a crash', async () => {
    const dir = await copyOfRun();
    await writeFile(path.join(dir, RUN_FILE), '{"format": 2, "crea');
    const err = await readRun(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/^Corrupt .*run\.json: /);
    await writeFile(path.join(dir, RUN_FILE), '{"format": "two"}');
    await expect(readRun(dir)).rejects.toThrow(/^Corrupt .*run\.json: no valid "format" \(got "two"\)\.$/);
  });
});
