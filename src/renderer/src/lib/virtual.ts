/**
 * Layout maths of the virtualized thumbnail grid: which rows are on screen
 * for a scroll position, so only those are in the DOM (60,000 images stay
 * smooth because only a few hundred elements ever exist).
 */

export interface GridLayoutInput {
  count: number;
  /** Width of the scroll viewport, px. */
  width: number;
  /** Height of the scroll viewport, px. */
  height: number;
  scrollTop: number;
  /** Side of one square cell, px. */
  itemSize: number;
  gap: number;
  /** Extra rows rendered above and below the viewport. */
  overscan?: number;
}

export interface GridLayout {
  columns: number;
  rows: number;
  /** Row pitch (cell plus gap), px. */
  rowHeight: number;
  /** Full scroll height, px. */
  totalHeight: number;
  /** First and one-past-last item index to render. */
  start: number;
  end: number;
  /** Offset of the first rendered row, px. */
  offsetY: number;
}

export function gridLayout(input: GridLayoutInput): GridLayout {
  const { count, itemSize, gap } = input;
  const overscan = input.overscan ?? 2;
  const columns = Math.max(1, Math.floor((Math.max(0, input.width) + gap) / (itemSize + gap)));
  const rows = Math.ceil(count / columns);
  const rowHeight = itemSize + gap;
  const totalHeight = Math.max(0, rows * rowHeight - gap);
  const firstRow = Math.max(0, Math.floor(input.scrollTop / rowHeight) - overscan);
  const lastRow = Math.min(rows, Math.ceil((input.scrollTop + Math.max(0, input.height)) / rowHeight) + overscan);
  const start = Math.min(count, firstRow * columns);
  const end = Math.min(count, Math.max(start, lastRow * columns));
  return { columns, rows, rowHeight, totalHeight, start, end, offsetY: firstRow * rowHeight };
}

/** The page indices (of `pageSize` items) that cover items [start, end). */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const first = Math.floor(start / pageSize);
  const last = Math.floor((end - 1) / pageSize);
  const out: number[] = [];
  for (let p = first; p <= last; p++) out.push(p);
  return out;
}
