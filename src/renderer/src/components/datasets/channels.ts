import type { DatasetSummary } from '@shared/contract';

/** The source channel layouts found in an import, with their counts (layouts with none left out). */
export function channelRows(summary: DatasetSummary): (readonly [string, number])[] {
  const c = summary.sourceChannels;
  if (!c) return [];
  return (
    [
      ['Grayscale', c.gray],
      ['Gray + alpha', c.grayAlpha],
      ['RGB', c.rgb],
      ['RGBA', c.rgba],
      ['Other (CMYK, …)', c.other],
    ] as const
  ).filter(([, n]) => n > 0);
}
