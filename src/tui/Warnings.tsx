import { Text } from 'ink';
import { formatNumber, formatPercent, statusAdvice } from '../format.js';
import type { Palette } from './palette.js';
import type { MetricsView } from './store.js';
import { wrapWords } from './text.js';

/** Below this active ratio the neuron is close to dying: say so before it happens. */
export const COLLAPSE_RATIO = 0.1;

/** What needs the user's attention now, in plain words; empty when all is well. */
export function warningsFor(view: MetricsView): { text: string; severe: boolean }[] {
  const out: { text: string; severe: boolean }[] = [];
  const advice = view.end ? statusAdvice(view.end.status, view.latest?.learning_rate ?? view.learningRate) : '';
  if (advice) {
    out.push({ text: advice, severe: view.state === 'dead' || view.state === 'diverged' });
  } else if (!view.end && view.latest && view.latest.active_ratio > 0 && view.latest.active_ratio < COLLAPSE_RATIO) {
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

/** The warnings as lines wrapped at `width` without breaking words (the layout counts them). */
export function warningLinesOf(view: MetricsView, width: number): { text: string; severe: boolean }[] {
  return warningsFor(view).flatMap((w) => wrapWords(`⚠ ${w.text}`, Math.max(10, width)).map((text) => ({ text, severe: w.severe })));
}

/** Lines the warnings take at `width`. */
export function warningLines(view: MetricsView, width: number): number {
  return warningLinesOf(view, width).length;
}

export function Warnings({ view, colors, width }: { view: MetricsView; colors: Palette; width: number }) {
  return (
    <>
      {warningLinesOf(view, width).map((w, i) => (
        <Text key={i} wrap="truncate-end" color={w.severe ? colors.bad : colors.warn}>
          {w.text}
        </Text>
      ))}
    </>
  );
}
