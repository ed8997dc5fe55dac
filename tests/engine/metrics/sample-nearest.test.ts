/** One sample's nearest training images (the studio's click in Generate), and a clear line when the run's data set is gone. */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/engine/config/resolve';
import { loadGenerator } from '../../../src/engine/generate/generator';
import { sampleNearest, searchBaseOf, trainingImagesOf } from '../../../src/engine/metrics/sample-nearest';
import { trainNewRun } from '../../../src/engine/train/run-training';
import { blobData, onBackend } from '../../helpers/tf';
import { tempDir } from '../../helpers/temp';

beforeAll(() => onBackend('wasm'));

describe('sample nearest', () => {
  it('finds a training image itself first, and refuses a run whose data folder is gone, naming it', async () => {
    const out = await tempDir();
    const gone = path.join(out, 'moved-away');
    const config = parseConfig({
      model: { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth: 4 },
      batchSize: 4,
      steps: 1,
      sampleEvery: 0,
      checkpointEvery: 0,
      gridSize: 2,
      metrics: { enabled: false },
      data: { dir: gone },
    });
    const run = await trainNewRun(out, { config, data: blobData(6, 16, 3), datasetKey: 'k', backend: 'wasm' });
    const gen = await loadGenerator(run);
    try {
      await expect(trainingImagesOf(gen)).rejects.toThrow(
        new RegExp(
          `^Cannot read the data set this run trained on \\(${gone.replace(/[/.]/g, '\\$&')}\\): .+put the folder back`,
        ),
      );
    } finally {
      gen.model.dispose();
    }
    // The search itself: a training image's nearest is itself, at distance 0, in both spaces.
    const data = blobData(6, 16, 3);
    const per = 16 * 16 * 3;
    const bytes = Uint8Array.from(data.batch([0, 1, 2, 3, 4, 5]), (v) => Math.round((v + 1) * 127.5));
    const search = await searchBaseOf(data, null, { resolution: 16, channels: 3 }, { cache: false });
    expect(search.copying).toBeNull(); // no split: nothing to compare a copying score with
    // data-set indices as a split would leave them (10… here, to tell them from search positions)
    const training = {
      ...search,
      images: { count: 6, size: 16, channels: 3, bytes },
      indices: [10, 11, 12, 13, 14, 15],
    };
    const found = await sampleNearest(
      { count: 1, size: 16, channels: 3, bytes: bytes.slice(3 * per, 4 * per) },
      training,
      2,
    );
    expect(found.features[0]).toEqual({ index: 13, distance: expect.closeTo(0, 3) });
    expect(found.pixels[0]).toEqual({ index: 13, distance: expect.closeTo(0, 5) });
    expect(found.features[1].distance).toBeGreaterThan(0);
  });
});
