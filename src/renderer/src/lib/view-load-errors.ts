/**
 * Views load on first visit (a separate chunk each). With the server down,
 * that load fails and vue-router just stays where it is, so a click on the
 * sidebar seemed to do nothing. This turns such a failure into one line that
 * says why, and what will happen.
 */
import type { Router } from 'vue-router';

/** A failed dynamic import, in the words Chromium, Firefox and Safari use. */
export function isChunkLoadError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed|Unable to preload CSS/i.test(
    message,
  );
}

/** The line for a view that could not be loaded. */
function viewLoadMessage(title: string, connected: boolean): string {
  return connected
    ? `Could not load the ${title} view. Reload the page to try again.`
    : `Cannot open ${title} yet: the GAN Studio server is not answering, so this view cannot be loaded. It opens once the server is back (the banner above says when).`;
}

/**
 * Stylesheets that failed to load, asked for again later. Vite preloads a
 * view's CSS with a `<link>` once per page (it remembers every dependency it
 * preloaded, failed or not), so a stylesheet that failed while the server was
 * down was never asked for again: once the server was back the view opened,
 * but without its styles. Each failed `<link rel="stylesheet">` is removed and
 * remembered; `retry()` adds them again (a retry that fails is remembered again).
 * Error events do not bubble; they do pass the capture phase.
 */
export function retryFailedStylesheets(doc: Document): { retry(): void } {
  const failed = new Set<string>();
  doc.addEventListener(
    'error',
    (e) => {
      const el = e.target;
      if (!(el instanceof HTMLLinkElement) || el.rel !== 'stylesheet') return;
      failed.add(el.href);
      el.remove();
    },
    true,
  );
  return {
    retry() {
      const hrefs = [...failed]; // a link can fail at once, and is then remembered again
      failed.clear();
      for (const href of hrefs) {
        const link = doc.createElement('link');
        link.rel = 'stylesheet';
        link.href = href;
        doc.head.append(link);
      }
    },
  };
}

/** Reports every failed view load on `router` through `notify`, and lets the next visit load the view whole. */
export function explainViewLoadFailures(
  router: Router,
  connected: () => boolean,
  notify: (message: string) => void,
): void {
  if (typeof document !== 'undefined') {
    // every navigation asks again for what failed before: the view it opens may need it
    const stylesheets = retryFailedStylesheets(document);
    router.beforeEach(() => stylesheets.retry());
  }
  router.onError((error, to) => {
    if (!isChunkLoadError(error)) return;
    notify(viewLoadMessage(String(to.meta?.title ?? to.name ?? to.path), connected()));
  });
}
