import { Box, Text } from 'ink';
import { formatNumber } from '../format.js';
import { sparkline } from './chart.js';
import type { Palette } from './palette.js';
import type { MetricsView } from './store.js';
import { safeText } from './text.js';

/** Weights beside their feature names, as many as fit in `width`, then an ellipsis with the count left. */
export function weightsLine(names: readonly string[], weights: readonly number[], bias: number | undefined, width: number): string {
  if (weights.length === 0) return `bias ${formatNumber(bias)}`; // a replay knows the weights only at the end
  let line = `bias ${formatNumber(bias)}  w`;
  for (let j = 0; j < weights.length; j++) {
    const item = ` ${safeText(names[j] ?? `x${j + 1}`, 24)} ${formatNumber(weights[j])}`;
    const rest = weights.length - j;
    const more = ` … +${rest} more`;
    if (line.length + item.length + (rest > 1 ? more.length : 0) > width) return line + more;
    line += item;
  }
  return line;
}

/** The loss the run watches, by name: "val_loss" with a validation set, else "loss". */
export function monitoredName(view: MetricsView): string {
  return view.start.dataset.validation > 0 ? 'val_loss' : 'loss';
}

/** "best val_loss 0.0433 @ epoch 367" */
export function bestText(view: MetricsView, best: { epoch: number; loss: number } | null): string {
  return best ? `best ${monitoredName(view)} ${formatNumber(best.loss)} @ epoch ${best.epoch}` : `best ${monitoredName(view)} —`;
}

/** " R² 0.981"; nothing when R² is unknown (constant targets, or a log from before R² was recorded). */
const r2Text = (r2: number | null | undefined): string => (r2 === null || r2 === undefined ? '' : ` R² ${formatNumber(r2, 3)}`);

/** "lr 0.0123  ▇▇▆▅▃▂▁  0.01 … 10 over epochs 1–300": the rate in use, and the rates the epochs used. */
export function rateLine(view: MetricsView, width: number): string {
  const now = `lr ${formatNumber(view.learningRate)}`;
  const rates = view.history.learningRate;
  const epochs = view.history.epochs;
  if (rates.length === 0 || !epochs) return now;
  let lo = Infinity;
  let hi = -Infinity;
  for (const b of rates) {
    lo = Math.min(lo, b.lo);
    hi = Math.max(hi, b.hi);
  }
  const span = `epochs ${epochs.first}–${epochs.last}`;
  if (lo === hi) return `${now}  (the same in ${span})`;
  const tail = `  ${formatNumber(lo)} … ${formatNumber(hi)} over ${span}`;
  const spark = sparkline(rates, Math.max(0, Math.min(40, width - now.length - tail.length - 4)));
  return `${now}  ${spark}${tail}`;
}

/** Current and best loss with R², gradient and weight norms; the rate over the epochs (`rate`); the weight vector. */
export function Numbers({ view, colors, width, rate = true }: { view: MetricsView; colors: Palette; width: number; rate?: boolean }) {
  const e = view.latest;
  const validation = e?.val_loss !== null && e?.val_loss !== undefined ? `  val_loss ${formatNumber(e.val_loss)}${r2Text(e.val_r2)}` : '';
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        loss <Text color={colors.train}>{formatNumber(e?.loss)}</Text>
        {r2Text(e?.r2)}
        {validation && <Text color={colors.validation}>{validation}</Text>}
        {'  '}
        {bestText(view, view.best)}
        {'  '}‖∇C‖ {formatNumber(e?.grad_norm)}
        {'  '}‖w‖ {formatNumber(e?.weight_norm)}
      </Text>
      {rate && <Text wrap="truncate-end">{rateLine(view, width)}</Text>}
      <Text wrap="truncate-end">{weightsLine(view.start.dataset.features, view.weights, view.bias, width)}</Text>
    </Box>
  );
}
