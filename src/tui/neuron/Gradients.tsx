import { Text } from 'ink';
import { formatNumber } from '../../format.js';
import type { Palette } from '../palette.js';
import type { NeuronPageData } from './data.js';
import { Panel, sampledNote } from './Panel.js';
import { signedBar } from './plot.js';

export interface GradientRow {
  name: string;
  value: number;
  gradient: number;
}

/** Past this many features the rows are ordered by |∂C/∂θ|, largest first: the ones moving most. */
export const SORT_FROM = 8;

/** Each weight (by feature name) and the bias with its ∂C/∂θ; largest |gradient| first with many features. */
export function gradientRows(data: NeuronPageData): GradientRow[] {
  const rows = data.weights.map((value, j) => ({ name: data.features[j] ?? `x${j + 1}`, value, gradient: data.gradient.weights[j] }));
  rows.push({ name: 'bias', value: data.bias, gradient: data.gradient.bias });
  if (data.d >= SORT_FROM) rows.sort((a, b) => Math.abs(b.gradient) - Math.abs(a.gradient));
  return rows;
}

const maxAbs = (values: number[]): number => values.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);

/** Lines of the table: header, then name, value bar, value, gradient bar, gradient; at most `lines` lines. */
export function gradientLines(data: NeuronPageData, width: number, lines: number): string[] {
  const all = gradientRows(data);
  const fits = all.length <= lines - 1 ? all.length : Math.max(0, lines - 2);
  const shown = all.slice(0, fits);
  const nameWidth = Math.min(12, Math.max(4, ...shown.map((r) => r.name.length)));
  const numberWidth = 10;
  const bar = Math.max(3, Math.floor((width - nameWidth - 2 * numberWidth - 4) / 2));
  const valueScale = maxAbs(all.map((r) => r.value));
  const gradientScale = maxAbs(all.map((r) => r.gradient));
  const head = `${''.padEnd(nameWidth)} ${'value'.padStart(Math.ceil(bar / 2) + 2).padEnd(bar)}${''.padStart(numberWidth)} ${'∂C/∂θ'.padStart(Math.ceil(bar / 2) + 2).padEnd(bar)}`;
  const out = [head.trimEnd()];
  for (const r of shown) {
    out.push(
      `${r.name.slice(0, nameWidth).padEnd(nameWidth)} ${signedBar(r.value, valueScale, bar)}${formatNumber(r.value, 3).padStart(numberWidth)} ${signedBar(r.gradient, gradientScale, bar)}${formatNumber(r.gradient, 3).padStart(numberWidth)}`,
    );
  }
  if (fits < all.length) out.push(`… ${all.length - fits} more, with smaller |∂C/∂θ|`);
  return out;
}

/** Gradients: every parameter's value and its ∂C/∂θ (the seed's formula) as signed bars. */
export function Gradients({ data, width, height, colors }: { data: NeuronPageData; width: number; height: number; colors: Palette }) {
  const lines = gradientLines(data, width - 2, height - 3);
  return (
    <Panel
      title="gradients"
      note={[data.d >= SORT_FROM ? 'largest |∂C/∂θ| first' : '', sampledNote(data.counted, data.n)].filter(Boolean).join(' · ')}
      width={width}
      height={height}
    >
      <Text dimColor={colors.dim} wrap="truncate-end">
        {lines[0]}
      </Text>
      <Text wrap="truncate-end">{lines.slice(1).join('\n')}</Text>
    </Panel>
  );
}
