import { Box, Text } from 'ink';
import { formatDuration, formatNumber } from '../format.js';
import { weightsLine } from './Numbers.js';
import type { Palette } from './palette.js';
import { stateColor } from './Progress.js';
import type { MetricsView } from './store.js';

/** The final frame's numbers: status, epochs, final and best loss, weights, bias, time. */
export function Summary({ view, colors, width }: { view: MetricsView; colors: Palette; width: number }) {
  const end = view.end!;
  const best = end.best_epoch === null ? '—' : `${formatNumber(end.best_loss)} @ ${end.best_epoch}`;
  const validation = end.val_loss === null ? '' : `  val_loss ${formatNumber(end.val_loss)}`;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold color={stateColor(end.status, colors)}>
          {end.status}
        </Text>{' '}
        after {end.epochs} epochs in {formatDuration(end.elapsed_ms)} · final loss {formatNumber(end.loss)}
        {validation} · best {best}
      </Text>
      <Text wrap="truncate-end">{weightsLine(view.start.dataset.features, end.weights, end.bias, width)}</Text>
    </Box>
  );
}
