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
  // The first failure (or the abort's reason), to reject with once every worker has stopped.
  const failures: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (failures.length === 0 && next < count) {
      if (signal?.aborted) {
        failures.push(signal.reason);
        return;
      }
      const i = next++;
      try {
        await job(i);
      } catch (e) {
        failures.push(e); // the other workers take no new jobs
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
  if (failures.length > 0) throw failures[0];
}
