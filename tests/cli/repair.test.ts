/**
 * `gan-studio repair RUN_DIR` on a real damaged run: without --yes it lists
 * what it would do and changes nothing; with --yes it repairs and says what
 * it did; a bad folder is one clear line on stderr.
 */
import { cp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DCGAN_28, fixturePath } from '../helpers/fixture-runs';
import { describeResult, makeTempDir, runCli } from '../helpers/cli';

describe('gan-studio repair', () => {
  it('lists, then repairs with --yes; a folder that is not there is one line', async () => {
    const dir = path.join(await makeTempDir('gan-cli-repair-'), '00001-dcgan-28');
    await cp(fixturePath(DCGAN_28), dir, { recursive: true });
    await rm(path.join(dir, 'status.json'));

    const dry = await runCli(['repair', dir]);
    expect(dry.code, describeResult(dry)).toBe(0);
    expect(dry.stdout).toBe(
      `would repair ${dir}:\n  - write the missing status.json: stopped at step 4\nNothing was changed. Run again with --yes to repair.\n`,
    );
    await expect(readFile(path.join(dir, 'status.json'))).rejects.toThrow(/ENOENT/);

    const yes = await runCli(['repair', dir, '--yes']);
    expect(yes.code, describeResult(yes)).toBe(0);
    expect(yes.stdout).toBe(`repaired ${dir}:\n  - write the missing status.json: stopped at step 4\n`);
    expect(JSON.parse(await readFile(path.join(dir, 'status.json'), 'utf8'))).toMatchObject({
      status: 'stopped',
      step: 4,
    });

    const missing = await runCli(['repair', path.join(dir, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderrLines).toEqual([`error: Run folder not found: ${path.join(dir, 'nope')}.`]);
  });
});
