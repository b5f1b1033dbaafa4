import { Text } from 'ink';
import type { Palette } from './palette.js';
import type { MetricsView } from './store.js';

export function Footer({ view, colors }: { view: MetricsView; colors: Palette }) {
  if (view.end) {
    return <Text dimColor={colors.dim}>finished · the log and exit code carry the status ({view.end.status})</Text>;
  }
  const pause = view.state === 'paused' ? 'space resume · s step' : 'space pause';
  return (
    <Text wrap="truncate-end" dimColor={colors.dim}>
      {pause} · l log scale · +/- learning rate ×2/÷2 · q quit
    </Text>
  );
}
