import { plot as asciiPlot } from 'asciichart';
import { formatNumber } from '../format.js';

export interface ChartSeries {
  values: readonly number[];
  /** An asciichart colour code (e.g. asciichart's `cyan`); absent draws in the default colour. */
  color?: string;
}

export interface ChartOptions {
  /** Total width in columns, labels included. */
  width: number;
  /** Total height in lines. */
  height: number;
  /** Plot log10 of the values (non-positive values are skipped); labels stay in real units. */
  log?: boolean;
  /** A fixed axis, e.g. 0–1 for ratios; data outside it still widens it. */
  min?: number;
  max?: number;
}

const LABEL_WIDTH = 9;

/** Bucket means: n values into at most `width` columns, skipping non-finite values. */
export function downsample(values: readonly number[], width: number): number[] {
  const n = values.length;
  if (n <= width) return values.slice();
  const out = new Array<number>(width);
  for (let k = 0; k < width; k++) {
    const from = Math.floor((k * n) / width);
    const to = Math.floor(((k + 1) * n) / width);
    let sum = 0;
    let count = 0;
    for (let i = from; i < to; i++) {
      if (Number.isFinite(values[i])) {
        sum += values[i];
        count++;
      }
    }
    out[k] = count ? sum / count : NaN;
  }
  return out;
}

/** asciichart throws on NaN and Infinity: carry the nearest finite value over the gaps. */
function fillGaps(values: number[]): number[] | null {
  const first = values.findIndex(Number.isFinite);
  if (first === -1) return null;
  let last = values[first];
  return values.map((v) => (Number.isFinite(v) ? (last = v) : last));
}

/**
 * asciichart wraps every character in its own colour code and reset. Emit a code only where the
 * colour changes: the terminal shows the same thing, and Ink, which tokenizes every frame, has
 * a third of the escape codes to parse.
 */
export function mergeColorRuns(line: string): string {
  let out = '';
  let pending: string | null = null;
  let emitted: string | null = null;
  const pattern = /\u001b\[(\d+)m|([^\u001b]+)/g;
  for (const match of line.matchAll(pattern)) {
    if (match[1] !== undefined) {
      pending = match[1] === '0' ? null : match[0];
      continue;
    }
    if (pending !== emitted) {
      out += pending ?? '\u001b[0m';
      emitted = pending;
    }
    out += match[2];
  }
  return emitted === null ? out : `${out}\u001b[0m`;
}

/**
 * Lines of a line chart sized to `width` × `height`, or a placeholder when there is nothing finite
 * to draw yet. Never throws on empty, constant or non-finite series.
 */
export function renderChart(series: readonly ChartSeries[], options: ChartOptions): string[] {
  const { width, log } = options;
  const height = Math.max(2, options.height);
  const plotWidth = Math.max(2, width - LABEL_WIDTH - 2);
  const transform = (v: number): number => (log ? (v > 0 ? Math.log10(v) : NaN) : v);
  const drawn: { values: number[]; color?: string }[] = [];
  for (const s of series) {
    const values = downsample(s.values, plotWidth).map(transform);
    const filled = fillGaps(values);
    if (filled) drawn.push({ values: filled, color: s.color });
  }
  if (drawn.length === 0) {
    // Blank lines are a space: Ink gives an empty Text no height, and the panel would shrink.
    const lines = new Array<string>(height).fill(' ');
    lines[Math.floor((height - 1) / 2)] = '  waiting for the first epoch…';
    return lines;
  }

  let min = Math.min(...drawn.map((s) => Math.min(...s.values)));
  let max = Math.max(...drawn.map((s) => Math.max(...s.values)));
  if (options.min !== undefined && Number.isFinite(transform(options.min))) min = Math.min(min, transform(options.min));
  if (options.max !== undefined && Number.isFinite(transform(options.max))) max = Math.max(max, transform(options.max));
  if (max - min < 1e-12 * Math.max(1, Math.abs(max))) {
    // A constant series: give it a band around its value so the line sits mid-chart.
    const pad = Math.max(Math.abs(max) * 0.01, 1e-9);
    min -= pad;
    max += pad;
  }
  // Enough significant digits that neighbouring labels differ: one more per decade of value/step.
  const step = (max - min) / height;
  const magnitude = Math.max(Math.abs(max), Math.abs(min));
  const digits = log ? 3 : Math.min(6, Math.max(3, Math.ceil(Math.log10(magnitude / step)) + 1));
  const format = (x: number): string => formatNumber(log ? 10 ** x : x, digits).slice(0, LABEL_WIDTH).padStart(LABEL_WIDTH);
  const colors = drawn.map((s) => s.color).filter((c): c is string => c !== undefined);
  const plot = (h: number): string[] =>
    asciiPlot(
      drawn.map((s) => s.values),
      { height: h, min, max, format, ...(colors.length === drawn.length ? { colors } : {}) },
    )
      .split('\n')
      .map(mergeColorRuns);
  // asciichart rounds its row count; ask for one row less until the chart fits.
  let lines = plot(height - 1);
  for (let h = height - 2; lines.length > height && h >= 1; h--) lines = plot(h);
  while (lines.length < height) lines.unshift(' ');
  return lines;
}
