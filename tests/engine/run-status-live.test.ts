/**
 * status.json is rewritten while a run trains, not only when its state changes:
 * a reader of that file alone (a script, a run list) sees the step move.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/engine/config/resolve';
import { trainNewRun } from '../../src/engine/train/run-training';
import { blobData, onBackend } from '../helpers/tf';
import { tempDir } from '../helpers/temp';

beforeAll(() => onBackend('wasm'));

describe('status.json of a running run', () => {
  it('its step advances during training, with the status still running', async () => {
    const config = parseConfig({
      name: 'live-status',
      model: { arch: 'dcgan-conv', resolution: 16, channels: 1, latentDim: 8, baseWidth: 4 },
      batchSize: 4,
      seed: 3,
      steps: 100_000, // stopped by the test
      sampleEvery: 0,
      checkpointEvery: 0,
      metrics: { enabled: false },
    });
    const stop = new AbortController();
    let runDir = '';
    let started = 0;
    let seen: { status: string; step: number; at: number } | null = null;
    await trainNewRun(await tempDir(), {
      config,
      data: blobData(8, 16, 1),
      datasetKey: 'k',
      backend: 'wasm',
      signal: stop.signal,
      onEvent: (e) => {
        if (e.type === 'start') {
          runDir = e.runDir;
          started = Date.now();
        }
        // Well past the first 2-second rewrite: what the file says now, against the live step.
        if (e.type === 'step' && Date.now() - started > 5000 && !seen) {
          const file = JSON.parse(readFileSync(path.join(runDir, 'status.json'), 'utf8')) as {
            status: string;
            step: number;
          };
          seen = { ...file, at: e.stats.step };
          stop.abort();
        }
      },
    });
    expect(seen).not.toBeNull();
    const { status, step, at } = seen!;
    expect(status).toBe('running');
    expect(step).toBeGreaterThan(0); // written at start with step 0, rewritten since
    expect(step).toBeLessThanOrEqual(at);
  }, 120_000);
});
