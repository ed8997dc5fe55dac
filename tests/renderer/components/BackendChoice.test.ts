import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setApiForTesting } from '@renderer/api/index';
import BackendChoice from '@renderer/components/train/BackendChoice.vue';
import { useConfigStore } from '@renderer/stores/config';
import type { BackendsInfo } from '@shared/contract';
import type { GpuAdapterSummary } from '@shared/gpu-adapter';
import { createFakeApi } from '../fake-api';
import { withPinia } from '../setup';

const limits = {
  maxBufferSize: 1 << 30,
  maxStorageBufferBindingSize: 1 << 27,
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupStorageSize: 16384,
};
const swiftshader: GpuAdapterSummary = {
  vendor: 'google',
  architecture: 'swiftshader',
  device: '',
  description: 'SwiftShader Device (Subzero)',
  fallback: false,
  emulation: 'a CPU emulation (SwiftShader)',
  limits,
};
const nvidia: GpuAdapterSummary = {
  ...swiftshader,
  vendor: 'nvidia',
  architecture: 'hopper',
  description: 'NVIDIA H200',
  emulation: null,
};

function backends(webgpu: Partial<BackendsInfo['backends'][number]>, auto: 'webgpu' | 'wasm'): BackendsInfo {
  return {
    auto,
    backends: [
      { name: 'tensorflow-gpu', available: false, reason: 'needs CUDA 11.2 and cuDNN 8.1', auto: true },
      { name: 'webgpu', available: true, reason: 'ready', auto: true, ...webgpu },
      {
        name: 'tensorflow',
        available: false,
        reason: 'the optional package @tensorflow/tfjs-node is not installed',
        auto: true,
      },
      { name: 'wasm', available: true, reason: 'ready', auto: true },
      { name: 'cpu', available: true, reason: 'ready', auto: true },
    ],
  };
}

async function mountWith(info: BackendsInfo) {
  const api = createFakeApi();
  vi.mocked(api.backends).mockResolvedValue(info);
  setApiForTesting(api);
  const wrapper = mount(BackendChoice, { props: { disabled: false }, ...withPinia() });
  await flushPromises();
  return { wrapper, config: useConfigStore(), api };
}

afterEach(() => setApiForTesting(null));

describe('BackendChoice', () => {
  it('on SwiftShader: auto trains on wasm, and says webgpu was skipped as a CPU emulation; the adapter is named', async () => {
    const { wrapper, api } = await mountWith(backends({ auto: false, adapter: swiftshader }, 'wasm'));
    expect(api.backends).toHaveBeenCalledTimes(1);
    expect(wrapper.get('[data-testid="backend-headline"]').text()).toBe('auto trains on wasm here');
    const skipped = wrapper.findAll('[data-testid="backend-skipped"] li').map((l) => l.text());
    expect(skipped).toEqual([
      'tensorflow-gpu skipped: needs CUDA 11.2 and cuDNN 8.1',
      'webgpu skipped: a CPU emulation (SwiftShader) (slower than wasm)',
      'tensorflow skipped: the optional package @tensorflow/tfjs-node is not installed',
    ]);
    expect(wrapper.get('[data-testid="backend-adapter"]').text()).toBe(
      'GPU adapter: google swiftshader (SwiftShader Device (Subzero)): a CPU emulation (SwiftShader)',
    );
  });

  it('choosing webgpu on an emulation says it runs, slower than wasm; an unavailable choice says why', async () => {
    const { wrapper, config } = await mountWith(backends({ auto: false, adapter: swiftshader }, 'wasm'));
    config.setValues({ ...config.values, backend: 'webgpu' });
    await flushPromises();
    expect(wrapper.get('[data-testid="backend-headline"]').text()).toBe(
      'trains on webgpu (on a CPU emulation (SwiftShader): slower than wasm)',
    );
    expect(wrapper.find('[data-testid="backend-skipped"]').exists()).toBe(false);
    config.setValues({ ...config.values, backend: 'tensorflow' });
    await flushPromises();
    expect(wrapper.get('[data-testid="backend-headline"]').text()).toBe('tensorflow cannot train here');
    expect(wrapper.get('[data-testid="backend-problem"]').text()).toMatch(/tfjs-node is not installed/);
  });

  it('with a real GPU auto picks webgpu; without an adapter it says why there is none', async () => {
    const gpu = await mountWith(backends({ adapter: nvidia }, 'webgpu'));
    expect(gpu.wrapper.get('[data-testid="backend-headline"]').text()).toBe('auto trains on webgpu here');
    expect(gpu.wrapper.get('[data-testid="backend-adapter"]').text()).toBe(
      'GPU adapter: nvidia hopper (NVIDIA H200): a real GPU',
    );
    gpu.wrapper.unmount();
    const none = await mountWith(
      backends({ available: false, reason: 'no Vulkan driver is installed (install a Vulkan driver)' }, 'wasm'),
    );
    expect(none.wrapper.get('[data-testid="backend-adapter"]').text()).toBe(
      'GPU adapter: no adapter: no Vulkan driver is installed (install a Vulkan driver)',
    );
    expect(none.wrapper.findAll('[data-testid="backend-skipped"] li')[1].text()).toBe(
      'webgpu skipped: no Vulkan driver is installed (install a Vulkan driver)',
    );
  });
});

