import { Text } from 'ink';
import { formatDuration } from '../format.js';
import { statusLabel } from '../train/events.js';
import type { Palette } from './palette.js';
import type { MetricsView, RunState } from './store.js';

function stateWord(state: RunState): string {
  if (state === 'pausing') return 'pausing…';
  return state === 'running' || state === 'paused' ? state : statusLabel(state);
}

export function stateColor(state: RunState, colors: Palette): string | undefined {
  if (state === 'diverged' || state === 'dead') return colors.bad;
  if (state === 'paused' || state === 'pausing' || state === 'interrupted') return colors.warn;
  return colors.good;
}

export function progressBar(fraction: number, width: number): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/** epoch k / total, a bar, elapsed, ETA, epochs per second and the run's state. */
export function Progress({ view, colors, width }: { view: MetricsView; colors: Palette; width: number }) {
  const total = view.start.config.epochs;
  const epoch = view.latest?.epoch ?? 0;
  const elapsed = view.end?.elapsed_ms ?? view.latest?.elapsed_ms ?? 0;
  const rate = view.epochsPerSecond;
  const eta = view.state === 'running' && rate ? formatDuration(((total - epoch) / rate) * 1000) : '—';
  const speed = rate === null ? '' : `  ${rate >= 100 ? Math.round(rate) : rate.toFixed(1)} ep/s`;
  const counter = `epoch ${String(epoch).padStart(String(total).length)}/${total} `;
  const tail = `  ${formatDuration(elapsed)} elapsed  ETA ${eta}${speed}  `;
  const state = stateWord(view.state);
  const barWidth = Math.max(5, Math.min(40, width - counter.length - tail.length - state.length - 4));
  return (
    <Text wrap="truncate-end">
      {counter}
      <Text color={colors.train}>{progressBar(epoch / total, barWidth)}</Text>
      {tail}
      <Text bold color={stateColor(view.state, colors)}>
        ● {state}
      </Text>
    </Text>
  );
}
