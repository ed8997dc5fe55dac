/// <reference lib="dom" />
/**
 * The studio end to end in Debian's Chromium against `gan-studio serve`: a
 * newcomer's path through all five views, without a terminal.
 *  - import the demo data set and see the report;
 *  - start a short training run; the charts gain points and a sample grid appears;
 *  - pause and resume (keyboard shortcut and button);
 *  - Generate: pin two seeds and make an interpolation;
 *  - export for the web.
 * Screenshots of every view, dark and light, go to tests/e2e/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../helpers/chromium';
import { startServe, type ServeChild } from '../helpers/serve';

const SHOTS = path.resolve('tests/e2e/screenshots');
const VIEWS = ['datasets', 'train', 'runs', 'generate', 'export'] as const;

let server: ServeChild | null = null;
let browser: Browser | null = null;
let page: Page;
let url = '';
const pageErrors: string[] = [];

async function go(view: (typeof VIEWS)[number]): Promise<void> {
  await page.click(`[data-nav="${view}"]`);
  await page.mouse.move(640, 790); // no hover tooltip in the screenshots
  await page.waitForTimeout(400);
}

async function shot(name: string): Promise<void> {
  await page.mouse.move(1270, 790);
  await page.waitForTimeout(700); // let hover tooltips fade
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

async function phase(): Promise<string> {
  return (await page.textContent('[data-testid="phase"]'))?.trim() ?? '';
}

async function setField(pathName: string, value: string): Promise<void> {
  await page.fill('input[placeholder^="Filter options"]', pathName);
  const input = page.locator(`[data-path="${pathName}"] input`).first();
  await input.fill(value);
  await input.blur();
}

describe.skipIf(!hasChromium)('GAN Studio in the browser (serve)', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startServe();
    url = server.url;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(url);
    await page.waitForSelector('[data-nav="datasets"]');
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('imports the demo data set and shows the report', async () => {
    await go('datasets');
    await page.click('.opt:has-text("Channels") >> text=Gray');
    await page.click('.opt:has-text("Resolution") .el-select');
    await page.click('.el-select-dropdown__item:has-text("28 × 28")');
    await page.click('[data-testid="import-button"]');
    await page.waitForSelector('[data-testid="dataset-stats"]', { timeout: 180_000 });
    expect(await page.textContent('[data-testid="dataset-stats"]')).toContain('3,000');
    await page.waitForSelector('[data-testid="thumb-grid"] img');
    await shot('datasets-dark');
    await page.click('.el-tabs__item:has-text("Report")');
    await page.waitForSelector('[data-testid="import-report"]');
    expect(await page.textContent('[data-testid="import-report"]')).toContain('Skipped files');
    await shot('datasets-report-dark');
    await page.click('.el-tabs__item:has-text("Preprocessing preview")');
    await page.click('[data-testid="preview-button"]');
    await page.waitForSelector('[data-testid="preview-pairs"] img', { timeout: 60_000 });
    await shot('datasets-preview-dark');
  });

  it('trains a short run: curves gain points, a sample grid appears, pause and resume work', async () => {
    await page.click('[data-testid="use-for-training"]');
    await page.waitForSelector('[data-testid="config-form"]');
    await setField('steps', '150');
    await setField('batchSize', '16');
    await setField('sampleEvery', '25');
    await setField('checkpointEvery', '50');
    await page.fill('input[placeholder^="Filter options"]', '');
    await page.waitForSelector('.el-tag:has-text("valid")', { timeout: 10_000 });
    await page.mouse.move(900, 500);
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="chart-loss"] .chart')?.getAttribute('data-points') ?? 0) > 10,
      null,
      { timeout: 180_000 },
    );
    await page.waitForSelector('[data-testid="sample-grid"]', { timeout: 120_000 });
    expect(await phase()).toBe('running');

    await page.keyboard.press('Space');
    await expect.poll(phase, { timeout: 30_000 }).toBe('paused');
    const pausedAt = await page.textContent('[data-testid="step"]');
    await page.waitForTimeout(1500);
    expect(await page.textContent('[data-testid="step"]')).toBe(pausedAt);
    await shot('train-paused-dark');
    await page.click('[data-testid="pause"]'); // now "Resume"
    await expect.poll(phase, { timeout: 30_000 }).toBe('running');
    await page.waitForFunction((s) => document.querySelector('[data-testid="step"]')?.textContent !== s, pausedAt, {
      timeout: 60_000,
    });
    await shot('train-dark');
    await expect.poll(phase, { timeout: 300_000, interval: 1000 }).toBe('finished'); // the run's status once no job works on it
    await page.waitForTimeout(500);
    await shot('train-done-dark');
  }, 420_000);

  it('lists the run in Runs with its checkpoints', async () => {
    await go('runs');
    await page.waitForSelector('[data-testid="runs-table"] .el-table__row');
    await page.click('[data-testid="runs-table"] .el-table__row');
    await page.waitForSelector('[data-testid="checkpoints"] .ckpt');
    await shot('runs-dark');
  });

  it('Generate: pins two seeds and interpolates between them', async () => {
    await go('generate');
    await page.waitForSelector('[data-testid="gen-grid"] .tile img', { timeout: 60_000 });
    // ten-digit seeds, as Re-roll draws them: a pin card's label and buttons must still fit the card
    const firstSeed = () => page.locator('[data-testid="gen-grid"] .tile').first().getAttribute('data-seed');
    const seedInput = page.locator('.w-seed input');
    await seedInput.fill('1674570851');
    await seedInput.press('Enter');
    await expect.poll(firstSeed, { timeout: 60_000 }).toBe('1674570851');
    await page.waitForSelector('[data-testid="gen-grid"] .tile img', { timeout: 60_000 });
    const tiles = page.locator('[data-testid="gen-grid"] .tile');
    await tiles.nth(0).click();
    await tiles.nth(5).click();
    await expect.poll(() => page.locator('[data-testid="pins"] .pin').count()).toBe(2);
    const overhang = await page.$$eval('[data-testid="pins"] .pin', (pins) =>
      pins.map((p) => {
        const card = p.getBoundingClientRect();
        return Math.max(
          ...Array.from(p.querySelectorAll('button'), (b) => b.getBoundingClientRect().right - card.right),
        );
      }),
    );
    expect(overhang.every((px) => px <= 0)).toBe(true); // the ✕ ran 26 px over the next card
    await page.click('[data-testid="interpolate"]');
    await page.waitForSelector('[data-testid="strip"] img', { timeout: 60_000 });
    expect(await page.locator('[data-testid="strip"] img').count()).toBeGreaterThanOrEqual(12);
    await page.waitForSelector('[data-testid="animation"] img');
    await shot('generate-dark');
    await page.click('[data-testid="export-gif"]');
    await page.waitForSelector('[data-testid="saved"]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid="saved"]')).toContain('.gif');
  });

  it('exports for the web', async () => {
    await go('export');
    await page.click('[data-testid="export-web"]');
    await page.waitForSelector('[data-testid="export-result"]', { timeout: 120_000 });
    expect(await page.textContent('[data-testid="export-result"]')).toContain('model.json');
    await page.click('[data-testid="show-in-folder"]');
    await shot('export-dark');
  });

  it('looks right in the light theme too', async () => {
    await page.click('[data-testid="theme-toggle"]');
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(false);
    for (const v of VIEWS) {
      await go(v);
      await page.waitForTimeout(600);
      await shot(`${v}-light`);
    }
    await page.reload();
    await page.waitForSelector('[data-nav="datasets"]');
    expect(await page.evaluate(() => localStorage.getItem('gan-studio.theme'))).toBe('light');
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(false);
  });

  it('had no page errors (CSP violations included)', () => {
    expect(pageErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