describe('BackendChoice is compact', () => {
  it('folds the reasons into one closed line naming the skipped backends; hover or a click shows why', async () => {
    const { wrapper } = await mountWith(
      backends({ available: false, reason: 'no Vulkan driver is installed (install a Vulkan driver)' }, 'wasm'),
    );
    const fold = wrapper.get<HTMLDetailsElement>('[data-testid="backend-details"]');
    expect(fold.element.tagName).toBe('DETAILS');
    expect(fold.element.open).toBe(false); // closed: one line in the setup column
    const summary = wrapper.get('[data-testid="backend-summary"]');
    expect(summary.text()).toBe('Skipped tensorflow-gpu, webgpu, tensorflowwhy?');
    // every reason, and the missing adapter, in the hover text of that line
    expect(summary.attributes('title')!.split('\n')).toEqual([
      'tensorflow-gpu skipped: needs CUDA 11.2 and cuDNN 8.1',
      'webgpu skipped: no Vulkan driver is installed (install a Vulkan driver)',
      'tensorflow skipped: the optional package @tensorflow/tfjs-node is not installed',
      'GPU adapter: no adapter: no Vulkan driver is installed (install a Vulkan driver)',
    ]);
    // the list and the adapter line are inside the fold, nothing outside it but the headline
    expect(fold.findAll('[data-testid="backend-skipped"] li')).toHaveLength(3);
    expect(fold.find('[data-testid="backend-adapter"]').exists()).toBe(true);
    const outside = wrapper.findAll('p').filter((p) => !fold.element.contains(p.element));
    expect(outside.map((p) => p.attributes('data-testid'))).toEqual(['backend-headline']);
  });

  it('keeps the adapter in sight when training runs on it, and has no fold when nothing was skipped', async () => {
    const { wrapper, config } = await mountWith(backends({ adapter: nvidia }, 'webgpu'));
    const adapter = wrapper.get('[data-testid="backend-adapter"]');
    expect(wrapper.get('[data-testid="backend-details"]').element.contains(adapter.element)).toBe(false);
    expect(wrapper.get('[data-testid="backend-summary"]').text()).toBe('Skipped tensorflow-gpuwhy?');
    config.setValues({ ...config.values, backend: 'wasm' });
    await flushPromises();
    // wasm chosen: nothing was skipped; the adapter (not used) folds away under its own line
    expect(wrapper.get('[data-testid="backend-summary"]').text()).toBe('GPU adapterwhy?');
    expect(wrapper.find('[data-testid="backend-skipped"]').exists()).toBe(false);
  });
});
