import { Text } from 'ink';
import { formatNumber } from '../../format.js';
import { differingKeys } from '../../sweep/grid.js';
import { INK_COLORS } from '../compare.js';
import type { Palette } from '../palette.js';
import { safeText } from '../text.js';
import { glyphOf } from './overlay.js';
import type { SweepRunView } from './store.js';

const FAILED = new Set(['diverged', 'dead', 'failed', 'invalid']);

export function stateText(state: string): string {
  return state.replace('_', ' ');
}

function stateColor(state: string, colors: Palette): string | undefined {
  if (FAILED.has(state)) return colors.bad;
  if (state === 'paused' || state === 'interrupted' || state === 'not_started') return colors.warn;
  if (state === 'queued') return undefined;
  return colors.good;
}

/** The first visible row: the window of `rows` rows that keeps the selected row in sight. */
export function windowStart(selected: number, count: number, rows: number): number {
  if (count <= rows) return 0;
  return Math.max(0, Math.min(count - rows, selected - Math.floor(rows / 2)));
}

export interface SweepTableProps {
  /** The runs, best first. */
  ranked: readonly SweepRunView[];
  selected: string | null;
  /** Lines for the rows (the header comes on top). */
  rows: number;
  colors: Palette;
}

/**
 * A row per run, best loss first: its glyph, one column per setting that differs between runs,
 * epoch, loss, best loss and status. The selected run is marked ›, the best run ◀ best.
 */
export function SweepTable({ ranked, selected, rows, colors }: SweepTableProps) {
  const keys = differingKeys(ranked.map((r) => r.run.settings));
  const widths = keys.map((key) => Math.min(24, Math.max(key.length, ...ranked.map((r) => r.run.settings[key]?.length ?? 1))));
  const settings = (values: (key: string) => string): string => keys.map((key, k) => safeText(values(key), widths[k]).padEnd(widths[k])).join('  ');
  const header = `    ${settings((key) => key)}${'epoch'.padStart(14)}${'loss'.padStart(11)}${'best'.padStart(11)}  status`;
  const best = ranked[0]?.best ? ranked[0].run.id : null;
  const at = Math.max(
    0,
    ranked.findIndex((r) => r.run.id === selected),
  );
  // When the runs do not fit, the last line says which of them are shown.
  const fit = ranked.length > rows ? Math.max(1, rows - 1) : rows;
  const from = windowStart(at, ranked.length, fit);
  const shown = ranked.slice(from, from + fit);
  return (
    <>
      <Text bold wrap="truncate-end">
        {header}
      </Text>
      {shown.map((r) => {
        const isSelected = r.run.id === selected;
        const isBest = r.run.id === best;
        const epoch = r.latest ? `${r.latest.epoch}/${r.epochs ?? '?'}` : '—';
        const numbers = `${epoch.padStart(14)}${formatNumber(r.loss).padStart(11)}${formatNumber(r.best?.loss).padStart(11)}`;
        return (
          <Text key={r.run.id} wrap="truncate-end" inverse={isSelected} bold={isBest}>
            {isSelected ? '› ' : '  '}
            <Text color={colors.train ? INK_COLORS[r.index % INK_COLORS.length] : undefined}>{glyphOf(r.index)}</Text>{' '}
            {settings((key) => r.run.settings[key] ?? '—')}
            {numbers}
            {'  '}
            <Text color={stateColor(r.state, colors)}>{stateText(r.state)}</Text>
            {isBest ? '  ◀ best' : ''}
          </Text>
        );
      })}
      {ranked.length > rows && (
        <Text dimColor={colors.dim} wrap="truncate-end">
          {`    rows ${from + 1}–${from + shown.length} of ${ranked.length}`}
        </Text>
      )}
    </>
  );
}
