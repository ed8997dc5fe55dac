import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setApiForTesting } from '@renderer/api/index';
import FolderBrowserDialog from '@renderer/components/FolderBrowserDialog.vue';
import { useFolderPickerStore } from '@renderer/stores/folder-picker';
import type { DirListing } from '@shared/contract';
import { createFakeApi, type FakeApi } from '../fake-api';
import { withPinia } from '../setup';

const home: DirListing = {
  path: '/root',
  parent: '/',
  entries: [{ name: 'empty', path: '/root/empty', imageCount: 0, hasSubfolders: false }],
  imageCount: 0,
  places: [],
};
const pics: DirListing = { path: '/root/pics', parent: '/root', entries: [], imageCount: 300, places: [] };

async function openPicker(api: FakeApi) {
  setApiForTesting(api);
  const wrapper = mount(FolderBrowserDialog, { attachTo: document.body, ...withPinia() });
  const picker = useFolderPickerStore();
  const answer = picker.pick('dataset', 'Choose an image folder', '/root');
  await flushPromises();
  return { wrapper, answer };
}

const q = <T extends Element = HTMLElement>(sel: string) => document.querySelector<T>(sel);
async function typePath(value: string): Promise<void> {
  const input = q<HTMLInputElement>('.folder-dialog input')!;
  input.value = value;
  input.dispatchEvent(new Event('input'));
  input.dispatchEvent(new Event('change'));
  await flushPromises();
}

afterEach(() => {
  setApiForTesting(null);
  document.body.innerHTML = '';
});

describe('FolderBrowserDialog', () => {
  it('after "Folder not found" for a typed path, does not choose the previous listing', async () => {
    const api = createFakeApi();
    vi.mocked(api.listDir).mockImplementation(async (req) => {
      if (req.path === '/root') return home;
      if (req.path === '/root/pics') return pics;
      throw new Error(`Folder not found: ${req.path}`);
    });
    const { wrapper, answer } = await openPicker(api);
    await typePath('/root/typo');
    expect(q('.folder-dialog [role="alert"]')?.textContent).toContain('Folder not found: /root/typo');
    const choose = q<HTMLButtonElement>('[data-testid="choose-folder"]')!;
    expect(choose.disabled).toBe(true); // /root is still listed, but it is not what was asked for
    expect(q('.folder-dialog .here')?.textContent).not.toContain('images directly in this folder'); // nor counted as it
    choose.click();
    await flushPromises();
    expect(api.chooseFolder).not.toHaveBeenCalled();

    await typePath('/root/pics');
    expect(choose.disabled).toBe(false);
    expect(q('.folder-dialog .here')?.textContent?.trim()).toBe('300 images directly in this folder');
    choose.click();
    await flushPromises();
    expect(api.chooseFolder).toHaveBeenCalledWith(expect.objectContaining({ path: '/root/pics', purpose: 'dataset' }));
    expect(await answer).toBe('/root/pics');
    wrapper.unmount();
  });

  it('says so before accepting a data set folder without images, and chooses it on a second click', async () => {
    const api = createFakeApi();
    vi.mocked(api.listDir).mockResolvedValue(home);
    const { wrapper, answer } = await openPicker(api);
    const choose = q<HTMLButtonElement>('[data-testid="choose-folder"]')!;
    choose.click();
    await flushPromises();
    expect(api.chooseFolder).not.toHaveBeenCalled();
    expect(q('[data-testid="folder-empty"]')?.textContent).toContain('No images in this folder');
    expect(choose.textContent?.trim()).toBe('Choose anyway');
    choose.click();
    await flushPromises();
    expect(await answer).toBe('/root');
    wrapper.unmount();
  });
});
