import { Box, Text } from 'ink';
import { differingKeys } from '../../sweep/grid.js';
import { CHART_COLORS, INK_COLORS } from '../compare.js';
import { ChartPanel, type LegendItem } from '../ChartPanel.js';
import { Help } from '../Help.js';
import type { Palette } from '../palette.js';
import { safeText } from '../text.js';
import { glyphOf, overlayChart } from './overlay.js';
import type { SweepView } from './store.js';
import { SweepTable } from './SweepTable.js';

/** Every key of the sweep screen, for the `?` overlay and the README. */
export const SWEEP_KEYS: readonly (readonly [string, string])[] = [
  ['↑ ↓, k j', 'select a run (the table is sorted by best loss)'],
  ['enter', "open the selected run's training page"],
  ['esc', 'back to the sweep'],
  ['space, p', 'pause or resume every run'],
  ['l', 'log scale for the loss chart (on at the start)'],
  ['?', 'this help (any key closes it)'],
  ['q, Ctrl-C', 'stop every run: each ends as interrupted, its log complete (exit 130)'],
];

export const SWEEP_KEYS_LINE = '↑/↓ select · enter open run · space pause all · l log · ? keys · q stop all';

export interface SweepScreenProps {
  view: SweepView;
  /** The config's name and the folder the logs go to. */
  name: string;
  outDir: string;
  selected: string | null;
  width: number;
  height: number;
  logScale: boolean;
  colors: Palette;
  help?: boolean;
}

function summary(view: SweepView): string {
  const running = view.started - view.ended;
  const queued = view.runs.length - view.started;
  const parts = [
    `${view.runs.length} runs`,
    `${running} ${view.paused ? 'paused' : 'running'}`,
    `${view.ended} done`,
    ...(queued > 0 ? [`${queued} queued`] : []),
  ];
  return parts.join(' · ');
}

/** The sweep at a glance: every run's loss on one chart over a table of the runs, best first. */
export function SweepScreen({ view, name, outDir, selected, width, height, logScale, colors, help }: SweepScreenProps) {
  // header 1, chart panel borders and title 3, table header 1, footer 1, a spare line (two at the end: the prompt follows).
  const spare = view.finished ? 2 : 1;
  const tableRows = Math.max(1, Math.min(view.runs.length, Math.floor((height - 7) / 3)));
  const chartHeight = Math.max(4, height - 6 - spare - tableRows);
  const epochs = Math.max(1, ...view.runs.map((r) => r.epochs ?? 0));
  const top = view.runs.findIndex((r) => r.run.id === selected);
  const lines = overlayChart(
    view.runs.map((r) => ({
      buckets: r.history,
      lastEpoch: r.latest?.epoch ?? 0,
      glyph: glyphOf(r.index),
      color: colors.chartTrain ? CHART_COLORS[r.index % CHART_COLORS.length] : undefined,
    })),
    { width: width - 2, height: chartHeight, epochs, log: logScale, top: top === -1 ? undefined : top },
  );
  // One setting varies: the title names it and the legend gives its values, so more runs fit on the line.
  const keys = differingKeys(view.runs.map((r) => r.run.settings));
  const single = keys.length === 1 ? keys[0] : null;
  const legend: LegendItem[] = view.runs.map((r) => ({
    label: safeText(single ? r.run.settings[single] : r.run.id, 40),
    glyph: glyphOf(r.index),
    color: colors.train ? INK_COLORS[r.index % INK_COLORS.length] : undefined,
  }));
  const title = `loss${logScale ? ' (log scale)' : ''}${single ? ` · ${safeText(single, 30)}` : ''}`;
  const footer = view.finished
    ? `finished · logs and sweep.json in ${safeText(outDir, 60)} · next: neuron-tui compare ${safeText(outDir, 60)}`
    : SWEEP_KEYS_LINE;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text bold color={colors.accent}>
          neuron-tui sweep
        </Text>
        <Text> · </Text>
        <Text bold>{safeText(name, 40)}</Text>
        <Text> · {summary(view)}</Text>
        <Text dimColor={colors.dim}> · {safeText(outDir, 60)}</Text>
      </Text>
      {help ? <Help width={width} height={chartHeight + 3} keys={SWEEP_KEYS} /> : <ChartPanel title={title} legend={legend} lines={lines} width={width} />}
      <SweepTable ranked={view.ranked} selected={selected} rows={tableRows} colors={colors} />
      <Text wrap="truncate-end" dimColor={colors.dim}>
        {footer}
      </Text>
    </Box>
  );
}
