import { Box, Text } from 'ink';
import { trainingWords } from '../sinks/plain.js';
import type { Palette } from './palette.js';
import type { MetricsView } from './store.js';
import { safeText } from './text.js';

/** "60 ep/s", "max": the pace the run is played at. */
export function paceText(pace: number | null): string | null {
  if (pace === null) return null;
  return pace > 0 ? `${pace >= 100 ? Math.round(pace) : Number(pace.toPrecision(2))} ep/s` : 'max';
}

/** The first line: the program, the run's name and its config file, then `rest`. */
export function TitleLine({ name, configPath, colors, rest = '' }: { name: string; configPath: string; colors: Palette; rest?: string }) {
  return (
    <Text wrap="truncate-end">
      <Text bold color={colors.accent}>
        neuron-tui
      </Text>
      <Text> · </Text>
      <Text bold>{safeText(name, 40)}</Text>
      <Text dimColor={colors.dim}> {safeText(configPath, 60)}</Text>
      {rest}
    </Text>
  );
}

/**
 * Run name, config and pace; data source, rows × features; optimizer, the learning rate in use
 * (bold when `+`/`-` changed it) and its schedule, batch size, seed.
 */
export function Header({ view, colors }: { view: MetricsView; colors: Palette }) {
  const { config, dataset } = view.start;
  const validation = dataset.validation ? ` + ${dataset.validation} val` : '';
  const skipped = dataset.skipped ? ` (${dataset.skipped} skipped)` : '';
  const lrChanged = view.rateFactor !== 1;
  const training = trainingWords(config);
  const pace = paceText(view.pace);
  return (
    <Box flexDirection="column">
      <TitleLine name={config.name} configPath={view.configPath} colors={colors} rest={pace && !view.end ? ` · pace ${pace}` : ''} />
      <Text wrap="truncate-end">
        {safeText(dataset.source, 40)} · {dataset.train}
        {validation} rows{skipped} × {dataset.features.length} features → {safeText(dataset.target, 24)}
      </Text>
      <Text wrap="truncate-end">
        {training.before}
        <Text color={lrChanged ? colors.warn : undefined} bold={lrChanged}>
          {String(Number(view.learningRate.toPrecision(6)))}
        </Text>
        {training.after}
        {lrChanged ? `, × ${Number(view.rateFactor.toPrecision(6))} by +/-` : ''}, batch {String(config.batch_size)}, seed {config.seed}
      </Text>
    </Box>
  );
}
