import { Box, Text } from 'ink';
import type { ReactNode } from 'react';

/** A bordered panel with a bold title and an optional note (e.g. "≈ from 27,000 rows") on its first line. */
export function Panel({ title, note, width, height, children }: { title: string; note?: string; width: number; height?: number; children: ReactNode }) {
  return (
    <Box flexDirection="column" borderStyle="round" width={width} height={height} overflow="hidden">
      <Text wrap="truncate-end">
        <Text bold>{title}</Text>
        {note ? `  ${note}` : ''}
      </Text>
      {children}
    </Box>
  );
}

/** "≈ from k rows" when a figure comes from a sample of the n rows; empty when exact. */
export function sampledNote(rows: number, n: number): string {
  return rows < n ? `≈ from ${rows.toLocaleString('en-US')} rows` : '';
}
