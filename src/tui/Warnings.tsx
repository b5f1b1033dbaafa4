import { Text } from 'ink';
import { formatNumber, formatPercent, statusAdvice } from '../format.js';
import type { Palette } from './palette.js';
import type { MetricsView } from './store.js';

/** Below this active ratio the neuron is close to dying: say so before it happens. */
export const COLLAPSE_RATIO = 0.1;

/** What needs the user's attention now, in plain words; empty when all is well. */
export function warningsFor(view: MetricsView): { text: string; severe: boolean }[] {
  const out: { text: string; severe: boolean }[] = [];
  if (view.state === 'dead' || view.state === 'diverged') {
    out.push({ text: statusAdvice(view.state, view.learningRate), severe: true });
  } else if (view.latest && view.latest.active_ratio > 0 && view.latest.active_ratio < COLLAPSE_RATIO) {
    out.push({
      text: `Only ${formatPercent(view.latest.active_ratio)} of rows are active: the neuron is close to dying. A smaller learning rate or a larger init.bias may keep it alive.`,
      severe: false,
    });
  }
  if (view.revived) {
    out.push({ text: `The random init left every row inactive, so its bias was raised (now ${formatNumber(view.latest?.bias ?? NaN)}).`, severe: false });
  }
  return out;
}

/** Lines the warnings take at `width` (they wrap; the layout reserves room for them). */
export function warningLines(view: MetricsView, width: number): number {
  return warningsFor(view).reduce((lines, w) => lines + Math.ceil((w.text.length + 2) / Math.max(1, width - 2)) , 0);
}

export function Warnings({ view, colors }: { view: MetricsView; colors: Palette }) {
  return (
    <>
      {warningsFor(view).map((w) => (
        <Text key={w.text} wrap="wrap" color={w.severe ? colors.bad : colors.warn}>
          ⚠ {w.text}
        </Text>
      ))}
    </>
  );
}
