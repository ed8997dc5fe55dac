/**
 * The demo page every web export carries: `index.html` and `demo.js`, next to
 * model.json, the tfjs bundle (`tf.min.js`, copied from node_modules),
 * `gan-sampler.js` and, for custom layers, `gan-layers.js`. Served by any
 * static server (`gan-studio export … --open` starts one), it works offline
 * and fetches nothing but the files of its own folder.
 *
 * The script is written to be read and copied: plain browser JavaScript, no
 * build step, commented where it matters.
 */
export const DEMO_HTML_FILE = 'index.html';
export const DEMO_SCRIPT_FILE = 'demo.js';
export const TFJS_BUNDLE_FILE = 'tf.min.js';

export const DEMO_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<!-- Nothing but this folder: the page works offline and talks to no other host. (tf.min.js needs 'unsafe-eval' to find its global.) -->
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'unsafe-eval'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'">
<link rel="icon" href="data:,">
<title>GAN Studio generator</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 24px; background: #16181d; color: #e6e6e6; }
  h1 { font-size: 18px; margin: 0 0 4px; }
  .muted { color: #9aa0aa; }
  .controls { display: flex; flex-wrap: wrap; gap: 12px 20px; align-items: center; margin: 16px 0; }
  label { display: inline-flex; gap: 6px; align-items: center; }
  input[type=number] { width: 7em; }
  .grid { display: grid; grid-template-columns: repeat(4, 128px); gap: 8px; }
  canvas { width: 128px; height: 128px; image-rendering: pixelated; background: #000; cursor: pointer; outline: 2px solid transparent; }
  canvas.selected { outline-color: #5b9cff; }
  section { margin-top: 24px; }
</style>
</head>
<body>
<h1 id="title">Generator</h1>
<div class="muted" id="status">loading…</div>

<div class="controls">
  <label>Seed <input id="seed" type="number" min="0" step="1" value="42"></label>
  <button id="reroll" type="button">Re-roll</button>
  <label id="class-field" hidden>Class <select id="class"></select></label>
  <label>Truncation ψ <input id="psi" type="range" min="0" max="1.5" step="0.05" value="1"> <span id="psi-value">1.00</span></label>
  <label>Pins <input id="latents" type="file" accept="application/json,.json"></label>
  <button id="download" type="button">Download PNG</button>
</div>
<div class="grid" id="grid"></div>

<section>
  <h2 style="font-size:15px">Interpolation</h2>
  <div class="controls">
    <label>From seed <input id="seed-a" type="number" min="0" step="1" value="42"></label>
    <label>to seed <input id="seed-b" type="number" min="0" step="1" value="43"></label>
    <input id="t" type="range" min="0" max="1" step="0.01" value="0">
  </div>
  <canvas id="lerp" width="1" height="1"></canvas>
</section>

<script src="${TFJS_BUNDLE_FILE}"></script>
<script src="gan-sampler.js"></script>
<script src="${DEMO_SCRIPT_FILE}"></script>
</body>
</html>
`;

export const DEMO_SCRIPT = `/*
 * GAN Studio's demo page for an exported generator. Plain browser JavaScript:
 * tf.min.js provides \`tf\`, gan-sampler.js provides \`GanSampler\` (the same
 * latents, dropout noise and seed rule as the studio and \`gan-studio generate\`:
 * image k of seed s is the image of seed s + k).
 */
(async function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const GRID = 8; // images in the grid: seeds s, s + 1, …, s + 7

  const info = await (await fetch('generator.json')).json();
  // Models with GAN Studio's custom layers need them registered before loading.
  if (info.layersScript) await loadScript(info.layersScript);
  // An absolute URL: tfjs resolves weights.bin against the model's folder, which a bare 'model.json' does not have.
  const model = await tf.loadLayersModel(new URL(info.model, location.href).href);

  $('title').textContent = \`Generator: \${info.resolution}×\${info.resolution}×\${info.channels}, step \${info.step}\`;
  if (info.numClasses > 0) {
    $('class-field').hidden = false;
    const names = ['all (one per column)'].concat(Array.from({ length: info.numClasses }, (_, i) => \`\${i}\${info.classNames[i] ? ' ' + info.classNames[i] : ''}\`));
    $('class').innerHTML = names.map((n, i) => \`<option value="\${i - 1}">\${n}</option>\`).join('');
  }

  let pins = null; // pins loaded from a latents file: [{ seed, z, class }]
  let selected = 0;

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error('cannot load ' + src));
      document.head.appendChild(s);
    });
  }

  /** The class picker's class, or null for "all" (image k gets class k mod numClasses). */
  const fixedClass = () => (info.numClasses > 0 && Number($('class').value) >= 0 ? Number($('class').value) : null);
  const psi = () => Number($('psi').value);

  /**
   * Images for latents \`z\` (n × latentDim), each with its dropout-noise seed
   * and (conditional generators) its class. Returns one ImageData per image.
   */
  async function generate(z, noiseSeeds, classes) {
    const n = noiseSeeds.length;
    GanSampler.seedNoise(model, noiseSeeds); // only matters for generators trained with dropout noise
    const out = tf.tidy(() => {
      const zt = tf.tensor2d(z, [n, info.latentDim]);
      // A conditional generator takes [z, oneHot(class)]; an unconditional one z alone.
      const input = info.numClasses > 0 ? [zt, tf.oneHot(tf.tensor1d(classes, 'int32'), info.numClasses).toFloat()] : zt;
      return model.predict(input);
    });
    const values = await out.data(); // NHWC in [-1, 1]
    out.dispose();
    const size = info.resolution * info.resolution;
    const images = [];
    for (let i = 0; i < n; i++) {
      const image = new ImageData(info.resolution, info.resolution);
      for (let p = 0; p < size; p++) {
        for (let c = 0; c < 3; c++) {
          const v = values[(i * size + p) * info.channels + (info.channels === 1 ? 0 : c)];
          image.data[p * 4 + c] = Math.min(255, Math.max(0, Math.round((v + 1) * 127.5))); // [-1, 1] to bytes, as the studio does
        }
        image.data[p * 4 + 3] = 255;
      }
      images.push(image);
    }
    return images;
  }

  function paint(canvas, image) {
    canvas.width = image.width;
    canvas.height = image.height;
    canvas.getContext('2d').putImageData(image, 0, 0);
  }

  async function drawGrid() {
    const seed = Math.max(0, Math.floor(Number($('seed').value) || 0));
    const items = pins
      ? pins.map((p) => ({ seed: p.seed, z: Float32Array.from(p.z), cls: p.class ?? fixedClass() ?? 0 }))
      : Array.from({ length: GRID }, (_, k) => {
          const s = GanSampler.seedOf(seed, k);
          return { seed: s, z: GanSampler.latentOf(s, info.latentDim, info.latentDistribution), cls: GanSampler.classOf(k, info.numClasses, fixedClass()) };
        });
    const z = new Float32Array(items.length * info.latentDim);
    items.forEach((it, i) => z.set(GanSampler.truncate(it.z, psi()), i * info.latentDim));
    const images = await generate(z, items.map((it) => it.seed), items.map((it) => it.cls ?? 0));
    const grid = $('grid');
    grid.replaceChildren();
    images.forEach((image, i) => {
      const canvas = document.createElement('canvas');
      canvas.dataset.seed = String(items[i].seed);
      if (info.numClasses > 0) canvas.dataset.class = String(items[i].cls);
      canvas.title = \`seed \${items[i].seed}\${info.numClasses > 0 ? ', class ' + items[i].cls : ''}\`;
      paint(canvas, image);
      canvas.onclick = () => select(i);
      grid.appendChild(canvas);
    });
    select(Math.min(selected, images.length - 1));
  }

  function select(i) {
    selected = i;
    [...$('grid').children].forEach((c, k) => c.classList.toggle('selected', k === i));
  }

  /** slerp between two seeds' latents; noise and class follow the nearer end, so t = 0 and t = 1 are those seeds' images. */
  async function drawInterpolation() {
    const a = Math.max(0, Math.floor(Number($('seed-a').value) || 0));
    const b = Math.max(0, Math.floor(Number($('seed-b').value) || 0));
    const t = Number($('t').value);
    const za = GanSampler.truncate(GanSampler.latentOf(a, info.latentDim, info.latentDistribution), psi());
    const zb = GanSampler.truncate(GanSampler.latentOf(b, info.latentDim, info.latentDistribution), psi());
    const cls = [GanSampler.classOf(0, info.numClasses, fixedClass()) ?? 0, GanSampler.classOf(1, info.numClasses, fixedClass()) ?? 0];
    const near = t < 0.5 ? 0 : 1;
    const [image] = await generate(GanSampler.slerp(za, zb, t), [[a, b][near]], [cls[near]]);
    paint($('lerp'), image);
  }

  async function redraw() {
    $('status').textContent = 'drawing…';
    await drawGrid();
    await drawInterpolation();
    $('psi-value').textContent = psi().toFixed(2);
    $('status').textContent = \`ready (tfjs \${tf.version.tfjs}, \${tf.getBackend()} backend)\`;
    document.body.dataset.ready = 'true';
  }

  $('seed').onchange = () => ((pins = null), redraw());
  $('reroll').onclick = () => {
    pins = null;
    $('seed').value = String(Math.floor(Math.random() * 2 ** 31));
    redraw();
  };
  $('class').onchange = redraw;
  $('psi').oninput = redraw;
  $('seed-a').onchange = drawInterpolation;
  $('seed-b').onchange = drawInterpolation;
  $('t').oninput = drawInterpolation;
  // Pins saved from the studio's Generate view (a gan-studio-latents JSON file).
  $('latents').onchange = async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    const json = JSON.parse(await file.text());
    if (json.format !== 'gan-studio-latents' || json.latentDim !== info.latentDim) {
      $('status').textContent = \`not a latents file for this generator (latentDim \${info.latentDim})\`;
      return;
    }
    pins = json.pins;
    $('psi').value = String(json.truncation ?? 1);
    redraw();
  };
  $('download').onclick = () => {
    const canvas = $('grid').children[selected];
    const link = document.createElement('a');
    link.download = \`seed\${canvas.dataset.seed}.png\`;
    link.href = canvas.toDataURL('image/png');
    link.click();
  };

  await redraw();
})().catch((err) => {
  document.getElementById('status').textContent = 'error: ' + err.message;
  document.body.dataset.error = err.message;
});
`;
