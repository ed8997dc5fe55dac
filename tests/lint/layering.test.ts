/**
 * The layering rules of eslint.config.js catch what they are for: each case
 * lints a one-line file at a path inside a layer with the repo's real config.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const x = a;\n`, { filePath });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering (no-restricted-imports per folder)', () => {
  it.each([
    ['src/engine/train/x.ts', "import a from 'electron';"],
    ['src/engine/train/x.ts', "import { a } from '../../studio/backend';"],
    ['src/engine/x.ts', "import { a } from '../cli/main';"],
    ['src/engine/x.ts', "import { a } from '../server/index';"],
    ['src/engine/x.ts', "import { a } from '../main/ipc';"],
    ['src/engine/x.ts', "import { a } from '../renderer/src/lib/health';"],
    ['src/studio/x.ts', "import { app as a } from 'electron';"],
    ['src/studio/handlers/x.ts', "import { a } from '../../main/ipc';"],
    ['src/renderer/src/stores/x.ts', "import { a } from '../../../engine/rng';"],
    ['src/renderer/src/stores/x.ts', "import { a } from '../../../studio/runs';"],
    ['src/renderer/src/stores/x.ts', "import { a } from '../../../shared/config';"],
    ['src/renderer/src/stores/x.ts', "import a from 'node:fs';"],
    ['src/shared/x.ts', "import a from 'node:fs';"],
    ['src/shared/contract/x.ts', "import { a } from '../../engine/rng';"],
    ['src/studio/x.ts', "import { a } from '../engine/rng';"],
    ['src/studio/workers/x.ts', "import { a } from '../../engine/metrics/sample-nearest';"],
    ['src/cli/commands/x.ts', "import { a } from '../../engine/backend';"],
    ['src/server/x.ts', "import { a } from '../engine/run/run-dir';"],
  ])('%s: %s is refused', async (file, code) => {
    expect(await restricted(file, code)).toHaveLength(1);
  });

  it.each([
    ['src/engine/train/x.ts', "import { a } from '../../shared/config';"],
    ['src/studio/x.ts', "import { a } from '../engine';"],
    ['src/studio/handlers/x.ts', "import { a } from '../../engine/light';"],
    ['src/cli/commands/x.ts', "import { a } from '../../engine';"],
    ['src/renderer/src/stores/x.ts', "import { a } from '@shared/training-state';"],
    ['src/renderer/src/components/run/x.ts', "import { a } from '../../stores/studio';"],
    ['src/main/x.ts', "import { app as a } from 'electron';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await restricted(file, code)).toEqual([]);
  });
});
