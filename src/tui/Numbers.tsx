import { Box, Text } from 'ink';
import { formatNumber } from '../format.js';
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

/** Current and best loss, gradient and weight norms, and the weight vector. */
export function Numbers({ view, colors, width }: { view: MetricsView; colors: Palette; width: number }) {
  const e = view.latest;
  const validation = e?.val_loss !== null && e?.val_loss !== undefined ? `  val_loss ${formatNumber(e.val_loss)}` : '';
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        loss <Text color={colors.train}>{formatNumber(e?.loss)}</Text>
        {validation && <Text color={colors.validation}>{validation}</Text>}
        {'  '}
        {bestText(view, view.best)}
        {'  '}‖∇C‖ {formatNumber(e?.grad_norm)}
        {'  '}‖w‖ {formatNumber(e?.weight_norm)}
      </Text>
      <Text wrap="truncate-end">{weightsLine(view.start.dataset.features, view.weights, view.bias, width)}</Text>
    </Box>
  );
}
