import { Box, Text } from 'ink';
import type { MetricsView } from './store.js';
import type { Palette } from './palette.js';

/** Run name and config, data source, rows × features, learning rate, batch size, seed. */
export function Header({ view, colors }: { view: MetricsView; colors: Palette }) {
  const { config, dataset } = view.start;
  const validation = dataset.validation ? ` + ${dataset.validation} val` : '';
  const skipped = dataset.skipped ? ` (${dataset.skipped} skipped)` : '';
  const lrChanged = view.learningRate !== config.learning_rate;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold color={colors.accent}>
          neuron-tui
        </Text>
        <Text> · </Text>
        <Text bold>{config.name}</Text>
        <Text dimColor={colors.dim}> {view.configPath}</Text>
      </Text>
      <Text wrap="truncate-end">
        {dataset.source} · {dataset.train}
        {validation} rows{skipped} × {dataset.features.length} features → {dataset.target} · lr{' '}
        <Text color={lrChanged ? colors.warn : undefined} bold={lrChanged}>
          {String(Number(view.learningRate.toPrecision(6)))}
        </Text>{' '}
        · batch {String(config.batch_size)} · seed {config.seed}
      </Text>
    </Box>
  );
}
