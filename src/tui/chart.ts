import { formatNumber } from '../format.js';
import type { Bucket } from './series.js';

export interface ChartSeries {
  /** Points, one per column while they fit (compare places runs by epoch itself)... */
  values?: readonly number[];
  /** ...or a decimated history (each bucket's mean, minimum and maximum), stretched over the width. */
  buckets?: readonly Bucket[];
  /** An ANSI colour code (e.g. asciichart's `cyan`); absent draws in the default colour. */
  color?: string;
  /** A dotted line: tells validation from training without colour. */
  dotted?: boolean;
  /** Drawn dim, behind the others (the raw series under a smoothed one). */
  faint?: boolean;
}

export interface ChartOptions {
  /** Total width in columns, labels included. */
  width: number;
  /** Total height in lines, the epoch axis included. */
  height: number;
  /** Plot log10 of the values (non-positive values are skipped); labels stay in real units. */
  log?: boolean;
  /** A fixed axis, e.g. 0–1 for ratios; data outside it still widens it. */
  min?: number;
  max?: number;
  /** The epochs the series span: adds an axis line with the first, middle and last epoch. */
  epochs?: { first: number; last: number };
  /** A point to mark (the best epoch), drawn as ◆. */
  mark?: { epoch: number; value: number };
}

export const LABEL_WIDTH = 9;
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';
const GLYPHS = {
  solid: { flat: '─', up: ['╯', '╭'], down: ['╮', '╰'], vertical: '│' },
  dotted: { flat: '┄', up: ['┘', '┌'], down: ['┐', '└'], vertical: '┆' },
} as const;
const RANGE = '╎'; // a column's minimum-to-maximum extent
const BROKEN = '×'; // an epoch that was not a finite number
const MARK = '◆';

/** Plain points as buckets: each point its own bucket; NaN is a missing point, ±∞ a broken one. */
function asBuckets(values: readonly number[]): Bucket[] {
  return values.map((v) => (Number.isFinite(v) ? { value: v, lo: v, hi: v, broken: false } : { value: NaN, lo: NaN, hi: NaN, broken: !Number.isNaN(v) }));
}

/**
 * Buckets into exactly `width` columns: merged (mean of means, min of minimums, max of maximums)
 * when there are more buckets than columns, repeated when there are fewer, so that a short run
 * still spans the chart.
 */
export function toColumns(buckets: readonly Bucket[], width: number): Bucket[] {
  const n = buckets.length;
  const out = new Array<Bucket>(width);
  for (let c = 0; c < width; c++) {
    const from = Math.floor((c * n) / width);
    const to = Math.max(from + 1, Math.floor(((c + 1) * n) / width));
    let sum = 0;
    let count = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let broken = false;
    for (let k = from; k < to && k < n; k++) {
      const b = buckets[k];
      broken ||= b.broken;
      if (!Number.isFinite(b.value)) continue;
      sum += b.value;
      count++;
      lo = Math.min(lo, b.lo);
      hi = Math.max(hi, b.hi);
    }
    out[c] = count ? { value: sum / count, lo, hi, broken } : { value: NaN, lo: NaN, hi: NaN, broken };
  }
  return out;
}

/** Bucket means: n values into at most `width` columns, skipping non-finite values. */
export function downsample(values: readonly number[], width: number): number[] {
  if (values.length <= width) return values.slice();
  return toColumns(asBuckets(values), width).map((b) => b.value);
}

/** Cells of one line, each a character and the ANSI code it is drawn in. */
type Cell = { ch: string; code: string };

/** Characters `from` to `to` as text, each in its code, with a colour code only where the colour changes. */
function runText(chars: readonly string[], codes: readonly string[], from: number, to: number): string {
  let out = '';
  let current = '';
  for (let k = from; k < to; k++) {
    if (codes[k] !== current) {
      out += current ? RESET : '';
      out += codes[k];
      current = codes[k];
    }
    out += chars[k];
  }
  return current ? `${out}${RESET}` : out;
}

/** A line of cells as text, with a colour code only where the colour changes. */
export function lineText(cells: readonly Cell[]): string {
  return runText(
    cells.map((c) => c.ch),
    cells.map((c) => c.code),
    0,
    cells.length,
  );
}

