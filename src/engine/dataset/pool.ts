/** Run an async job for every index 0..count-1 with at most `limit` in flight. */
export async function forEachLimited(
  count: number,
  limit: number,
  job: (index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < count) {
      signal?.throwIfAborted();
      const i = next++;
      try {
        await job(i);
      } catch (e) {
        failed = true; // stop the other workers from taking new jobs
        throw e;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker);
  await Promise.all(workers);
}
