import { Box, Text } from 'ink';
import { Lines } from './Lines.js';

export interface LegendItem {
  label: string;
  color?: string;
  /** The line's glyph: ━ solid, ┄ dotted (validation), ◆ a mark. */
  glyph?: string;
}

/** A bordered chart with a title line and a legend; `lines` come from renderChart. */
export function ChartPanel({ title, legend, lines, width }: { title: string; legend: LegendItem[]; lines: string[]; width: number }) {
  return (
    <Box flexDirection="column" borderStyle="round" width={width} paddingX={0}>
      <Text wrap="truncate-end">
        <Text bold>{title}</Text>
        {legend.map((item) => (
          <Text key={item.label}>
            {'  '}
            <Text color={item.color}>{item.glyph ?? '━'}</Text> {item.label}
          </Text>
        ))}
      </Text>
      {/* One node for the whole chart: renderChart already fits the width, and one node lays out far faster than one per line. */}
      <Lines lines={lines} width={width - 2} />
    </Box>
  );
}
