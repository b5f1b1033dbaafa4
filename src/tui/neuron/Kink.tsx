import { Text } from 'ink';
import { formatNumber, formatPercent } from '../../format.js';
import { paint } from '../ansi.js';
import { Lines } from '../Lines.js';
import type { Palette } from '../palette.js';
import type { NeuronPageData } from './data.js';
import { Panel, sampledNote } from './Panel.js';

/** The histogram's half-width: the |z| that 95% of the sampled rows are within; rows beyond go to the end bins. */
export const RANGE_QUANTILE = 0.95;

export interface Histogram {
  /** Bins over (−range, range], half of them for z ≤ 0 (inactive) and half for z > 0 (active). */
  counts: number[];
  range: number;
  /** Rows beyond the range on either side, counted apart so that they do not flatten the bars. */
  below: number;
  above: number;
}

/** z in `bins` bins (made even) around 0, so that the kink falls between the two middle bins. */
export function zHistogram(z: ArrayLike<number>, bins: number): Histogram {
  const half = Math.max(1, Math.floor(bins / 2));
  const magnitudes = Array.from(z, Math.abs)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const quantile = magnitudes[Math.min(magnitudes.length - 1, Math.floor(RANGE_QUANTILE * magnitudes.length))] ?? 0;
  const range = quantile > 0 ? quantile : (magnitudes[magnitudes.length - 1] ?? 0) || 1;
  const counts = new Array<number>(2 * half).fill(0);
  let below = 0;
  let above = 0;
  for (let k = 0; k < z.length; k++) {
    const v = z[k];
    if (!Number.isFinite(v)) continue;
    if (v > range) above++;
    else if (v <= -range) below++;
    else {
      // Bin half + j holds (j·s, (j+1)·s] for z > 0, bin half − 1 − j holds (−(j+1)·s, −j·s] for z ≤ 0.
      const j = Math.min(half - 1, Math.max(0, Math.ceil((Math.abs(v) / range) * half) - 1));
      counts[v > 0 ? half + j : half - 1 - j]++;
    }
  }
  return { counts, range, below, above };
}

const EIGHTHS = ' ▁▂▃▄▅▆▇█';

/** Vertical bars of `height` rows, top row first, in eighths of a row. */
export function bars(counts: number[], height: number): string[] {
  const max = Math.max(1, ...counts);
  const rows: string[] = [];
  for (let r = height - 1; r >= 0; r--) {
    rows.push(counts.map((c) => EIGHTHS[Math.max(0, Math.min(8, Math.round((c / max) * height * 8) - r * 8))]).join(''));
  }
  return rows;
}

/** The kink: how the sampled rows' z sit around 0, how many changed side, and the dead share. */
export function Kink({ data, width, height, colors }: { data: NeuronPageData; width: number; height: number; colors: Palette }) {
  const inner = width - 2;
  const histogram = zHistogram(data.sample.z, inner);
  const half = histogram.counts.length / 2;
  // Borders, title, axis, legend and two lines of counts.
  const rows = bars(histogram.counts, Math.max(1, height - 7));
  const lo = `${histogram.below ? `${histogram.below}◀ ` : ''}−${formatNumber(histogram.range, 2)}`;
  const hi = `+${formatNumber(histogram.range, 2)}${histogram.above ? ` ▶${histogram.above}` : ''}`;
  const axis = `${lo.padEnd(half)}0${hi.padStart(half - 1)}`.slice(0, inner);
  const inactive = data.counted - data.active;
  const flips = data.flips === null ? '—' : String(data.flips);
  return (
    <Panel title="the kink: z = w·x + b" note={`${data.sample.z.length} rows`} width={width} height={height}>
      <Lines lines={rows.map((row) => paint(row.slice(0, half), colors.bad) + paint(row.slice(half), colors.train))} width={inner} />
      <Text dimColor={colors.dim}>{axis}</Text>
      <Text wrap="truncate-end">
        z ≤ 0 inactive <Text color={colors.bad}>◀</Text> │ <Text color={colors.train}>▶</Text> z &gt; 0 active
      </Text>
      <Text wrap="truncate-end">
        changed side last epoch {flips} · at the kink {data.nearKink}
      </Text>
      <Text wrap="truncate-end">
        dead share {formatPercent(data.deadShare)} ({inactive} of {data.counted} rows inactive)
        {sampledNote(data.counted, data.n) ? ` ${sampledNote(data.counted, data.n)}` : ''}
      </Text>
    </Panel>
  );
}
