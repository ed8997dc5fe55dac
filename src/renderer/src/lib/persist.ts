/**
 * Small JSON values kept in localStorage across page reloads (the Train
 * form's edits, the chosen data set). A value that cannot be read back is
 * dropped, never an error: the page starts fresh instead.
 */

export function loadJson<T>(key: string, isValid: (v: unknown) => v is T): T | null {
  try {
    const raw = globalThis.localStorage?.getItem(key);
    if (!raw) return null;
    const v: unknown = JSON.parse(raw);
    return isValid(v) ? v : null;
  } catch {
    return null;
  }
}

export function saveJson(key: string, value: unknown): void {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or disabled: the form simply is not remembered
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
