import { Text } from 'ink';
import { formatDuration } from '../format.js';
import { statusLabel } from '../train/events.js';
import type { Palette } from './palette.js';
import type { MetricsView, RunState } from './store.js';

export function stateWord(state: RunState): string {
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

/**
 * epoch k / total, a bar, elapsed, ETA, epochs per second and the run's state. Elapsed is the
 * run's own time (pauses left out); the ETA goes once the run is over. The state always shows:
 * on a narrow screen the bar, then the rate, then the ETA make room for it.
 */
export function Progress({ view, colors, width }: { view: MetricsView; colors: Palette; width: number }) {
  const total = view.start.config.epochs;
  const epoch = view.latest?.epoch ?? 0;
  const elapsed = view.end?.elapsed_ms ?? view.latest?.elapsed_ms ?? 0;
  const rate = view.epochsPerSecond;
  const counter = `epoch ${String(epoch).padStart(String(total).length)}/${total} `;
  const parts = [`  ${formatDuration(elapsed)}${view.end ? '' : ' elapsed'}`];
  if (!view.end) parts.push(`  ETA ${view.state === 'running' && rate ? formatDuration(((total - epoch) / rate) * 1000) : '—'}`);
  if (rate !== null) parts.push(`  ${rate >= 100 ? Math.round(rate) : rate.toFixed(1)} ep/s`);
  const state = `  ● ${stateWord(view.state)}`;
  let tail = parts.join('');
  while (counter.length + tail.length + state.length + 5 > width && parts.length > 1) {
    parts.pop();
    tail = parts.join('');
  }
  const barWidth = Math.min(40, width - counter.length - tail.length - state.length - 2);
  return (
    <Text wrap="truncate-end">
      {counter}
      {barWidth >= 5 && <Text color={colors.train}>{progressBar(epoch / total, barWidth)}</Text>}
      {tail}
      <Text bold color={stateColor(view.state, colors)}>
        {state}
      </Text>
    </Text>
  );
}
