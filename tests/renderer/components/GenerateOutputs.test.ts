/**
 * The Generate view's outputs: a save the studio refuses because it would
 * replace files asks "Replace …?" (nothing focused, so Enter cannot replace)
 * and retries with overwrite only on yes; the output scale and filter reach
 * every write; browser mode offers the server's download (a folder as a zip).
 */
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OUTPUT_EXISTS_ERROR } from '@shared/output-errors';
import { setApiForTesting } from '../../../src/renderer/src/api/index';
import { isOutputExists, replaceTitle } from '../../../src/renderer/src/lib/overwrite';
import { useGenerateStore } from '../../../src/renderer/src/stores/generate';
import GenerateView from '../../../src/renderer/src/views/GenerateView.vue';
import { createFakeApi, type FakeApi } from '../fake-api';
import { withPinia } from '../setup';

afterEach(() => {
  setApiForTesting(null);
  document.body.innerHTML = '';
});

function refusal(message: string): Error {
  const e = new Error(message);
  e.name = OUTPUT_EXISTS_ERROR;
  return e;
}

const settle = async () => {
  for (let i = 0; i < 6; i++) {
    await flushPromises();
    await new Promise((r) => setTimeout(r, 20));
  }
};

const dialogButtons = () => [...document.querySelectorAll<HTMLButtonElement>('.el-message-box__btns button')];
const button = (text: string) => dialogButtons().find((b) => b.textContent?.trim() === text);

async function mountView(api: FakeApi) {
  setApiForTesting(api);
  const wrapper = mount(GenerateView, { ...withPinia(), attachTo: document.body });
  await settle();
  const gen = useGenerateStore();
  await gen.open({ runId: '00001-run', step: null });
  await settle();
  expect(gen.images.length).toBeGreaterThan(1);
  return { wrapper, gen };
}

describe('Generate outputs', () => {
  it('asks before replacing files, with Replace unfocused, and retries with overwrite on yes', async () => {
    const api = createFakeApi();
    vi.mocked(api.generateBatch)
      .mockRejectedValueOnce(
        refusal('/home/me/out/batch already holds files: choose an empty folder, or confirm writing into it.'),
      )
      .mockResolvedValueOnce({ path: '/home/me/out/batch', files: 64, download: '/api/download/abc/batch.zip' });
    const { wrapper, gen } = await mountView(api);
    gen.outputScale = 8;
    gen.outputFilter = 'lanczos';
    await wrapper.get('[data-testid="batch"]').trigger('click');
    await settle();

    expect(document.querySelector('.el-message-box__title')?.textContent).toContain('Replace files in batch?');
    expect(document.querySelector('.el-message-box__message')?.textContent).toContain('already holds files');
    const replace = button('Replace');
    expect(replace).toBeTruthy();
    expect(document.activeElement).not.toBe(replace);
    expect(api.generateBatch).toHaveBeenCalledTimes(1);
    expect(vi.mocked(api.generateBatch).mock.calls[0][0]).not.toHaveProperty('overwrite');
    replace!.click();
    await settle();

    expect(api.generateBatch).toHaveBeenCalledTimes(2);
    expect(vi.mocked(api.generateBatch).mock.calls[1][0]).toMatchObject({
      overwrite: true,
      scale: 8,
      filter: 'lanczos',
    });
    expect(gen.error).toBeNull();
    const link = wrapper.get('[data-testid="download"]');
    expect(link.attributes('href')).toBe('/api/download/abc/batch.zip');
    expect(link.attributes('download')).toBe('batch.zip');
    expect(link.text()).toBe('Download as zip');
    wrapper.unmount();
  });

  it('keeps the files when the user says no: one call, no error line, nothing saved', async () => {
    const api = createFakeApi();
    vi.mocked(api.exportInterpolation).mockRejectedValueOnce(
      refusal('loop.gif already exists in /home/me/out: choose another name, or confirm replacing it.'),
    );
    const { wrapper, gen } = await mountView(api);
    gen.togglePin(gen.images[0].seed);
    gen.togglePin(gen.images[1].seed);
    await gen.interpolate();
    await settle();
    await wrapper.get('[data-testid="export-gif"]').trigger('click');
    await settle();
    expect(document.querySelector('.el-message-box__title')?.textContent).toContain('Replace loop.gif?');
    button('Keep them')!.click();
    await settle();
    expect(api.exportInterpolation).toHaveBeenCalledTimes(1);
    expect(vi.mocked(api.exportInterpolation).mock.calls[0][0]).toMatchObject({ scale: 4, filter: 'nearest' });
    expect(gen.error).toBeNull();
    expect(gen.lastSaved).toBeNull();
    wrapper.unmount();
  });

  it('shows any other failure as the error line, without asking', async () => {
    const api = createFakeApi();
    vi.mocked(api.saveImage).mockRejectedValueOnce(new Error('Disk full'));
    const { wrapper, gen } = await mountView(api);
    await gen.saveImage({ seed: 3 });
    await settle();
    expect(document.querySelector('.el-message-box')).toBeNull();
    expect(gen.error).toBe('Disk full');
    wrapper.unmount();
  });

  it("recognises Electron's wrapped refusal and titles files and folders", () => {
    const wrapped = new Error(
      "Error invoking remote method 'generate:save-image': OutputExistsError: a.png already exists in /x: choose another name.",
    );
    expect(isOutputExists(wrapped)).toBe(true);
    expect(isOutputExists(new Error('a.png already exists'))).toBe(false);
    expect(replaceTitle('a.png already exists in /x: choose another name.')).toBe('Replace a.png?');
    expect(replaceTitle('/x/y/frames already holds files: …')).toBe('Replace files in frames?');
  });
});
