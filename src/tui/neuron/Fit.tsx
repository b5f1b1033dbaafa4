import { Text } from 'ink';
import { formatNumber } from '../../format.js';
import { paint } from '../ansi.js';
import { Lines } from '../Lines.js';
import type { Palette } from '../palette.js';
import type { NeuronPageData } from './data.js';
import { Panel } from './Panel.js';
import { Grid, LINE_MARK, OTHER_MARK, rangeOf, type Kind, type Run } from './plot.js';

export interface FitPlot {
  lines: Run[][];
  /** What the axes show and their ranges. */
  x: { name: string; min: number; max: number };
  y: { name: string; min: number; max: number };
  line: string;
}

/**
 * The sample on a `width` × `height` grid. d > 1: prediction relu(z) against target, with y = x.
 * d = 1: target against the feature, with relu(w·x + b) as a line. Inactive rows (z ≤ 0) get their own mark.
 */
export function fitPlot(data: NeuronPageData, width: number, height: number): FitPlot {
  const { z, target, feature } = data.sample;
  if (feature) {
    const x = rangeOf(feature);
    const y = rangeOf(target);
    const grid = new Grid(width, height, x, y);
    const w = data.weights[0];
    grid.curve((v) => Math.max(0, w * v + data.bias)); //  relu(w·x + b)
    for (let k = 0; k < z.length; k++) grid.point(feature[k], target[k], !(z[k] > 0));
    return { lines: grid.runs(), x: { name: data.features[0] ?? 'x', ...x }, y: { name: 'target', ...y }, line: 'relu(w·x + b)' };
  }
  const prediction = z.map((v) => (v > 0 ? v : 0)); //       a = max(0, z)
  const both = rangeOf(target, prediction);
  const grid = new Grid(width, height, both, both);
  grid.curve((v) => v); //                                   y = x: a perfect fit
  for (let k = 0; k < z.length; k++) grid.point(target[k], prediction[k], !(z[k] > 0));
  return { lines: grid.runs(), x: { name: 'target', ...both }, y: { name: 'prediction', ...both }, line: 'y = x' };
}

function color(kind: Kind, colors: Palette): string | undefined {
  return kind === 'point' ? colors.train : kind === 'other' ? colors.bad : kind === 'line' ? colors.accent : undefined;
}

/** The x axis under the plot: its name in the middle, the range at the ends. */
function axis(name: string, min: number, max: number, width: number): string {
  const lo = formatNumber(min, 3);
  const hi = formatNumber(max, 3);
  const gap = Math.max(1, width - lo.length - hi.length - name.length);
  return `${lo}${' '.repeat(Math.floor(gap / 2))}${name}${' '.repeat(Math.ceil(gap / 2))}${hi}`.slice(0, width);
}

/** Fit: each sampled row as a dot, inactive rows as ∘, and the line a perfect (or the current) fit follows. */
export function Fit({ data, width, height, colors }: { data: NeuronPageData; width: number; height: number; colors: Palette }) {
  const inner = width - 2;
  // Borders, title, legend and axis take 5 lines.
  const plot = fitPlot(data, inner, Math.max(1, height - 5));
  const title = data.sample.feature ? `fit: target vs ${plot.x.name}` : 'fit: prediction vs target';
  return (
    <Panel title={title} note={`${data.sample.z.length} of ${data.n} rows`} width={width} height={height}>
      <Text wrap="truncate-end">
        <Text color={colors.train}>⠿</Text> active <Text color={colors.bad}>{OTHER_MARK}</Text> z ≤ 0 <Text color={colors.accent}>{LINE_MARK}</Text> {plot.line}
        {'  '}↑ {formatNumber(plot.y.min, 3)}…{formatNumber(plot.y.max, 3)}
      </Text>
      <Lines lines={plot.lines.map((runs) => runs.map((run) => paint(run.text, color(run.kind, colors))).join(''))} width={inner} />
      <Text dimColor={colors.dim}>{axis(`${plot.x.name} →`, plot.x.min, plot.x.max, inner)}</Text>
    </Panel>
  );
}
