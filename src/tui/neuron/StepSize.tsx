import { Text } from 'ink';
import { formatNumber } from '../../format.js';
import type { Palette } from '../palette.js';
import type { NeuronPageData } from './data.js';
import { Panel, sampledNote } from './Panel.js';

/** The dashboard's `+` multiplies the learning rate by this. */
export const PLUS_FACTOR = 2;

/** What the rate means for stability, in plain words: empty when it is well inside the limit. */
export function rateWarnings(rate: number, limit: number | null): { text: string; severe: boolean }[] {
  if (limit === null) return [{ text: 'No row is active: the loss has no curvature here and no step can move the neuron.', severe: true }];
  if (rate >= limit) {
    return [
      { text: `The rate ${formatNumber(rate)} is above the limit ${formatNumber(limit)}: each step overshoots further. Press - to halve it.`, severe: true },
    ];
  }
  if (PLUS_FACTOR * rate >= limit) {
    return [{ text: `Pressing + would double the rate to ${formatNumber(PLUS_FACTOR * rate)}, past the limit ${formatNumber(limit)}.`, severe: false }];
  }
  return [];
}

/**
 * The rate on the scale 0 … 1.5 × limit: ● the rate, ◆ the fastest step, ┃ the limit; ▶ at the end
 * when the rate is off the scale.
 */
export function rateScale(rate: number, fastest: number | null, limit: number | null, width: number): string {
  if (limit === null || width < 5) return '';
  const top = 1.5 * limit;
  const cells = Array.from({ length: width }, () => '─');
  const at = (v: number): number => Math.min(width - 1, Math.max(0, Math.round((v / top) * (width - 1))));
  cells[at(limit)] = '┃';
  if (fastest !== null) cells[at(fastest)] = '◆';
  cells[at(rate)] = rate > top ? '▶' : '●';
  return cells.join('');
}

/** Step size: the curvature of C on the active set and where the learning rate stands against it. */
export function StepSize({
  data,
  learningRate,
  width,
  height,
  colors,
}: {
  data: NeuronPageData;
  learningRate: number;
  width: number;
  height: number;
  colors: Palette;
}) {
  const c = data.curvature;
  const inner = width - 2;
  const warnings = rateWarnings(learningRate, c.lrLimit);
  const scaleEnd = c.lrLimit === null ? '' : formatNumber(1.5 * c.lrLimit, 3);
  return (
    <Panel title="step size" note={sampledNote(c.rows, data.n) || 'H = (2/N) X̃ᵀX̃ on the active rows'} width={width} height={height}>
      <Text wrap="truncate-end">
        λmax {formatNumber(c.lambdaMax)} · λmin {formatNumber(c.lambdaMin)} · condition {formatNumber(c.condition)}
      </Text>
      <Text wrap="truncate-end">
        ┃ limit 2/λmax = <Text bold>{formatNumber(c.lrLimit)}</Text>
      </Text>
      <Text wrap="truncate-end">◆ fastest 2/(λmax + λmin) = {formatNumber(c.lrFastest)}</Text>
      <Text wrap="truncate-end">
        0 {rateScale(learningRate, c.lrFastest, c.lrLimit, Math.max(0, inner - 3 - scaleEnd.length))} {scaleEnd}
      </Text>
      <Text wrap="truncate-end">
        <Text color={warnings.some((w) => w.severe) ? colors.bad : colors.good}>●</Text> rate {formatNumber(learningRate)}
        {c.lrLimit !== null ? ` = ${formatNumber(learningRate / c.lrLimit, 3)} × limit` : ''}
      </Text>
      {warnings.map((w) => (
        <Text key={w.text} wrap="wrap" color={w.severe ? colors.bad : colors.warn}>
          ⚠ {w.text}
        </Text>
      ))}
    </Panel>
  );
}
