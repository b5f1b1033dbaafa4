import { Box, Text } from 'ink';
import { formatNumber } from '../format.js';
import { statusLabel } from '../train/events.js';
import { renderChart, sparkline, type ChartSeries } from './chart.js';
import { ChartPanel, type LegendItem } from './ChartPanel.js';
import { finishedLines, Footer, liveKeys, type Outputs } from './Footer.js';
import { Header } from './Header.js';
import { Help } from './Help.js';
import type { NeuronPageData } from './neuron/data.js';
import { NeuronPage } from './neuron/NeuronPage.js';
import { bestText, Numbers } from './Numbers.js';
import type { Palette } from './palette.js';
import { PAGE_NAMES, type Page } from './pages.js';
import { Progress, progressBar, stateColor, stateWord } from './Progress.js';
import type { MetricsView } from './store.js';
import { Summary } from './Summary.js';
import { safeText } from './text.js';
import { warningLines, Warnings } from './Warnings.js';

export interface DashboardProps {
  view: MetricsView;
  width: number;
  height: number;
  logScale: boolean;
  colors: Palette;
  /** The `?` overlay in place of the charts. */
  help?: boolean;
  /** Files the run writes, named in the final frame. */
  outputs?: Outputs;
  /** The footer once the run is over; the default names the files and the next step. */
  finished?: string;
  /** The keys line while it runs; the default lists a live run's keys. */
  keys?: string;
  /** The page shown: the charts (default) or the neuron page. */
  page?: Page;
  /** The neuron page's data, computed for the current parameters; null before the first epoch. */
  neuron?: NeuronPageData | null;
}

/** Below this size the full layout cannot fit: show the compact view instead of breaking. */
export const MIN_WIDTH = 60;
export const MIN_HEIGHT = 20;

/** Progress, a loss sparkline and the status in a few lines, for small terminals. */
function Compact({ view, width, height, colors, page, neuron, keys }: DashboardProps) {
  const total = view.start.config.epochs;
  const epoch = view.latest?.epoch ?? 0;
  const spark = sparkline(view.history.loss, Math.max(5, width - 12));
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end" bold>
        {safeText(view.start.config.name, Math.max(10, width - 2))}
      </Text>
      <Text wrap="truncate-end">
        {epoch}/{total} {progressBar(epoch / total, Math.max(5, Math.min(30, width - 16)))}
      </Text>
      {page === 'neuron' ? (
        <NeuronPanel view={view} data={neuron} width={width} height={height} colors={colors} />
      ) : (
        <>
          <Text wrap="truncate-end">
            loss <Text color={colors.train}>{spark}</Text>
          </Text>
          <Text wrap="truncate-end">
            loss {formatNumber(view.end?.loss ?? view.latest?.loss)} {bestText(view, view.best)}
          </Text>
        </>
      )}
      <Text wrap="truncate-end" bold color={stateColor(view.state, colors)}>
        ● {view.end ? statusLabel(view.end.status) : stateWord(view.state)}
      </Text>
      {!view.end && (
        <Text wrap="truncate-end" dimColor={colors.dim}>
          {page ? `${PAGE_NAMES[page]} (tab) · q quit · ? keys · space pause` : (keys ?? 'space pause · ? keys · q quit')}
        </Text>
      )}
    </Box>
  );
}

/** The neuron page in the space it is given, or why it cannot be drawn yet. */
function NeuronPanel({
  view,
  data,
  width,
  height,
  colors,
}: {
  view: MetricsView;
  data: NeuronPageData | null | undefined;
  width: number;
  height: number;
  colors: Palette;
}) {
  if (!data) {
    const why = data === null ? "waiting for the first epoch's parameters" : 'it needs the training rows, which only a live run has';
    return (
      <Box borderStyle="round" width={width} height={Math.min(height, 5)}>
        <Text wrap="truncate-end">neuron page · {why}</Text>
      </Box>
    );
  }
  return <NeuronPage data={data} learningRate={view.learningRate} width={width} height={height} colors={colors} />;
}

