import { afterEach, describe, expect, it, vi } from 'vitest';
import { useExportStore } from '@renderer/stores/export';
import { installFakeApi, uninstallFakeApi } from './setup';

afterEach(uninstallFakeApi);

describe('export store', () => {
  it('exports with the chosen weight quantization; without a download link (desktop) there is nothing to download', async () => {
    const api = installFakeApi();
    const e = useExportStore();
    e.checkpoint = { runId: '00001-x', step: null };
    e.quantize = 'uint8';
    await e.run();
    expect(api.exportWeb).toHaveBeenCalledWith(
      expect.objectContaining({ checkpoint: { runId: '00001-x', step: null }, quantize: 'uint8' }),
    );
    expect(e.result?.snippets.script).toMatch(/seed 42/);

    const clicks: { href: string; download: string }[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push({ href: this.href, download: this.download });
    });
    e.downloadZip();
    click.mockRestore();
    expect(clicks).toEqual([]);
    expect(e.error).toBeNull();
  });

  it("downloads through the server's streaming link when the export has one", async () => {
    const api = installFakeApi();
    const base = await api.exportWeb({ checkpoint: { runId: '00001-x', step: null } });
    vi.mocked(api.exportWeb).mockResolvedValueOnce({ ...base, download: '/api/download/abc/export-web.zip' });
    const e = useExportStore();
    e.checkpoint = { runId: '00001-x', step: null };
    await e.run();
    const clicks: { href: string; download: string }[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push({ href: this.href, download: this.download });
    });
    e.downloadZip();
    click.mockRestore();
    expect(clicks).toEqual([
      { href: expect.stringMatching(/\/api\/download\/abc\/export-web\.zip$/), download: 'export-web.zip' },
    ]);
  });
});
