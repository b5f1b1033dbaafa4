import { Text } from 'ink';
import type { Palette } from './palette.js';
import type { MetricsView } from './store.js';

/** The keys of a live run, or `keys` (a replay has its own), and a line for the finished run. */
export function Footer({ view, colors, finished, keys }: { view: MetricsView; colors: Palette; finished?: string; keys?: string }) {
  if (view.end) {
    return <Text dimColor={colors.dim}>{finished ?? `finished · the log and exit code carry the status (${view.end.status})`}</Text>;
  }
  const pause = view.state === 'paused' || view.state === 'pausing' ? 'space resume · s step' : 'space pause';
  return (
    <Text wrap="truncate-end" dimColor={colors.dim}>
      {keys ?? `${pause} · l log scale · +/- learning rate ×2/÷2 · q quit`}
    </Text>
  );
}
