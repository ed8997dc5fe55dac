/**
 * The dataset a config asks for: the user's folder, or the bundled demo set
 * when `data.dir` is empty, imported at the model's resolution and channels.
 */
import type { TrainConfig } from '../../shared/config';
import { importDataset, loadDemoDataset, type Dataset, type ImportProgress } from '../dataset';

export function importForConfig(
  config: TrainConfig,
  hooks: { onProgress?: (p: ImportProgress) => void; signal?: AbortSignal } = {},
): Promise<Dataset> {
  const options = {
    resolution: config.model.resolution,
    channels: config.model.channels,
    resize: config.data.resize,
    background: config.data.background,
    minSize: config.data.minSize,
    ...hooks,
  };
  return config.data.dir ? importDataset(config.data.dir, options) : loadDemoDataset(options);
}