/**
 * Old asciichart output emits a code per character; emit one only where the colour changes.
 * Kept for callers that colour whole strings.
 */
export function mergeColorRuns(line: string): string {
  const cells: Cell[] = [];
  let code = '';
  for (const match of line.matchAll(/\u001b\[(\d+)m|([^\u001b]+)/g)) {
    if (match[1] !== undefined) code = match[1] === '0' ? '' : match[0];
    else for (const ch of match[2]) cells.push({ ch, code });
  }
  return lineText(cells);
}

/** The epoch axis: the first epoch under the first column, the middle one centred, the last at the end. */
export function epochAxis(first: number, last: number, plotWidth: number): string {
  const row = new Array<string>(plotWidth).fill(' ');
  const put = (text: string, at: number): void => {
    const start = Math.max(0, Math.min(plotWidth - text.length, at));
    for (let i = 0; i < text.length; i++) row[start + i] = text[i];
  };
  put(String(first), 0);
  if (last - first >= 2 && plotWidth >= 24) put(String(Math.round((first + last) / 2)), Math.floor(plotWidth / 2) - 1);
  if (last !== first) put(String(last), plotWidth - String(last).length);
  return `${'epoch'.padStart(LABEL_WIDTH)}  ${row.join('')}`;
}

/**
 * Lines of a chart sized to `width` × `height`, or a placeholder when there is nothing finite to
 * draw yet. Drawn here rather than by asciichart's plot (whose colour names the palette still uses):
 * plot throws or draws garbage on non-finite values, takes one set of glyphs for all series (no
 * dotted validation line), has no per-column extent, mark or epoch axis, and colours every
 * character separately, which made each Ink frame measurably slower. Each column shows its epochs' mean as a line and their minimum-to-maximum extent (╎),
 * so a spike stays visible; the y-range covers every value ever recorded; non-finite epochs are
 * gaps marked × on the bottom line. Never throws on empty, constant or non-finite series.
 */
export function renderChart(series: readonly ChartSeries[], options: ChartOptions): string[] {
  const { width, log, epochs } = options;
  const height = Math.max(2, options.height - (epochs ? 1 : 0));
  const plotWidth = Math.max(2, width - LABEL_WIDTH - 2);
  const transform = (v: number): number => (log ? (v > 0 ? Math.log10(v) : NaN) : v);
  const columns = series.map((s) => {
    const points = s.values ?? [];
    const buckets = s.buckets ? toColumns(s.buckets, plotWidth) : points.length > plotWidth ? toColumns(asBuckets(points), plotWidth) : asBuckets(points);
    return s.buckets?.length === 0 ? [] : buckets.map((b) => ({ value: transform(b.value), lo: transform(b.lo), hi: transform(b.hi), broken: b.broken }));
  });

  let min = Infinity;
  let max = -Infinity;
  for (const cols of columns) {
    for (const b of cols) {
      for (const v of [b.value, b.lo, b.hi]) {
        if (Number.isFinite(v)) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
    }
  }
  if (min > max) {
    // Blank lines are a space: Ink gives an empty Text no height, and the panel would shrink.
    const lines = new Array<string>(options.height).fill(' ');
    lines[Math.floor((height - 1) / 2)] = '  waiting for the first epoch…';
    return lines;
  }
  if (options.min !== undefined && Number.isFinite(transform(options.min))) min = Math.min(min, transform(options.min));
  if (options.max !== undefined && Number.isFinite(transform(options.max))) max = Math.max(max, transform(options.max));
  if (max - min < 1e-12 * Math.max(1, Math.abs(max))) {
    // A constant series: give it a band around its value so the line sits mid-chart.
    const pad = Math.max(Math.abs(max) * 0.01, 1e-9);
    min -= pad;
    max += pad;
  }
  const rowOf = (v: number): number => Math.round(((max - v) / (max - min)) * (height - 1));

  // Characters and their codes in two flat arrays: a frame draws thousands of cells, and a
  // cell object each was a good share of the frame's garbage.
  const chars = new Array<string>(height * plotWidth).fill(' ');
  const codes = new Array<string>(height * plotWidth).fill('');
  const put = (row: number, col: number, ch: string, code: string): void => {
    if (row >= 0 && row < height && col >= 0 && col < plotWidth) {
      chars[row * plotWidth + col] = ch;
      codes[row * plotWidth + col] = code;
    }
  };
  // Faint series first, so the others draw over them; extents before lines.
  const order = series.map((s, i) => i).sort((a, b) => Number(!series[a].faint) - Number(!series[b].faint));
  for (const i of order) {
    const s = series[i];
    const cols = columns[i];
    for (let c = 0; c < cols.length; c++) {
      const b = cols[c];
      if (!Number.isFinite(b.value) || s.faint) continue;
      // A non-finite extent (log of 0) reaches the chart's edge.
      const top = Number.isFinite(b.hi) ? Math.max(0, rowOf(b.hi)) : 0;
      const bottom = Number.isFinite(b.lo) ? Math.min(height - 1, rowOf(b.lo)) : height - 1;
      for (let r = top; r <= bottom; r++) put(r, c, RANGE, s.color ? `${DIM}${s.color}` : '');
    }
  }
  for (const i of order) {
    const s = series[i];
    const glyph = s.dotted ? GLYPHS.dotted : GLYPHS.solid;
    const code = `${s.faint ? DIM : ''}${s.color ?? ''}`;
    const cols = columns[i];
    for (let c = 0; c < cols.length; c++) {
      if (!Number.isFinite(cols[c].value)) continue;
      const y0 = rowOf(cols[c].value);
      const next = c + 1 < cols.length && Number.isFinite(cols[c + 1].value) ? rowOf(cols[c + 1].value) : y0;
      if (next === y0) {
        put(y0, c, glyph.flat, code);
        continue;
      }
      const [from, to] = next < y0 ? glyph.up : glyph.down;
      put(y0, c, from, code);
      put(next, c, to, code);
      for (let r = Math.min(y0, next) + 1; r < Math.max(y0, next); r++) put(r, c, glyph.vertical, code);
    }
  }
  for (let i = 0; i < series.length; i++) {
    columns[i].forEach((b, c) => b.broken && put(height - 1, c, BROKEN, series[i].color ?? ''));
  }
  if (options.mark && epochs && Number.isFinite(transform(options.mark.value))) {
    const span = Math.max(1, epochs.last - epochs.first + 1);
    const col = Math.min(plotWidth - 1, Math.floor(((options.mark.epoch - epochs.first) / span) * plotWidth));
    put(rowOf(transform(options.mark.value)), col, MARK, '');
  }

  // Enough significant digits that neighbouring labels differ: one more per decade of value/step.
  const step = (max - min) / height;
  const magnitude = Math.max(Math.abs(max), Math.abs(min));
  const digits = log ? 3 : Math.min(6, Math.max(3, Math.ceil(Math.log10(magnitude / step)) + 1));
  const label = (row: number): string => {
    const v = max - (row / (height - 1)) * (max - min);
    return formatNumber(log ? 10 ** v : v, digits)
      .slice(0, LABEL_WIDTH)
      .padStart(LABEL_WIDTH);
  };
  const lines = Array.from({ length: height }, (_, row) => `${label(row)} ┤${runText(chars, codes, row * plotWidth, (row + 1) * plotWidth)}`);
  if (epochs) lines.push(epochAxis(epochs.first, epochs.last, plotWidth));
  return lines;
}

/** A one-line sparkline of the values' column means (▁ lowest … █ highest; a space for a gap). */
export function sparkline(values: readonly number[] | readonly Bucket[], width: number): string {
  const points = values.length === 0 ? [] : typeof values[0] === 'number' ? (values as number[]) : (values as Bucket[]).map((b) => b.value);
  if (points.length === 0 || width < 1) return '';
  const cols = toColumns(asBuckets(points), Math.min(width, points.length)).map((b) => b.value);
  const finite = cols.filter(Number.isFinite);
  if (finite.length === 0) return ' '.repeat(cols.length);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const bars = '▁▂▃▄▅▆▇█';
  return cols.map((v) => (Number.isFinite(v) ? bars[hi > lo ? Math.round(((v - lo) / (hi - lo)) * 7) : 3] : ' ')).join('');
}
