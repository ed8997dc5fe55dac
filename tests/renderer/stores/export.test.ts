import { afterEach, describe, expect, it, vi } from 'vitest';
import { useExportStore } from '@renderer/stores/export';
import { installFakeApi, uninstallFakeApi } from './setup';

afterEach(uninstallFakeApi);

describe('export store', () => {
  it('exports with the chosen weight quantization, and downloads the export as one zip', async () => {
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
    await e.downloadZip();
    click.mockRestore();
    expect(api.exportZip).toHaveBeenCalledWith({
      checkpoint: { runId: '00001-x', step: null },
      dir: '/tmp/runs/x/export-web',
    });
    expect(clicks).toEqual([
      { href: expect.stringMatching(/^data:application\/zip;base64,/), download: 'export-web.zip' },
    ]);
    expect(e.zipping).toBe(false);
    expect(e.error).toBeNull();
  });

  it("downloads through the server's streaming link when the export has one, without a data URL", async () => {
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
    await e.downloadZip();
    click.mockRestore();
    expect(api.exportZip).not.toHaveBeenCalled();
    expect(clicks).toEqual([
      { href: expect.stringMatching(/\/api\/download\/abc\/export-web\.zip$/), download: 'export-web.zip' },
    ]);
  });
});
