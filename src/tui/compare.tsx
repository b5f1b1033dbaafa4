import { blue, cyan, green, magenta, red, yellow } from 'asciichart';
import { Box, Text } from 'ink';
import { formatNumber } from '../format.js';
import { alignedLosses, compareTable, runNames } from '../logs/compare.js';
import { logOutcome, type RunLog } from '../logs/read.js';
import { renderChart } from './chart.js';
import { ChartPanel } from './ChartPanel.js';
import type { Palette } from './palette.js';
import { mountScreen, screenColors } from './screen.js';
import { useTerminalSize, type Size } from './useTerminalSize.js';

export const CHART_COLORS = [cyan, magenta, yellow, green, blue, red];
export const INK_COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red'];

export function Compare({ logs, colors, size, log }: { logs: RunLog[]; colors: Palette; size?: Size; log: boolean }) {
  const { width, height } = useTerminalSize(size);
  const names = runNames(logs);
  const table = compareTable(logs);
  const chartHeight = Math.max(4, Math.min(20, height - table.length - 5));
  const series = alignedLosses(logs, Math.max(2, width - 13));
  const lines = renderChart(
    series.map((values, i) => ({ values, color: colors.chartTrain ? CHART_COLORS[i] : undefined })),
    { width: width - 2, height: chartHeight, log },
  );
  const legend = logs.map((l, i) => ({ label: `${names[i]} ${formatNumber(logOutcome(l).loss)}`, color: colors.train ? INK_COLORS[i] : undefined }));
  return (
    <Box flexDirection="column" width={width}>
      <ChartPanel title={log ? 'loss (log scale)' : 'loss'} legend={legend} lines={lines} width={width} />
      {table.map((row, i) => (
        <Text key={i} bold={i === 0} wrap="truncate-end" color={i > 0 && colors.train ? INK_COLORS[i - 1] : undefined}>
          {row}
        </Text>
      ))}
    </Box>
  );
}

export async function compareDashboard(logs: RunLog[], log: boolean, stdout: NodeJS.WriteStream): Promise<void> {
  // A still picture: drawn once and left on the terminal.
  const instance = mountScreen(<Compare logs={logs} colors={screenColors(stdout)} log={log} />, { stdout });
  instance.unmount();
  await instance.waitUntilExit();
}
