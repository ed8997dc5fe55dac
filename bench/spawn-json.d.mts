/** Types of spawn-json.mjs, for the TypeScript bench scripts. */
export function spawnJson(
  cmd: string,
  argv: string[],
  options?: { cwd?: string; timeoutMs?: number },
): Promise<{ result: Record<string, unknown>; stderr: string }>;
