/**
 * A child process for the tests: creates a run folder under argv[2] whose
 * config.json write never finishes (it prints "filling" and waits), so the
 * test can kill it at that moment; or, with argv[3] = 'lock', takes the lock
 * of the run folder argv[2], prints "locked" and waits to be killed.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { acquireRunLock } from '../../../src/engine/run/lock';
import { createRunDir } from '../../../src/engine/run/run-dir';

const [target, what] = process.argv.slice(2);
if (what === 'lock') {
  await acquireRunLock(target);
  process.stdout.write('locked\n');
} else {
  await createRunDir(target, 'held', async (dir) => {
    await writeFile(path.join(dir, 'config.json'), '{"name":');
    process.stdout.write('filling\n');
    await new Promise(() => undefined); // killed here
  });
}
setInterval(() => undefined, 1000);
