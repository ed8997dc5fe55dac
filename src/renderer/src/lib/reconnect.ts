/**
 * Run `fn` each time the link to the backend comes back after it dropped (a
 * restart of `gan-studio serve`; the desktop app's link never drops). Events
 * sent while the page was away are lost, so what it knows of the training job
 * and the runs may be stale: a job it showed as paused may have ended with
 * the old server. The first connect of the page does not count.
 */
import type { GanStudioApi, Unsubscribe } from '@shared/contract';

export function onReconnect(api: Pick<GanStudioApi, 'onConnectionChange'>, fn: () => void): Unsubscribe {
  let dropped = false;
  return api.onConnectionChange((c) => {
    // attempt counts the failed tries since the last good link: 0 before the first connect
    if (!c.connected && c.attempt > 0) dropped = true;
    else if (c.connected && dropped) {
      dropped = false;
      fn();
    }
  });
}
