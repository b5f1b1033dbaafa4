import { Box, Text } from 'ink';
import { formatDuration, formatNumber } from '../format.js';
import { statusLabel } from '../train/events.js';
import { bestText, weightsLine } from './Numbers.js';
import type { Palette } from './palette.js';
import { stateColor } from './Progress.js';
import type { MetricsView } from './store.js';

/** The final frame's numbers: status, epochs, final and best loss (named), weights, bias, time. */
export function Summary({ view, colors, width }: { view: MetricsView; colors: Palette; width: number }) {
  const end = view.end!;
  const best = end.best_epoch === null || end.best_loss === null ? null : { epoch: end.best_epoch, loss: end.best_loss };
  const validation = end.val_loss === null ? '' : `  val_loss ${formatNumber(end.val_loss)}`;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold color={stateColor(end.status, colors)}>
          {statusLabel(end.status)}
        </Text>{' '}
        after {end.epochs} epochs in {formatDuration(end.elapsed_ms)} · {bestText(view, best)} · final loss {formatNumber(end.loss)}
        {validation}
      </Text>
      <Text wrap="truncate-end">{weightsLine(view.start.dataset.features, end.weights, end.bias, width)}</Text>
    </Box>
  );
}
