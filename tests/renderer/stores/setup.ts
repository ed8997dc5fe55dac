/** Per-test plumbing for the store tests: a fresh Pinia and a fake API each time. */
import { createPinia, setActivePinia } from 'pinia';
import { vi } from 'vitest';
import { setApiForTesting } from '@renderer/api/index';
import { createFakeApi, type FakeApi } from '../fake-api';

/** Activate a fresh Pinia and install a new fake API (nothing remembered from an earlier test); returns the fake. */
export function installFakeApi(): FakeApi {
  globalThis.localStorage?.clear();
  globalThis.sessionStorage?.clear();
  setActivePinia(createPinia());
  const api = createFakeApi();
  setApiForTesting(api);
  return api;
}

/** Remove the fake API and restore real timers. */
export function uninstallFakeApi(): void {
  setApiForTesting(null);
  vi.useRealTimers();
}
