/**
 * The browser side of the custom layers. A generator that uses any of them
 * (customLayersIn(model) is not empty) needs them registered with the page's
 * tfjs before `tf.loadLayersModel`. The export ships `gan-layers.js`, made
 * here from the very code Node trains with (defineGanLayers' own source), as
 * a classic script that registers the layers on the global `tf`:
 *
 *   <script src="tf.min.js"></script>
 *   <script src="gan-layers.js"></script>
 *   <script> const model = await tf.loadLayersModel('model.json'); </script>
 *
 * It is not an ES module. It also sets `globalThis.registerGanLayers(tf)`,
 * so a page that loads tfjs as a module (no global `tf`) loads this script
 * and then calls `registerGanLayers(tf)` with its own tf.
 */
import { defineGanLayers } from './define';

/** Build tools may wrap functions in helpers (esbuild's keepNames, class fields); give them harmless stand-ins. */
export const BUILD_HELPERS = [
  'var __name = typeof __name !== "undefined" ? __name : function (target) { return target; };',
  'var __defProp = typeof __defProp !== "undefined" ? __defProp : Object.defineProperty;',
  'var __publicField = typeof __publicField !== "undefined" ? __publicField : function (obj, key, value) { __defProp(obj, typeof key !== "symbol" ? key + "" : key, { enumerable: true, configurable: true, writable: true, value: value }); return value; };',
].join('\n');

/** The JavaScript of `gan-layers.js`. */
function webLayersSource(): string {
  return `/* GAN Studio custom tfjs layers for exported generators. Load after tf.min.js. Generated; do not edit. */
(function (root) {
${BUILD_HELPERS}
var defineGanLayers = ${defineGanLayers.toString()};
root.registerGanLayers = function (tf) { return defineGanLayers(tf); };
if (root.tf && root.tf.layers) root.registerGanLayers(root.tf);
})(typeof globalThis !== 'undefined' ? globalThis : self);
`;
}

export const WEB_LAYERS_FILE = 'gan-layers.js';

/**
 * Extra files a web export of `model` needs next to model.json: `gan-layers.js`
 * when the model uses custom layers, nothing for a stock-layers model.
 */
export function webExportFiles(customLayers: readonly string[]): Record<string, string> {
  return customLayers.length > 0 ? { [WEB_LAYERS_FILE]: webLayersSource() } : {};
}
