/**
 * The tiny RGB run the generation, parity and web-export tests train: a
 * 16×16×3 dcgan-conv G of base width 4 and 8-d z, batch 6, on six labelled
 * blobs of three classes, with no samples or checkpoints on the way (the end
 * is saved). Quick to train, and a real checkpoint to generate from.
 */
import { resolveConfig } from '../../src/engine/config/resolve';
import { trainNewRun } from '../../src/engine/train/run-training';
import { blobData } from './tf';

/** Its options before the steps and the options under test (later sets win: override batchSize freely). */
export const TINY_RGB16 = [
  'model.arch=dcgan-conv',
  'model.resolution=16',
  'model.channels=3',
  'model.latentDim=8',
  'model.baseWidth=4',
  'batchSize=6',
  'gridSize=2',
  'sampleEvery=0',
  'checkpointEvery=0',
];

/** Train the tiny run with `sets` (steps and the options under test) on the wasm backend into `root`; returns its run folder. */
export async function trainTinyRun(root: string, sets: readonly string[]): Promise<string> {
  const config = await resolveConfig({ sets: [...TINY_RGB16, ...sets] });
  const data = { ...blobData(6, 16, 3), labels: Int32Array.from([0, 1, 2, 0, 1, 2]), classNames: ['a', 'b', 'c'] };
  return trainNewRun(root, {
    config,
    data,
    datasetKey: null,
    backend: 'wasm',
    importReport: { classNames: data.classNames },
  });
}

/** The smallest fastgan the technique tests train: 64 px (fastgan's smallest resolution), narrow nets, hinge loss, no samples on the way. */
export const TINY_FASTGAN = [
  'model.arch=fastgan',
  'model.resolution=64',
  'model.channels=3',
  'model.latentDim=8',
  'model.baseWidth=4',
  'loss=hinge',
  'gridSize=2',
  'sampleEvery=0',
  'metrics.enabled=false',
];
