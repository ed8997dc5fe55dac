/// <reference lib="dom" />
/**
 * Following a run the studio did not start, in Debian's Chromium against a
 * real `gan-studio serve`: a `gan-studio train` child (tiny model, the demo
 * Fashion-MNIST set) writes into the served runs folder.
 *  - Runs lists it as running, its step advancing;
 *  - Train (its curves) grows the loss curves and shows new sample grids live;
 *  - after `kill -9` of the trainer both say interrupted, not running;
 *  - the step cursor with real mouse events on the chart canvases: hovering
 *    one previews the nearest grid and marks that step on every chart, the
 *    quality charts included; a click pins it; the x axis switches for all;
 *    a quality chart downloads its CSV and PNG.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../helpers/chromium';
import { startCli, type CliChild } from '../helpers/cli';
import { startServe, type ServeChild } from '../helpers/serve';

let serve: ServeChild | null = null;
let cli: CliChild | null = null;
let browser: Browser | null = null;
let page: Page;
const pageErrors: string[] = [];

/** The CLI run's row in the runs table. */
const ROW = '[data-testid="runs-table"] .el-table__row:has-text("-cli")';

const attr = (selector: string, name: string) => page.getAttribute(selector, name);
const gridStep = async () => Number(await attr('[data-testid="sample-grid"]', 'data-step'));
/** data-cursor of every chart in Train (losses, D, gradients, speed and the three quality charts). */
const cursors = () =>
  page.$$eval('.monitor-grid .chart', (els) => els.map((e) => e.getAttribute('data-cursor') ?? 'none'));

/** Move the real mouse to a fraction of a chart canvas's width, in its vertical middle. */
async function pointAt(chart: string, fx: number, click = false): Promise<void> {
  const canvas = page.locator(`[data-testid="${chart}"] .chart canvas`).first();
  await canvas.scrollIntoViewIfNeeded(); // the lower charts are below the fold
  const box = await canvas.boundingBox();
  if (!box) throw new Error(`${chart} has no canvas`);
  const x = box.x + box.width * fx;
  const y = box.y + box.height * 0.5;
  if (click) await page.mouse.click(x, y);
  else await page.mouse.move(x, y, { steps: 4 });
}

