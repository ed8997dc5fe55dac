import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { THEME_STORAGE_KEY, useThemeStore } from '@renderer/stores/theme';
import { installFakeApi, uninstallFakeApi } from './setup';

beforeEach(() => {
  installFakeApi();
});

afterEach(uninstallFakeApi);

describe('theme store', () => {
  it('is dark by default, toggles, and remembers the choice', async () => {
    localStorage.removeItem(THEME_STORAGE_KEY);
    const t = useThemeStore();
    expect(t.theme).toBe('dark');
    expect(document.documentElement.classList.contains('dark')).toBe(true);
    t.toggle();
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('light');
    expect(document.documentElement.classList.contains('dark')).toBe(false);
    setActivePinia(createPinia());
    expect(useThemeStore().theme).toBe('light');
  });
});
