/** Shared mounting options for component tests: a fresh Pinia per mount. */
import { createPinia, setActivePinia } from 'pinia';

export function withPinia() {
  globalThis.localStorage?.clear(); // nothing remembered from an earlier test
  globalThis.sessionStorage?.clear();
  const pinia = createPinia();
  setActivePinia(pinia);
  return { global: { plugins: [pinia] } };
}
