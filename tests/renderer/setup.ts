/** Shared mounting options for component tests: a fresh Pinia per mount, and a router for views. */
import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHistory, createRouter } from 'vue-router';

export function withPinia() {
  globalThis.localStorage?.clear(); // nothing remembered from an earlier test
  globalThis.sessionStorage?.clear();
  const pinia = createPinia();
  setActivePinia(pinia);
  return { global: { plugins: [pinia] } };
}

/** withPinia's, plus an in-memory router that takes any path to an empty page (for components that link or navigate). */
export function withPiniaAndRouter() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/:p(.*)', component: { render: () => null } }],
  });
  const opts = withPinia();
  return { router, global: { plugins: [...opts.global.plugins, router] } };
}
