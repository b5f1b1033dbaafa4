import { formatDuration, formatNumber, formatVector } from '../format.js';
import { logOutcome, readRunLog } from '../logs/read.js';
import { bestRuns, compareCsv, compareTable, MAX_RUNS, runNames } from '../logs/compare.js';
import { isFolder, sweepFolderLogs } from '../logs/folder.js';
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
  io.stdout.write(
    `${config.name} (${file}): ${dataset.source}, ${dataset.train}${validation} rows × ${dataset.features.length} features → ${dataset.target}\n`,
  );
  const best = outcome.best ? ` (best ${formatNumber(outcome.best.loss)} at epoch ${outcome.best.epoch})` : '';
  const elapsed = log.end?.elapsed_ms ?? log.epochs[log.epochs.length - 1]?.elapsed_ms ?? 0;
  io.stdout.write(`${outcome.status} after ${outcome.epochs} epochs in ${formatDuration(elapsed)}: loss ${formatNumber(outcome.loss)}${best}\n`);
  if (log.end) io.stdout.write(`weights ${formatVector(log.end.weights)}, bias ${formatNumber(log.end.bias)}\n`);
  return 0;
}

/**
 * `neuron-tui compare LOG|FOLDER...`: loss curves overlaid and a table, or the table alone without a
 * terminal, or `--csv` the table as CSV. A sweep folder stands for its logs; past six runs the
 * chart shows the six with the lowest best loss (CSV lists every run).
 */
export async function compareCommand(paths: string[], flags: { log?: boolean; csv?: boolean }, io: RunIo): Promise<number> {
  const folders = paths.filter(isFolder);
  const files = paths.flatMap((path) => (folders.includes(path) ? sweepFolderLogs(path) : [path]));
  if (files.length > MAX_RUNS && !flags.csv && folders.length === 0) {
    throw new InputError([
      { where: files[MAX_RUNS], message: `compare takes at most ${MAX_RUNS} logs; got ${files.length} (--csv writes a table of any number)` },
    ]);
  }
  let logs = files.map(readRunLog);
  if (flags.csv) {
    io.stdout.write(compareCsv(logs));
    return 0;
  }
  if (logs.length > MAX_RUNS) {
    const kept = bestRuns(logs, MAX_RUNS);
    const names = runNames(logs);
    const left = logs.flatMap((log, i) => (kept.includes(log) ? [] : [names[i]]));
    io.stderr.write(
      `compare: ${logs.length} runs; showing the ${MAX_RUNS} with the lowest best loss, leaving out ${left.join('; ')} (--csv lists every run)\n`,
    );
    logs = kept;
  }
  if (io.stdout.isTTY) {
    const { compareDashboard } = await importInteractive(() => import('../tui/compare.js'), io.stdout);
    await compareDashboard(logs, Boolean(flags.log), io.stdout);
    return 0;
  }
  for (const line of compareTable(logs)) io.stdout.write(`${line}\n`);
  return 0;
}
