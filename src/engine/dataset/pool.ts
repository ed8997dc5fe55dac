/**
 * Run an async job for every index 0..count-1 with at most `limit` in flight.
 * A failure or an abort stops new jobs from starting, and the call rejects
 * only once the jobs already running have settled: nothing of it keeps
 * working (writing into the caller's buffers, reporting progress) after it
 * has returned.
 */
export async function forEachLimited(
  count: number,
  limit: number,
  job: (index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  // The first failure (or the abort), kept to reject with once every worker has stopped.
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (failure === null && next < count) {
      if (signal?.aborted) {
        failure = { error: signal.reason };
        return;
      }
      const i = next++;
      try {
        await job(i);
      } catch (e) {
        failure ??= { error: e }; // the other workers take no new jobs
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
  signal?.throwIfAborted();
}
