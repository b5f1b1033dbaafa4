import { Box, Text } from 'ink';
import { formatNumber } from '../format.js';
import { renderChart } from './chart.js';
import { ChartPanel } from './ChartPanel.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { Numbers } from './Numbers.js';
import type { Palette } from './palette.js';
import { Progress, progressBar, stateColor } from './Progress.js';
import type { MetricsView } from './store.js';
import { Summary } from './Summary.js';
import { warningLines, Warnings } from './Warnings.js';

export interface DashboardProps {
  view: MetricsView;
  width: number;
  height: number;
  logScale: boolean;
  colors: Palette;
  /** The footer once the run is over; the default speaks of a live run. */
  finished?: string;
  /** The keys line while it runs; the default lists a live run's keys. */
  keys?: string;
}

/** Below this size the full layout cannot fit: show the compact view instead of breaking. */
export const MIN_WIDTH = 60;
export const MIN_HEIGHT = 20;

/** Progress, loss and status in a few lines, for small terminals. */
function Compact({ view, width, colors }: DashboardProps) {
  const total = view.start.config.epochs;
  const epoch = view.latest?.epoch ?? 0;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end" bold>
        {view.start.config.name}
      </Text>
      <Text wrap="truncate-end">
        {epoch}/{total} {progressBar(epoch / total, Math.max(5, Math.min(30, width - 16)))}
      </Text>
      <Text wrap="truncate-end">
        loss {formatNumber(view.end?.loss ?? view.latest?.loss)} best {formatNumber(view.best?.loss)}
      </Text>
      <Text wrap="truncate-end" bold color={stateColor(view.state, colors)}>
        ● {view.end ? view.end.status : view.state}
      </Text>
      {!view.end && (
        <Text wrap="truncate-end" dimColor={colors.dim}>
          space pause · q quit
        </Text>
      )}
    </Box>
  );
}

/**
 * The whole screen, sized to the terminal: the loss chart across the top, weight norm and active
 * ratio side by side below, never taller than `height` (a taller frame makes Ink clear and flicker).
 */
export function Dashboard(props: DashboardProps) {
  const { view, width, height, logScale, colors } = props;
  if (width < MIN_WIDTH || height < MIN_HEIGHT) return <Compact {...props} />;

  const warnings = warningLines(view, width);
  // header 2 + progress 1 + numbers 2 + warnings + footer 1, one spare line, two panels' borders and titles.
  const chartLines = height - 1 - (6 + warnings) - 6;
  const lossHeight = Math.ceil(chartLines / 2);
  const smallHeight = chartLines - lossHeight;
  const half = Math.floor(width / 2);
  const { history } = view;

  const loss = renderChart(
    [
      { values: history.loss, color: colors.chartTrain },
      ...(history.valLoss ? [{ values: history.valLoss, color: colors.chartValidation }] : []),
    ],
    { width: width - 2, height: lossHeight, log: logScale },
  );
  const norm = renderChart([{ values: history.weightNorm, color: colors.chartOther }], { width: half - 2, height: smallHeight });
  const active = renderChart(
    [
      { values: history.active, color: colors.chartTrain },
      ...(history.valActive ? [{ values: history.valActive, color: colors.chartValidation }] : []),
    ],
    { width: width - half - 2, height: smallHeight, min: 0, max: 1 },
  );
  const lossLegend = [{ label: 'train', color: colors.train }, ...(history.valLoss ? [{ label: 'validation', color: colors.validation }] : [])];

  return (
    <Box flexDirection="column" width={width}>
      <Header view={view} colors={colors} />
      <Progress view={view} colors={colors} width={width} />
      <ChartPanel title={logScale ? 'loss (log scale)' : 'loss'} legend={lossLegend} lines={loss} width={width} />
      <Box flexDirection="row">
        <ChartPanel title="weight norm ‖w‖" legend={[]} lines={norm} width={half} />
        <ChartPanel title="active ratio" legend={lossLegend} lines={active} width={width - half} />
      </Box>
      {view.end ? <Summary view={view} colors={colors} width={width} /> : <Numbers view={view} colors={colors} width={width} />}
      <Warnings view={view} colors={colors} />
      <Footer view={view} colors={colors} finished={props.finished} keys={props.keys} />
    </Box>
  );
}
