/** Collecting the import report, and printing it for people. */
import type { DecodedInfo } from './decode.js';
import type { ChannelSummary, ImportReport, SizeSummary } from './types.js';

/** Accumulates per-image facts during decoding. */
export class ReportBuilder {
  private sizes: SizeSummary | null = null;
  private readonly channels: ChannelSummary = { gray: 0, grayAlpha: 0, rgb: 0, rgba: 0, other: 0 };
  private readonly formats: Record<string, number> = {};

  addImage(info: DecodedInfo): void {
    const s = this.sizes;
    this.sizes = s
      ? {
          minWidth: Math.min(s.minWidth, info.width),
          maxWidth: Math.max(s.maxWidth, info.width),
          minHeight: Math.min(s.minHeight, info.height),
          maxHeight: Math.max(s.maxHeight, info.height),
        }
      : { minWidth: info.width, maxWidth: info.width, minHeight: info.height, maxHeight: info.height };
    this.channels[info.layout]++;
    this.formats[info.format] = (this.formats[info.format] ?? 0) + 1;
  }

  /** The report: the facts collected here, with the rest from the import. */
  build(fields: Omit<ImportReport, 'sourceSizes' | 'sourceChannels' | 'formats'>): ImportReport {
    return { ...fields, sourceSizes: this.sizes, sourceChannels: { ...this.channels }, formats: { ...this.formats } };
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The report as a few lines of text (CLI output, logs). */
export function formatReport(r: ImportReport, maxSkipped = 20): string {
  const lines = [
    `Imported ${plural(r.imported, 'image')} from ${r.root} (${plural(r.filesSeen, 'file')} seen, ${r.skipped.length} skipped)`,
  ];
  if (r.classNames.length > 0) {
    lines.push(`Classes: ${r.classNames.map((c, i) => `${c} (${r.classCounts[i]})`).join(', ')}`);
  }
  if (r.sourceSizes) {
    const s = r.sourceSizes;
    lines.push(`Source sizes: ${s.minWidth}–${s.maxWidth} × ${s.minHeight}–${s.maxHeight} px`);
  }
  const ch = Object.entries(r.sourceChannels).filter(([, n]) => n > 0);
  if (ch.length > 0) lines.push(`Source colour: ${ch.map(([k, n]) => `${n} ${k}`).join(', ')}`);
  const fm = Object.entries(r.formats);
  if (fm.length > 0) lines.push(`Formats: ${fm.map(([k, n]) => `${n} ${k}`).join(', ')}`);
  lines.push(`Preprocessing: ${r.preprocessing}`);
  if (r.skipped.length > 0) {
    lines.push('Skipped:');
    for (const s of r.skipped.slice(0, maxSkipped)) lines.push(`  ${s.file}: ${s.reason}`);
    if (r.skipped.length > maxSkipped) lines.push(`  … and ${r.skipped.length - maxSkipped} more`);
  }
  for (const w of r.warnings) lines.push(`Warning: ${w}`);
  return lines.join('\n');
}