/** The loss chart's series: train solid, validation dotted; smoothed over the dim raw ones. */
function lossSeries(view: MetricsView, colors: Palette): ChartSeries[] {
  const { history } = view;
  const smooth = history.smoothed;
  const raw: ChartSeries[] = [
    { buckets: history.loss, color: colors.chartTrain, faint: Boolean(smooth) },
    ...(history.valLoss ? [{ buckets: history.valLoss, color: colors.chartValidation, dotted: true, faint: Boolean(smooth) }] : []),
  ];
  if (!smooth) return raw;
  return [
    ...raw,
    { buckets: smooth.loss, color: colors.chartTrain },
    ...(smooth.valLoss ? [{ buckets: smooth.valLoss, color: colors.chartValidation, dotted: true }] : []),
  ];
}

/**
 * The whole screen, sized to the terminal: the loss chart across the top, weight norm and active
 * ratio side by side below, never taller than `height` (a taller frame makes Ink clear and flicker,
 * and the header would scroll away).
 */
export function Dashboard(props: DashboardProps) {
  const { view, width, height, logScale, colors, outputs = {} } = props;
  const smoothing = view.history.smoothed?.weight ?? 0;
  if (width < MIN_WIDTH || height < MIN_HEIGHT) return <Compact {...props} />;

  const finished = view.end ? (props.finished ? [props.finished] : finishedLines(view, outputs, width)) : [];
  const warnings = warningLines(view, width);
  const footer = view.end ? finished.length : 1;
  // header 3 + progress 1 + numbers 2 (3 with the rate line) + warnings + footer, two panels'
  // borders and titles, and spare lines: one while running, two for the final frame (the shell's
  // prompt follows it). The rate line goes first when the charts would get too short.
  const spare = view.end ? 2 : 1;
  const room = height - spare - (6 + warnings + footer) - 6;
  const rateLine = !view.end && room - 1 >= 6;
  const chartLines = Math.max(6, rateLine ? room - 1 : room);
  const lossHeight = Math.ceil(chartLines / 2);
  const smallHeight = chartLines - lossHeight;
  const half = Math.floor(width / 2);
  const { history } = view;
  const epochs = history.epochs ?? undefined;

  const best = view.end?.best_epoch != null && view.end.best_loss != null ? { epoch: view.end.best_epoch, loss: view.end.best_loss } : view.best;
  const monitored = history.valLoss ? 'val_loss' : 'loss';
  const loss = renderChart(lossSeries(view, colors), {
    width: width - 2,
    height: lossHeight,
    log: logScale,
    epochs,
    mark: best ? { epoch: best.epoch, value: best.loss } : undefined,
  });
  const norm = renderChart([{ buckets: history.weightNorm, color: colors.chartOther }], { width: half - 2, height: smallHeight, epochs });
  const active = renderChart(
    [
      { buckets: history.active, color: colors.chartTrain },
      ...(history.valActive ? [{ buckets: history.valActive, color: colors.chartValidation, dotted: true }] : []),
    ],
    { width: width - half - 2, height: smallHeight, min: 0, max: 1, epochs },
  );
  const legend: LegendItem[] = [
    { label: 'train', color: colors.train },
    ...(history.valLoss ? [{ label: 'validation', color: colors.validation, glyph: '┄' }] : []),
  ];
  const lossLegend: LegendItem[] = [...legend, ...(best ? [{ label: `best ${monitored} @ ${best.epoch}`, glyph: '◆' }] : [])];
  const title = `loss${logScale ? ' (log scale)' : ''}${smoothing ? ` · smoothed ${smoothing}` : ''}`;

  return (
    <Box flexDirection="column" width={width}>
      <Header view={view} colors={colors} />
      <Progress view={view} colors={colors} width={width} />
      {props.help ? (
        <Help width={width} height={chartLines + 6} />
      ) : props.page === 'neuron' ? (
        <NeuronPanel view={view} data={props.neuron} width={width} height={chartLines + 6} colors={colors} />
      ) : (
        <>
          <ChartPanel title={title} legend={lossLegend} lines={loss} width={width} />
          <Box flexDirection="row">
            <ChartPanel title="weight norm ‖w‖" legend={[]} lines={norm} width={half} />
            <ChartPanel title="active ratio" legend={legend} lines={active} width={width - half} />
          </Box>
        </>
      )}
      {view.end ? <Summary view={view} colors={colors} width={width} /> : <Numbers view={view} colors={colors} width={width} rate={rateLine} />}
      <Warnings view={view} colors={colors} width={width} />
      <Footer view={view} colors={colors} lines={finished} keys={props.keys ?? liveKeys(view, props.page)} />
    </Box>
  );
}
