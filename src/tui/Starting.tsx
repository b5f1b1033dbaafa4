import { Box, Text } from 'ink';
import { TitleLine } from './Header.js';
import type { Palette } from './palette.js';

/**
 * The dashboard's first frame, drawn as soon as the config is valid: the header's first line and
 * what the run is doing until its first event (loading the data, starting the training thread),
 * which on a large CSV takes seconds.
 */
export function Starting({ name, configPath, colors }: { name: string; configPath: string; colors: Palette }) {
  return (
    <Box flexDirection="column">
      <TitleLine name={name} configPath={configPath} colors={colors} />
      <Text wrap="truncate-end" dimColor={colors.dim}>
        loading the data and starting the training thread…
      </Text>
    </Box>
  );
}