describe.skipIf(!hasChromium)('following a CLI run in the browser', () => {
  beforeAll(async () => {
    serve = await startServe();
    cli = startCli(
      [
        'train',
        '--out',
        serve.runs,
        '--name',
        'cli',
        '--steps',
        '100000',
        '--batch',
        '4',
        '--sample-every',
        '5',
        '--checkpoint-every',
        '20',
        '--backend',
        'wasm',
        '--set',
        'model.baseWidth=8',
        // cheap evaluations, so the quality charts have points to point at
        '--set',
        'metrics.every=10',
        '--set',
        'metrics.samples=16',
        '--set',
        'metrics.budget=1',
      ],
      { env: { GAN_STUDIO_CACHE: serve.cache }, timeoutMs: 450_000 },
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(serve.url);
    await page.waitForSelector('[data-nav="runs"]');
  }, 300_000);

  afterAll(async () => {
    if (cli && cli.child.exitCode === null) cli.child.kill('SIGKILL');
    await browser?.close();
    await serve?.stop();
  });

  it('Runs shows the CLI run as running, its step advancing', async () => {
    await page.click('[data-nav="runs"]');
    // The page was open before the trainer made its folder: the list picks the new run up by itself.
    await page.waitForSelector(ROW, { timeout: 120_000 });
    await expect.poll(() => page.locator(ROW).innerText(), { timeout: 60_000 }).toMatch(/running/);
    const stepOf = async () =>
      Number(/([\d,]+) \/ 100,000/.exec(await page.locator(ROW).innerText())![1].replace(/,/g, ''));
    const first = await stepOf();
    await expect.poll(stepOf, { timeout: 60_000, interval: 500 }).toBeGreaterThan(first);
  }, 200_000);

  it('Train follows it live: the curves grow and new sample grids appear', async () => {
    await page.click(ROW);
    await page.click('[data-testid="run-detail"] button:has-text("Curves")');
    await page.waitForSelector('[data-testid="chart-loss"]');
    const points = async () => Number(await attr('[data-testid="chart-loss"] .chart', 'data-points'));
    await expect.poll(points, { timeout: 60_000 }).toBeGreaterThan(0);
    const before = await points();
    await expect.poll(points, { timeout: 60_000, interval: 500 }).toBeGreaterThan(before);
    expect(await page.textContent('[data-testid="phase"]')).toContain('running');
    await page.waitForSelector('[data-testid="sample-grid"]', { timeout: 60_000 });
    const firstGrid = await gridStep();
    await expect.poll(gridStep, { timeout: 60_000, interval: 500 }).toBeGreaterThan(firstGrid);
    expect(await attr('[data-testid="sample-grid"]', 'src')).toBeTruthy();
    await page.waitForSelector('[data-testid="chart-swd"] .chart canvas', { timeout: 60_000 });
    // enough grids and evaluations (steps 0, 10, 20) for the cursor test to point between
    const step = async () => Number((await page.textContent('[data-testid="step"]'))?.split('/')[0].replace(/\D/g, ''));
    await expect.poll(step, { timeout: 150_000, interval: 1000 }).toBeGreaterThanOrEqual(22);
  }, 300_000);

  it('shows the run as interrupted once its trainer is killed with SIGKILL', async () => {
    cli!.child.kill('SIGKILL');
    await cli!.done;
    await expect
      .poll(async () => (await page.textContent('[data-testid="phase"]'))?.trim(), { timeout: 30_000 })
      .toBe('interrupted');
    // The last step stays on show, and the curves stop growing once the studio has read the lines the trainer
    // wrote before it died: the phase can turn first (a fast trainer left ~20 steps unread, session 7).
    const points = () => attr('[data-testid="chart-loss"] .chart', 'data-points');
    const unchangedFor2500ms = async () => {
      const before = await points();
      await page.waitForTimeout(2500);
      return (await points()) === before;
    };
    await expect.poll(unchangedFor2500ms, { timeout: 30_000, interval: 1 }).toBe(true);
    expect(await page.textContent('[data-testid="phase"]')).toContain('interrupted');
    await page.click('[data-nav="runs"]');
    await expect.poll(async () => page.locator(ROW).innerText(), { timeout: 30_000 }).toMatch(/interrupted/);
    expect(await page.locator(ROW).innerText()).not.toMatch(/running/);
  }, 120_000);

  it('moves the step cursor on every chart and the sample timeline with the real mouse', async () => {
    // Shown again, so its history holds every evaluation the trainer made
    await page.click(ROW);
    await page.click('[data-testid="run-detail"] button:has-text("Curves")');
    await page.waitForSelector('[data-testid="sample-grid"]');
    await page.waitForTimeout(500); // the charts settle after the view is shown again
    const latest = await gridStep();
    expect(new Set(await cursors())).toEqual(new Set([String(latest)]));

    // hovering the loss chart early on: the nearest earlier grid, marked on all seven charts
    await pointAt('chart-loss', 0.25);
    await expect.poll(gridStep, { timeout: 5000 }).toBeLessThan(latest);
    const hovered = await gridStep();
    expect(await page.textContent('[data-testid="timeline-label"]')).toContain(`step ${hovered}`);
    await expect.poll(cursors).toEqual(Array(7).fill(String(hovered)));
    // leaving the chart goes back to the newest grid
    await page.mouse.move(700, 20);
    await expect.poll(gridStep).toBe(latest);

    // a click on the gradient chart pins its step; it stays once the pointer leaves
    await pointAt('chart-grad', 0.3, true);
    await page.mouse.move(700, 20);
    await page.waitForTimeout(300);
    const pinned = await gridStep();
    expect(pinned).toBeLessThan(latest);
    await expect.poll(cursors).toEqual(Array(7).fill(String(pinned)));

    // a quality chart takes the cursor too: hover and click report its evaluation steps
    await pointAt('chart-kid', 0.8);
    await expect.poll(gridStep, { timeout: 5000 }).not.toBe(pinned);
    const fromQuality = await gridStep();
    await expect.poll(cursors).toEqual(Array(7).fill(String(fromQuality)));
    await page.mouse.move(700, 20);
    await expect.poll(gridStep).toBe(pinned);

    // one x-axis switch turns every chart, the quality charts included, to wall time; pointing still works
    await page.click('[data-testid="chart-loss"] [data-testid="chart-x-mode"]');
    await expect
      .poll(() => page.$$eval('.monitor-grid .chart', (els) => els.map((e) => e.getAttribute('data-x-mode'))))
      .toEqual(Array(7).fill('time'));
    await pointAt('chart-speed', 0.2);
    await expect.poll(gridStep, { timeout: 5000 }).toBeLessThan(latest);
    await page.mouse.move(700, 20);
  }, 120_000);

  it("downloads a quality chart's curve as CSV and PNG", async () => {
    const csvDownload = page.waitForEvent('download');
    await page.click('[data-testid="chart-swd"] [data-testid="chart-csv"]');
    const csv = await readFile((await (await csvDownload).path())!, 'utf8');
    const [head, ...rows] = csv.trim().split('\n');
    expect(head).toBe('step,time,SWD ×10³');
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows[0].split(',')[0]).toBe('0'); // the evaluation at step 0
    for (const r of rows) {
      const [, time, swd] = r.split(',');
      expect(Date.parse(time)).toBeGreaterThan(Date.now() - 3_600_000); // when the evaluation ran
      expect(Number.isFinite(Number(swd))).toBe(true);
    }

    const pngDownload = page.waitForEvent('download');
    await page.click('[data-testid="chart-swd"] button:has-text("PNG")');
    const png = await readFile((await (await pngDownload).path())!);
    expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('had no page errors', () => {
    expect(pageErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
