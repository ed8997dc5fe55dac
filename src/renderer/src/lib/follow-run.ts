/**
 * Follow a run's folder live, wherever it is trained (`runs:follow`): listen
 * for its `runs:update` events, and keep the backend's lease renewed until
 * the returned function is called. The backend stops looking at the folder
 * once nobody follows it; a page that goes away without unfollowing stops
 * counting when its lease runs out. Renewing also follows again after the
 * backend restarted (browser mode reconnects by itself).
 */
import type { GanStudioApi, RunFollowUpdate, Unsubscribe } from '@shared/contract';

let counter = 0;

/** A follower id unique within this page (and, with the random part, across pages). */
function newFollowerId(): string {
  counter += 1;
  const random =
    typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function'
      ? crypto.randomUUID()
      : Math.random().toString(36).slice(2);
  return `page-${random}-${counter}`;
}

/** Renew when a third of the lease is left at most, however long the backend makes it. */
const RENEW_FRACTION = 1 / 3;
/** Before the first answer: renew this often (ms). */
const FIRST_RENEW_MS = 10_000;

export function followRun(api: GanStudioApi, runId: string, onUpdate: (u: RunFollowUpdate) => void): Unsubscribe {
  const followerId = newFollowerId();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const off = api.onRunUpdate((u) => {
    if (!stopped && u.runId === runId) onUpdate(u);
  });

  const renew = async (): Promise<void> => {
    let next = FIRST_RENEW_MS;
    try {
      const lease = await api.followRun({ runId, followerId });
      next = Math.max(1000, lease.leaseMs * RENEW_FRACTION);
    } catch {
      // the run is gone or the link is down: try again later (the run list says which)
    }
    if (!stopped) timer = setTimeout(() => void renew(), next);
  };
  void renew();

  return () => {
    if (stopped) return;
    stopped = true;
    if (timer) clearTimeout(timer);
    off();
    api.unfollowRun({ runId, followerId }).catch(() => undefined);
  };
}
