/// <reference lib="dom" />
/**
 * Train after a reload, in Debian's Chromium against a real `gan-studio
 * serve`: two tiny CLI runs (the demo set) have finished in its runs folder.
 *  - A fresh page opens Train on the run that ended last: its phase chip says
 *    "finished" (not "idle"), its curves and its newest sample grid are there,
 *    and the header says Start begins a new run;
 *  - a run opened from Runs stays on show across a reload of that tab, and a
 *    new tab opens on the newest again;
 *  - the skipped backends take one line of the setup.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../helpers/chromium';
import { TINY, trainRun } from '../helpers/cli';
import { startServe, type ServeChild } from '../helpers/serve';

let serve: ServeChild | null = null;
let browser: Browser | null = null;
const pageErrors: string[] = [];

const RUN_ARGS = ['--steps', '6', '--batch', '4', '--sample-every', '3', '--checkpoint-every', '6', ...TINY];

async function openTrain(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${serve!.url}#/train`);
  await page.waitForSelector('[data-testid="phase"]', { timeout: 100_000 });
  return page;
}

const phase = async (page: Page) => (await page.textContent('[data-testid="phase"]'))?.trim();
const subtitle = (page: Page) => page.textContent('.page-header .subtitle');
const chartPoints = async (page: Page) =>
  Number(await page.getAttribute('[data-testid="chart-loss"] .chart', 'data-points'));

describe.skipIf(!hasChromium)('Train after a reload', () => {
  beforeAll(async () => {
    serve = await startServe();
    const env = { env: { GAN_STUDIO_CACHE: serve.cache } };
    await trainRun(serve.runs, [...RUN_ARGS, '--name', 'first'], env);
    await trainRun(serve.runs, [...RUN_ARGS, '--name', 'second'], env);
    browser = await launchChromium();
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('a fresh page shows the run that ended last: finished, with its curves and samples', async () => {
    const context = await browser!.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await openTrain(context);
    await expect.poll(() => phase(page), { timeout: 30_000 }).toBe('finished');
    expect(await subtitle(page)).toBe('Run 00002-second. Start begins a new run from the setup.');
    expect(await page.textContent('[data-testid="step"]')).toContain('6 / 6');
    await expect.poll(() => chartPoints(page), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.waitForSelector('[data-testid="sample-grid"][src^="data:image/png"]', { timeout: 30_000 });
    expect(await page.getAttribute('[data-testid="sample-grid"]', 'data-step')).toBe('6');
    expect(await page.isEnabled('[data-testid="start"]')).toBe(true);

    // the skipped backends' reasons fold into one line: hover shows them, a click opens the list
    await page.waitForSelector('[data-testid="backend-headline"]', { timeout: 100_000 });
    const summary = page.locator('[data-testid="backend-summary"]');
    if (await summary.count()) {
      const lineHeight = await summary.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 18);
      expect((await summary.boundingBox())!.height).toBeLessThan(lineHeight * 1.5);
      expect(await page.isVisible('[data-testid="backend-skipped"]')).toBe(false);
      await summary.click();
      await expect.poll(() => page.isVisible('[data-testid="backend-skipped"]')).toBe(true);
    }
    await context.close();
  }, 200_000);

  it('a reload keeps the run opened from Runs; a new tab opens on the newest', async () => {
    const context = await browser!.newContext({ viewport: { width: 1024, height: 700 } });
    const page = await openTrain(context);
    await expect.poll(() => subtitle(page), { timeout: 30_000 }).toMatch(/^Run 00002-second/);
    await page.click('[data-nav="runs"]');
    const row = '[data-testid="runs-table"] .el-table__row:has-text("00001-first")';
    // at 1024 px the columns scroll under the actions: those must hide them, not let their text through
    const actionsBg = await page
      .locator(`${row} td.el-table-fixed-column--right`)
      .evaluate((td) => getComputedStyle(td).backgroundColor, null, { timeout: 60_000 });
    expect(actionsBg).toMatch(/^rgb\(/); // rgb(): opaque (transparent reads rgba(0, 0, 0, 0))
    await page.click(row, { timeout: 60_000 });
    await page.click('[data-testid="run-detail"] button:has-text("Curves")');
    await expect.poll(() => subtitle(page), { timeout: 30_000 }).toMatch(/^Run 00001-first/);

    await page.reload();
    await page.waitForSelector('[data-testid="phase"]', { timeout: 100_000 });
    await expect.poll(() => subtitle(page), { timeout: 30_000 }).toMatch(/^Run 00001-first/);
    await expect.poll(() => phase(page)).toBe('finished');
    await expect.poll(() => chartPoints(page), { timeout: 30_000 }).toBeGreaterThan(0);

    const other = await openTrain(context); // same browser, new tab: its own sessionStorage
    await expect.poll(() => subtitle(other), { timeout: 30_000 }).toMatch(/^Run 00002-second/);
    await context.close();
  }, 200_000);

  it('had no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
