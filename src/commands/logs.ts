import { formatDuration, formatNumber, formatVector } from '../format.js';
import { logOutcome, readRunLog } from '../logs/read.js';
import { compareTable, MAX_RUNS } from '../logs/compare.js';
import { InputError } from '../errors.js';
import { importInteractive } from '../tui/interactive.js';
import type { RunIo } from './run.js';

/** `neuron-tui replay LOG`: the recorded run in the dashboard, or its summary without a terminal. */
export async function replayCommand(file: string, flags: { speed?: number; pace?: number }, io: RunIo & { stdin: NodeJS.ReadStream }): Promise<number> {
  const log = readRunLog(file);
  if (io.stdout.isTTY) {
    const { replayDashboard } = await importInteractive(() => import('../tui/replay.js'), io.stdout);
    await replayDashboard(log, flags, io.stdout, io.stdin);
    return 0;
  }
  const { config, dataset } = log.start;
  const outcome = logOutcome(log);
  const validation = dataset.validation ? ` + ${dataset.validation} validation` : '';
  io.stdout.write(`${config.name} (${file}): ${dataset.source}, ${dataset.train}${validation} rows × ${dataset.features.length} features → ${dataset.target}\n`);
  const best = outcome.best ? ` (best ${formatNumber(outcome.best.loss)} at epoch ${outcome.best.epoch})` : '';
  const elapsed = log.end?.elapsed_ms ?? log.epochs[log.epochs.length - 1]?.elapsed_ms ?? 0;
  io.stdout.write(`${outcome.status} after ${outcome.epochs} epochs in ${formatDuration(elapsed)}: loss ${formatNumber(outcome.loss)}${best}\n`);
  if (log.end) io.stdout.write(`weights ${formatVector(log.end.weights)}, bias ${formatNumber(log.end.bias)}\n`);
  return 0;
}

/** `neuron-tui compare LOG LOG...`: loss curves overlaid and a table, or the table alone without a terminal. */
export async function compareCommand(files: string[], flags: { log?: boolean }, io: RunIo): Promise<number> {
  if (files.length > MAX_RUNS) {
    throw new InputError([{ where: files[MAX_RUNS], message: `compare takes at most ${MAX_RUNS} logs; got ${files.length}` }]);
  }
  const logs = files.map(readRunLog);
  if (io.stdout.isTTY) {
    const { compareDashboard } = await importInteractive(() => import('../tui/compare.js'), io.stdout);
    await compareDashboard(logs, Boolean(flags.log), io.stdout);
    return 0;
  }
  for (const line of compareTable(logs)) io.stdout.write(`${line}\n`);
  return 0;
}
