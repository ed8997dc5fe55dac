/** Shared mounting options for component tests: a fresh Pinia per mount. */
import { createPinia, setActivePinia } from 'pinia';

export function withPinia() {
  const pinia = createPinia();
  setActivePinia(pinia);
  return { global: { plugins: [pinia] } };
}
