/** A view that cannot load (server down) says why instead of doing nothing. */
import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { explainViewLoadFailures, isChunkLoadError, retryFailedStylesheets } from '@renderer/lib/view-load-errors';

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

describe('stylesheets that failed while the server was down', () => {
  it('are asked for again later, so a view that loads once the server is back has its styles', async () => {
    const doc = document.implementation.createHTMLDocument('studio');
    const stylesheets = retryFailedStylesheets(doc);
    // Links without href (happy-dom would fetch one and fail every stylesheet); the errors are sent by hand.
    const link = (rel: string) => {
      const el = doc.createElement('link');
      el.rel = rel;
      doc.head.append(el);
      return el;
    };
    const failed = link('stylesheet');
    Object.defineProperty(failed, 'href', { value: 'http://127.0.0.1:7860/assets/ExportView-abc.css' });
    const loaded = link('stylesheet');
    const preload = link('modulepreload');
    let seenByVite = false; // vite's own listener on the link still hears the error (and rejects the load)
    failed.addEventListener('error', () => (seenByVite = true));
    failed.dispatchEvent(new Event('error'));
    preload.dispatchEvent(new Event('error'));
    expect(seenByVite).toBe(true);
    expect([...doc.head.querySelectorAll('link')]).toEqual([loaded, preload]); // the failed stylesheet is gone

    // What the retry adds (happy-dom fails it at once, like a server still down, so watch the additions).
    const added: string[] = [];
    new MutationObserver((records) => {
      for (const r of records)
        for (const n of r.addedNodes)
          if (n instanceof HTMLLinkElement) added.push(`${n.rel} ${n.getAttribute('href')}`);
    }).observe(doc.head, { childList: true });
    stylesheets.retry();
    await Promise.resolve();
    expect(added).toEqual(['stylesheet http://127.0.0.1:7860/assets/ExportView-abc.css']);
    stylesheets.retry(); // it failed again, so it is asked for again, once
    await Promise.resolve();
    expect(added).toHaveLength(2);
  });
});
