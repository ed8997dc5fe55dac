import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gridSeeds, useGenerateStore } from '@renderer/stores/generate';
import { generatorMeta, type FakeApi } from '../fake-api';
import { installFakeApi, uninstallFakeApi } from './setup';

let api: FakeApi;

beforeEach(() => {
  api = installFakeApi();
});

afterEach(uninstallFakeApi);

describe('generate store', () => {
  it('opens a checkpoint, draws a grid, pins seeds and interpolates between them', async () => {
    const g = useGenerateStore();
    g.baseSeed = 10;
    g.count = 4;
    await g.open({ runId: '00001-run', step: null });
    expect(api.generateImages).toHaveBeenCalledWith({
      checkpoint: { runId: '00001-run', step: null },
      seeds: [10, 11, 12, 13],
      truncation: 1,
    });
    expect(g.images.map((i) => i.seed)).toEqual([10, 11, 12, 13]);
    g.togglePin(11);
    expect(g.canInterpolate).toBe(false);
    g.togglePin(13);
    expect(g.pins.map((p) => p.seed)).toEqual([11, 13]);
    expect(g.pins[0].dataUrl).toBe('data:image/png;base64,seed-11');
    g.movePin(1, -1);
    expect(g.pins.map((p) => p.seed)).toEqual([13, 11]);
    g.framesPerSegment = 5;
    await g.interpolate();
    expect(vi.mocked(api.interpolate).mock.calls[0][0]).toMatchObject({
      pins: [{ seed: 13 }, { seed: 11 }],
      framesPerSegment: 5,
      loop: true,
    });
    expect(g.frames).toHaveLength(10);
    g.togglePin(11); // unpin
    expect(g.pins.map((p) => p.seed)).toEqual([13]);
    expect(g.frames).toEqual([]);
  });

  it('re-rolls to new seeds and saves latents, a PNG, a GIF and a batch', async () => {
    const g = useGenerateStore();
    await g.open({ runId: '00001-run', step: 300 });
    const before = g.baseSeed;
    await g.reroll();
    expect(g.baseSeed).not.toBe(before);
    g.togglePin(g.images[0].seed);
    g.togglePin(g.images[1].seed);
    await g.saveLatents();
    expect(vi.mocked(api.saveLatents).mock.calls[0][0].pins).toHaveLength(2);
    await g.saveImage({ seed: 5 }, 8);
    expect(vi.mocked(api.saveImage).mock.calls[0][0]).toMatchObject({ pin: { seed: 5 }, scale: 8 });
    await g.exportInterpolation('gif', 12);
    expect(vi.mocked(api.exportInterpolation).mock.calls[0][0]).toMatchObject({ format: 'gif', fps: 12 });
    const folder = await g.generateBatch(50);
    expect(folder?.files).toBe(50);
  });

  it('loads pinned latents from JSON and refuses a different latent size', async () => {
    const g = useGenerateStore();
    await g.open({ runId: '00001-run', step: null });
    const file = {
      format: 'gan-studio-latents',
      version: 1,
      latentDim: 8,
      truncation: 0.7,
      checkpoint: null,
      pins: [
        { seed: 1, z: [0, 0, 0, 0, 0, 0, 0, 1] },
        { seed: 2, z: [1, 0, 0, 0, 0, 0, 0, 0] },
      ],
      savedAt: '',
    };
    await g.loadLatents(JSON.stringify(file));
    expect(g.truncation).toBe(0.7);
    expect(g.pins.map((p) => p.z?.length)).toEqual([8, 8]);
    expect(g.pins[0].dataUrl).toBe('data:image/png;base64,f0');
    await g.loadLatents(JSON.stringify({ ...file, latentDim: 100 }));
    expect(g.error).toContain('100 dimensions');
  });

  it('offers no class for an unconditional generator and sends none', async () => {
    const g = useGenerateStore();
    await g.open({ runId: '00001-run', step: null });
    expect(g.isConditional).toBe(false);
    expect(g.classNames).toEqual([]);
    expect(g.className(0)).toBeNull();
    expect(vi.mocked(api.generateImages).mock.calls[0][0]).not.toHaveProperty('class');
    g.togglePin(g.images[0].seed);
    expect(g.pins[0]).not.toHaveProperty('class');
    await g.saveImage({ seed: 5 }, 2);
    expect(vi.mocked(api.saveImage).mock.calls[0][0]).not.toHaveProperty('class');
  });

  it('a conditional generator: class picker, all-classes grid, pins keep their class', async () => {
    const names = ['zero', 'one', 'two'];
    const condMeta = (runId: string) => ({ ...generatorMeta(runId), numClasses: 3, classNames: names });
    vi.mocked(api.loadGenerator).mockImplementation(async (req) => condMeta(req.checkpoint.runId));
    vi.mocked(api.generateImages).mockImplementation(async (req) => ({
      meta: condMeta(req.checkpoint.runId),
      images: req.seeds.map((seed, i) => {
        const c = req.classes?.[i] ?? req.class ?? i % 3;
        return { seed, class: c, dataUrl: `data:image/png;base64,seed-${seed}-c${c}` };
      }),
      size: 16,
    }));
    const g = useGenerateStore();
    g.baseSeed = 10;
    g.count = 4;
    await g.open({ runId: '00001-run', step: null });
    expect(g.isConditional).toBe(true);
    expect(g.classNames).toEqual(names);
    // "All classes": the grid cycles through them, each tile labelled.
    expect(vi.mocked(api.generateImages).mock.calls[0][0]).toMatchObject({ seeds: [10, 11, 12, 13], class: null });
    expect(g.images.map((i) => g.className(i.class))).toEqual(['zero', 'one', 'two', 'zero']);
    g.togglePin(11, 1);
    g.togglePin(13, 0);
    expect(g.pins.map((p) => [p.seed, p.class])).toEqual([
      [11, 1],
      [13, 0],
    ]);
    expect(g.isPinned(11, 1)).toBe(true);
    expect(g.isPinned(11, 2)).toBe(false);

    await g.setClass(2);
    expect(g.classChoice).toBe(2);
    expect(vi.mocked(api.generateImages).mock.calls.at(-1)![0]).toMatchObject({ seeds: [10, 11, 12, 13], class: 2 });
    expect(g.images.every((i) => i.class === 2)).toBe(true);
    g.togglePin(12); // the tile's class
    expect(g.pins.at(-1)).toMatchObject({ seed: 12, class: 2 });
    await g.setClass(7); // out of range: ignored
    expect(g.classChoice).toBe(2);

    await g.interpolate();
    expect(vi.mocked(api.interpolate).mock.calls[0][0].pins).toEqual([
      { seed: 11, class: 1 },
      { seed: 13, class: 0 },
      { seed: 12, class: 2 },
    ]);
    await g.setTruncation(0.5); // pins redraw with their own classes
    expect(vi.mocked(api.generateImages).mock.calls.at(-1)![0]).toMatchObject({
      seeds: [11, 13, 12],
      classes: [1, 0, 2],
    });
    expect(g.pins[0].dataUrl).toBe('data:image/png;base64,seed-11-c1');
    await g.saveLatents();
    expect(vi.mocked(api.saveLatents).mock.calls[0][0].pins.map((p) => p.class)).toEqual([1, 0, 2]);
    await g.saveImage(g.pins[0], 4);
    expect(vi.mocked(api.saveImage).mock.calls[0][0]).toMatchObject({ pin: { seed: 11, class: 1 }, class: 2 });
    await g.generateBatch(9);
    expect(vi.mocked(api.generateBatch).mock.calls[0][0]).toMatchObject({ count: 9, class: 2 });

    const file = {
      format: 'gan-studio-latents',
      version: 1,
      latentDim: 8,
      truncation: 1,
      checkpoint: null,
      pins: [
        { seed: 1, z: [0, 0, 0, 0, 0, 0, 0, 1], class: 2 },
        { seed: 2, z: [1, 0, 0, 0, 0, 0, 0, 0] },
      ],
      savedAt: '',
    };
    await g.loadLatents(JSON.stringify(file));
    expect(g.pins.map((p) => p.class)).toEqual([2, undefined]);

    await g.setClass(null);
    expect(g.classChoice).toBeNull();
    expect(vi.mocked(api.generateImages).mock.calls.at(-1)![0]).toMatchObject({ class: null });
  });

  it('gridSeeds wraps at 2^31', () => {
    expect(gridSeeds(2 ** 31 - 2, 3)).toEqual([2 ** 31 - 2, 2 ** 31 - 1, 0]);
  });
});
