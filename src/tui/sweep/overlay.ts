import { formatNumber } from '../../format.js';
import { epochAxis, LABEL_WIDTH, lineText, toColumns } from '../chart.js';
import type { Bucket } from '../series.js';

/** A run's glyph: with colour off, the glyph alone tells the runs apart (they repeat after twelve). */
export const GLYPHS = ['●', '○', '▲', '△', '■', '□', '◆', '◇', '+', '*', '#', '%'] as const;

export function glyphOf(index: number): string {
  return GLYPHS[index % GLYPHS.length];
}

export interface OverlayRun {
  /** The run's decimated loss, covering its epochs 1..lastEpoch. */
  buckets: readonly Bucket[];
  lastEpoch: number;
  glyph: string;
  /** An ANSI colour code; absent draws in the default colour. */
  color?: string;
}

export interface OverlayOptions {
  width: number;
  /** Lines, the epoch axis included. */
  height: number;
  /** The epoch the axis ends at (the longest run's configured epochs), so runs grow left to right. */
  epochs: number;
  log?: boolean;
  /** Drawn last, on top of the others. */
  top?: number;
}

const DIM = '\u001b[2m';
const RANGE = '╎';
const ABOVE = '↑'; // a value above the chart's ceiling

/**
 * Every run's loss on one chart: each column shows a run's mean as its glyph, over the extent
 * (minimum to maximum, ╎) of the epochs the column covers, so a one-epoch spike stays visible. A
 * run spans the share of the width its epochs so far are of `epochs`. Columns come from the
 * dashboard's own downsampling (`toColumns`), so drawing costs the same at any epoch count.
 */
export function overlayChart(runs: readonly OverlayRun[], options: OverlayOptions): string[] {
  const height = Math.max(2, options.height - 1);
  const plotWidth = Math.max(2, options.width - LABEL_WIDTH - 2);
  const total = Math.max(1, options.epochs, ...runs.map((r) => r.lastEpoch));
  const transform = (v: number): number => (options.log ? (v > 0 ? Math.log10(v) : NaN) : v);
  const columns = runs.map((r) => {
    if (r.buckets.length === 0 || r.lastEpoch < 1) return [];
    const span = Math.max(1, Math.min(plotWidth, Math.round((r.lastEpoch / total) * plotWidth)));
    return toColumns(r.buckets, span).map((b) => ({ value: transform(b.value), lo: transform(b.lo), hi: transform(b.hi) }));
  });
  const values = columns.flatMap((cols) => cols.flatMap((b) => [b.value, b.lo, b.hi])).filter(Number.isFinite);
  let min = values.reduce((a, v) => Math.min(a, v), Infinity);
  // Up to ten times the highest starting loss (a first column's minimum: its first epochs, before
  // a divergence took off): a diverging run would squash every other run onto one line. What lies
  // above is drawn ↑ on the top line (the table says the run diverged).
  const start = columns.reduce((a, cols) => Math.max(a, cols.find((b) => Number.isFinite(b.lo))?.lo ?? -Infinity), -Infinity);
  const ceiling = options.log ? start + 1 : start + 9 * Math.abs(start);
  let max = Math.min(
    values.reduce((a, v) => Math.max(a, v), -Infinity),
    Number.isFinite(ceiling) ? ceiling : Infinity,
  );
  if (min > max) {
    const lines = new Array<string>(options.height).fill(' ');
    lines[Math.floor((height - 1) / 2)] = '  waiting for the first epoch…';
    return lines;
  }
  if (max - min < 1e-12 * Math.max(1, Math.abs(max))) {
    const pad = Math.max(Math.abs(max) * 0.01, 1e-9);
    min -= pad;
    max += pad;
  }
  const rowOf = (v: number): number => Math.round(((max - v) / (max - min)) * (height - 1));
  const grid = Array.from({ length: height }, () => Array.from({ length: plotWidth }, () => ({ ch: ' ', code: '' })));
  const put = (row: number, col: number, ch: string, code: string): void => {
    if (row >= 0 && row < height && col >= 0 && col < plotWidth) grid[row][col] = { ch, code };
  };
  const order = runs.map((_, i) => i).filter((i) => i !== options.top);
  if (options.top !== undefined && options.top < runs.length) order.push(options.top);
  // Extents first, so every run's glyphs draw over them.
  for (const i of order) {
    columns[i].forEach((b, c) => {
      if (!Number.isFinite(b.value)) return;
      const top = Number.isFinite(b.hi) ? Math.max(0, rowOf(b.hi)) : 0;
      const bottom = Number.isFinite(b.lo) ? rowOf(b.lo) : height - 1;
      for (let r = top; r <= bottom; r++) put(r, c, RANGE, runs[i].color ? `${DIM}${runs[i].color}` : '');
    });
  }
  for (const i of order) {
    columns[i].forEach((b, c) => Number.isFinite(b.value) && put(Math.max(0, rowOf(b.value)), c, b.value > max ? ABOVE : runs[i].glyph, runs[i].color ?? ''));
  }
  const label = (row: number): string => {
    const v = max - (row / (height - 1)) * (max - min);
    return formatNumber(options.log ? 10 ** v : v, 3)
      .slice(0, LABEL_WIDTH)
      .padStart(LABEL_WIDTH);
  };
  const lines = grid.map((cells, row) => `${label(row)} ┤${lineText(cells)}`);
  lines.push(epochAxis(1, total, plotWidth));
  return lines;
}
