/**
 * The two snippets a web developer copies to draw one image of an exported
 * generator on a canvas: a plain <script> page and an ES-module (bundler)
 * one. They handle conditional (numClasses > 0) and unconditional models and
 * draw seed 42 exactly as the studio and `gan-studio generate --seed 42` do.
 * The README, generator.json and the studio's Export view all show these
 * texts; tests/e2e/web-snippets.test.ts runs the README's copies in Chromium.
 * `web-model/` is where the export folder is served from.
 */

export const SCRIPT_SNIPPET = `<canvas id="gan"></canvas>
<script src="web-model/tf.min.js"></script>
<script src="web-model/gan-sampler.js"></script>
<script>
  (async () => {
    const base = 'web-model/';
    const info = await (await fetch(base + 'generator.json')).json();
    if (info.layersScript) {
      // Custom layers (spectral norm, pixel shuffle, …) register themselves on tf.
      await new Promise((resolve, reject) => document.head.append(Object.assign(document.createElement('script'), { src: base + info.layersScript, onload: resolve, onerror: reject })));
    }
    const model = await tf.loadLayersModel(base + info.model);
    const seed = 42;
    const classIndex = 0; // conditional models: which class to draw
    GanSampler.seedNoise(model, [seed]); // dropout noise as in the studio, for models that have it
    const image = tf.tidy(() => {
      const z = tf.tensor2d(GanSampler.latentsOf([seed], info.latentDim, info.latentDistribution, 1), [1, info.latentDim]);
      const input = info.numClasses > 0 ? [z, tf.oneHot(tf.tensor1d([classIndex], 'int32'), info.numClasses).toFloat()] : z;
      const out = model.predict(input).squeeze([0]); // [res, res, channels] in [-1, 1]
      return out.add(1).mul(127.5).clipByValue(0, 255).round().cast('int32');
    });
    await tf.browser.toPixels(image, document.getElementById('gan'));
    image.dispose();
  })();
</script>`;

export const MODULE_SNIPPET = `// npm install @tensorflow/tfjs; serve the export folder as web-model/ (e.g. from public/); the page has <canvas id="gan">.
import * as tf from '@tensorflow/tfjs';

const base = new URL('web-model/', document.baseURI).href;
// gan-sampler.js: the studio's seed rule (latents and dropout noise); it sets globalThis.GanSampler.
await import(/* @vite-ignore */ base + 'gan-sampler.js');
const info = await (await fetch(base + 'generator.json')).json();
if (info.layersScript) {
  await import(/* @vite-ignore */ base + info.layersScript);
  globalThis.registerGanLayers(tf); // custom layers, registered with this tf
}
const model = await tf.loadLayersModel(base + info.model);

export async function draw(canvas, seed = 42, classIndex = 0) {
  globalThis.GanSampler.seedNoise(model, [seed]);
  const image = tf.tidy(() => {
    const z = tf.tensor2d(globalThis.GanSampler.latentsOf([seed], info.latentDim, info.latentDistribution, 1), [1, info.latentDim]);
    const input = info.numClasses > 0 ? [z, tf.oneHot(tf.tensor1d([classIndex], 'int32'), info.numClasses).toFloat()] : z;
    const out = model.predict(input).squeeze([0]); // [res, res, channels] in [-1, 1]
    return out.add(1).mul(127.5).clipByValue(0, 255).round().cast('int32');
  });
  await tf.browser.toPixels(image, canvas);
  image.dispose();
}

await draw(document.getElementById('gan'));`;
