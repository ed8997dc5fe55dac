import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

type ThemeName = 'dark' | 'light';

/** localStorage key of the chosen theme. */
export const THEME_STORAGE_KEY = 'gan-studio.theme';

function storedTheme(): ThemeName {
  try {
    const v = globalThis.localStorage?.getItem(THEME_STORAGE_KEY);
    return v === 'light' ? 'light' : 'dark';
  } catch {
    return 'dark';
  }
}

/**
 * Dark (default) or light theme. The choice is remembered in localStorage and
 * applied as the `dark` class on <html>, which both Element Plus's dark
 * variables and our own palette key off.
 */
export const useThemeStore = defineStore('theme', () => {
  /** The active theme. */
  const theme = ref<ThemeName>(storedTheme());

  function apply(value: ThemeName): void {
    if (typeof document === 'undefined') return;
    const root = document.documentElement;
    root.classList.toggle('dark', value === 'dark');
    root.classList.toggle('light', value === 'light');
    root.style.colorScheme = value;
  }

  watch(
    theme,
    (value) => {
      apply(value);
      try {
        globalThis.localStorage?.setItem(THEME_STORAGE_KEY, value);
      } catch {
        // storage may be unavailable (private mode); the theme still applies
      }
    },
    { immediate: true },
  );

  /** Switch between dark and light. */
  function toggle(): void {
    theme.value = theme.value === 'dark' ? 'light' : 'dark';
  }

  return { theme, toggle };
});
