import { Box, Text } from 'ink';
import { SMOOTHING } from './store.js';

/** Every key of the live dashboard, for the `?` overlay and the README. */
export const KEYS: readonly (readonly [string, string])[] = [
  ['tab', 'switch page: training ⇄ neuron (fit, gradients, the kink, step size)'],
  ['space, p', 'pause or resume (the run stops between epochs)'],
  ['s', 'one more epoch while paused'],
  ['>  <', 'double / halve the pace (epochs per second)'],
  ['f', 'full speed (pace max)'],
  ['+  -', 'double / halve the learning rate'],
  ['l', 'log scale for the loss chart'],
  ['m', `smoothing of the loss: ${SMOOTHING.map((w) => (w ? String(w) : 'off')).join(', ')}`],
  ['?', 'this help (any key closes it)'],
  ['q, Ctrl-C', 'stop: the run ends as interrupted (exit 130), its log complete'],
];

/** The `?` overlay: a screen's keys (the live dashboard's by default), one a line. */
export function Help({ width, height, keys = KEYS }: { width: number; height: number; keys?: readonly (readonly [string, string])[] }) {
  return (
    <Box flexDirection="column" borderStyle="round" width={width} height={height}>
      <Text bold>keys</Text>
      {keys.map(([key, what]) => (
        <Text key={key} wrap="truncate-end">
          {key.padEnd(11)} {what}
        </Text>
      ))}
    </Box>
  );
}
