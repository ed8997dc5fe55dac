/**
 * The WebGPU tests run on SwiftShader, the CPU Vulkan driver Debian's chromium
 * package ships. This points the Vulkan loader at it (before Dawn starts) and says
 * whether the tests can run: without SwiftShader they are skipped with the reason,
 * except in CI (CI=true), where a missing driver is a failure.
 */
import { existsSync } from 'node:fs';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

const present = existsSync(SWIFTSHADER_ICD);
if (present) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;

/** Why the WebGPU tests cannot run here, or null when they can. */
export const webgpuSkipReason: string | null = present
  ? null
  : `SwiftShader's Vulkan driver is missing (${SWIFTSHADER_ICD}; apt-get install chromium libvulkan1)`;

/** true: skip the suite (and say why once). In CI a missing driver throws instead. */
export function skipWebGpu(): boolean {
  if (webgpuSkipReason == null) return false;
  if (process.env.CI === 'true') throw new Error(`WebGPU tests cannot run in CI: ${webgpuSkipReason}`);
  console.warn(`skipping WebGPU tests: ${webgpuSkipReason}`);
  return true;
}
