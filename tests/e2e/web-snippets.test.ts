/**
 * The README's two web snippets, extracted from README.md by this test and
 * run as written in Chromium against real exports (an unconditional and a
 * conditional generator with custom layers and dropout noise): each draws
 * seed 42 on its canvas as the engine does, within one grey level. They are
 * also the texts generator.json and the Export view show.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportForWeb, type GeneratorInfo } from '../../src/engine/export-web';
import { generateSeeds, loadGenerator } from '../../src/engine/generate';
import { MODULE_SNIPPET, SCRIPT_SNIPPET } from '../../src/engine/web-export/snippets';
import { hasChromium, launchChromium } from '../helpers/chromium';
import { serveStatic, type StaticServer } from '../helpers/static-server';
import { tempDir } from '../helpers/temp';
import { onBackend } from '../helpers/tf';
import { trainTinyRun } from '../helpers/tiny-run';

const TFJS_ESM = path.resolve('node_modules/@tensorflow/tfjs/dist/tf.fesm.min.js');
const BASE = ['ema.enabled=false'];
const MODELS: Record<string, string[]> = {
  plain: ['g.lr=0.02', 'steps=6'], // a big learning rate: visible images after 6 steps
  conditional: ['g.lr=0.02', 'steps=6', 'conditional.enabled=true', 'g.dropout=0.3'], // conditional batch norm: custom layers
};

/** The code block after `<!-- snippet:NAME` in the README. */
function readmeSnippet(readme: string, name: string): string {
  const at = readme.indexOf(`<!-- snippet:${name}`);
  expect(at, `README has a snippet:${name} marker`).toBeGreaterThan(0);
  const m = /```\w*\n([\s\S]*?)\n```/.exec(readme.slice(at));
  expect(m).not.toBeNull();
  return m![1];
}

let server: StaticServer;
let snippets: { script: string; module: string };
const infos: Record<string, GeneratorInfo> = {};
const seed42: Record<string, Uint8Array> = {};

beforeAll(async () => {
  const readme = await readFile(path.resolve('README.md'), 'utf8');
  snippets = { script: readmeSnippet(readme, 'script'), module: readmeSnippet(readme, 'module') };
  await onBackend('wasm');
  const root = await tempDir();
  const routes: Parameters<typeof serveStatic>[0] = { '/tfjs.mjs': { file: TFJS_ESM } };
  for (const [name, sets] of Object.entries(MODELS)) {
    const gen = await loadGenerator(await trainTinyRun(path.join(root, name), [...BASE, ...sets]));
    const dir = path.join(root, `${name}-web`);
    infos[name] = await exportForWeb(gen, dir);
    seed42[name] = (await generateSeeds(gen, [42], { classes: 0 })).bytes;
    gen.model.dispose();
    // Each snippet on a page of its own, with the export served as web-model/ beside it.
    routes[`/${name}-script/`] = { text: `<!doctype html>\n<body>\n${snippets.script}\n</body>` };
    routes[`/${name}-script/web-model/`] = { dir };
    routes[`/${name}-module/`] = {
      // The import map stands in for the bundler: '@tensorflow/tfjs' is tfjs's own ES-module build.
      text: `<!doctype html>\n<script type="importmap">{"imports":{"@tensorflow/tfjs":"/tfjs.mjs"}}</script>\n<body><canvas id="gan"></canvas>\n<script type="module">\n${snippets.module}\n</script>\n</body>`,
    };
    routes[`/${name}-module/web-model/`] = { dir };
  }
  server = await serveStatic(routes);
}, 240_000);

afterAll(() => server?.close());

describe('the README snippets', () => {
  it('are the snippets generator.json carries (one source, src/engine/web-export/snippets.ts)', () => {
    expect(snippets).toEqual({ script: SCRIPT_SNIPPET, module: MODULE_SNIPPET });
    expect(infos.plain.snippets).toEqual(snippets);
    expect(infos.conditional.numClasses).toBe(3);
    expect(infos.conditional.layersScript).toBe('gan-layers.js');
    expect(infos.plain.layersScript).toBeNull();
  });

  it.skipIf(!hasChromium).each(['plain-script', 'plain-module', 'conditional-script', 'conditional-module'])(
    '%s draws seed 42 on its canvas as the engine does',
    async (page) => {
      const browser = await launchChromium();
      try {
        const tab = await browser.newPage();
        const errors: string[] = [];
        tab.on('pageerror', (e) => errors.push(e.message));
        await tab.goto(`${server.url}/${page}/`);
        await tab
          .waitForFunction(() => (document.getElementById('gan') as HTMLCanvasElement).width === 16, undefined, {
            timeout: 60_000,
          })
          .catch(() => undefined);
        expect(errors).toEqual([]);
        const px = await tab.evaluate(() => {
          const c = document.getElementById('gan') as HTMLCanvasElement;
          return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data).filter(
            (_, i) => i % 4 !== 3,
          );
        });
        const expected = seed42[page.split('-')[0]];
        expect(px).toHaveLength(expected.length);
        expect(new Set(px).size).toBeGreaterThan(10);
        expect(Math.max(...px.map((v, i) => Math.abs(v - expected[i])))).toBeLessThanOrEqual(1);
      } finally {
        await browser.close();
      }
    },
  );
});
