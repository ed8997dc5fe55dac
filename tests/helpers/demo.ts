/** The demo Fashion-MNIST set (resources/demo) as the metrics tests read it: 28×28 gray, centre-cropped on white, no cache written. */
import { loadDemoDataset, type Dataset } from '../../src/engine/dataset';
import type { ImageSet } from '../../src/engine/metrics/image-set';

export function loadDemo28(): Promise<Dataset> {
  return loadDemoDataset({
    resolution: 28,
    channels: 1,
    resize: 'crop',
    background: '#ffffff',
    minSize: 8,
    cache: false,
  });
}

/** The same images as a metrics ImageSet. */
export async function demoImageSet28(): Promise<ImageSet> {
  const ds = await loadDemo28();
  return { count: ds.count, size: 28, channels: 1, bytes: ds.pixels };
}
