/**
 * Bytes on the wire for the studio's first page load in browser mode: starts
 * the server on a built renderer, loads the page in Chromium with an empty
 * cache and sums what the network moved (CDP encodedDataLength: headers and
 * compressed bodies), until the network is idle.
 *
 *   npx tsx bench/first-load.ts [rendererDir]     (default out/renderer; build it first with npm run build)
 */
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startStudioServer } from '../src/server';
import { tempDir } from '../tests/helpers/temp';

const rendererDir = path.resolve(process.argv[2] ?? 'out/renderer');
const root = await tempDir('gan-studio-first-load-');
const server = await startStudioServer({
  runsRoot: path.join(root, 'runs'),
  rendererDir,
  workerEnv: { GAN_STUDIO_CACHE: path.join(root, 'cache') },
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const urls = new Map<string, string>();
  const sizes = new Map<string, number>();
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => sizes.set(e.requestId, e.encodedDataLength));
  await page.goto(server.url, { waitUntil: 'networkidle' });
  await page.waitForSelector('[data-nav="datasets"]');
  await page.waitForTimeout(1000);
  let total = 0;
  const rows: Array<[number, string]> = [];
  for (const [id, bytes] of sizes) {
    total += bytes;
    rows.push([bytes, new URL(urls.get(id) ?? '?', server.origin).pathname]);
  }
  rows.sort((a, b) => b[0] - a[0]);
  for (const [bytes, p] of rows.slice(0, 12)) console.log(`${(bytes / 1024).toFixed(1).padStart(8)} KB  ${p}`);
  console.log(
    `first load: ${(total / 1024).toFixed(1)} KB on the wire in ${sizes.size} requests (WebSocket frames not counted)`,
  );
} finally {
  await browser.close();
  await server.close();
}
