/** A view that cannot load (server down) says why instead of doing nothing. */
import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { explainViewLoadFailures, isChunkLoadError } from '@renderer/lib/view-load-errors';

function routerWithFailingView() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: { template: '<p>home</p>' } },
      {
        path: '/runs',
        meta: { title: 'Runs' },
        component: () =>
          Promise.reject(
            new TypeError('Failed to fetch dynamically imported module: http://127.0.0.1:7860/assets/RunsView-abc.js'),
          ),
      },
      { path: '/broken', meta: { title: 'Broken' }, component: () => Promise.reject(new Error('a bug in the view')) },
    ],
  });
  return router;
}

describe('view load failures', () => {
  it('tells a user why a click on a view did nothing while the server is down', async () => {
    const router = routerWithFailingView();
    const lines: string[] = [];
    let connected = false;
    explainViewLoadFailures(
      router,
      () => connected,
      (m) => lines.push(m),
    );
    await router.push('/');
    await router.push('/runs').catch(() => undefined);
    expect(router.currentRoute.value.path).toBe('/');
    expect(lines).toEqual([expect.stringMatching(/^Cannot open Runs yet: the GAN Studio server is not answering/)]);
    connected = true;
    await router.push('/runs').catch(() => undefined);
    expect(lines[1]).toMatch(/^Could not load the Runs view\. Reload the page/);
  });

  it('leaves other navigation errors alone', async () => {
    const router = routerWithFailingView();
    const lines: string[] = [];
    explainViewLoadFailures(
      router,
      () => false,
      (m) => lines.push(m),
    );
    await router.push('/broken').catch(() => undefined);
    expect(lines).toEqual([]);
    expect(isChunkLoadError(new TypeError('error loading dynamically imported module'))).toBe(true);
    expect(isChunkLoadError(new TypeError('Importing a module script failed.'))).toBe(true);
  });
});
