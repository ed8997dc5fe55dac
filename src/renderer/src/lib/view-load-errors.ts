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

/** Reports every failed view load on `router` through `notify`. */
export function explainViewLoadFailures(
  router: Router,
  connected: () => boolean,
  notify: (message: string) => void,
): void {
  router.onError((error, to) => {
    if (!isChunkLoadError(error)) return;
    notify(viewLoadMessage(String(to.meta?.title ?? to.name ?? to.path), connected()));
  });
}
