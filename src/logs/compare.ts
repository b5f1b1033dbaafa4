import { formatNumber } from '../format.js';
import { logOutcome, type RunLog } from './read.js';

/** Runs one compare chart can tell apart by colour. */
export const MAX_RUNS = 6;

/** Names for the legend: the run's name, with the file where two runs share a name. */
export function runNames(logs: readonly RunLog[]): string[] {
  const names = logs.map((log) => log.start.config.name);
  return names.map((name, i) => (names.indexOf(name) !== names.lastIndexOf(name) ? `${name} (${logs[i].file})` : name));
}

/**
 * Each run's loss (validation loss where there is one) placed by epoch on a shared axis: a run
 * of 100 epochs fills a tenth of the width next to one of 1,000.
 */
export function alignedLosses(logs: readonly RunLog[], columns: number): number[][] {
  const longest = Math.max(1, ...logs.map((log) => log.epochs[log.epochs.length - 1]?.epoch ?? 0));
  return logs.map((log) => {
    const last = log.epochs[log.epochs.length - 1]?.epoch ?? 0;
    const width = Math.max(1, Math.ceil((last / longest) * columns));
    const sums = new Array<number>(width).fill(0);
    const counts = new Array<number>(width).fill(0);
    for (const e of log.epochs) {
      const value = e.val_loss ?? e.loss;
      if (!Number.isFinite(value)) continue;
      const k = Math.min(width - 1, Math.floor(((e.epoch - 1) / longest) * columns));
      sums[k] += value;
      counts[k]++;
    }
    return sums.map((s, k) => (counts[k] ? s / counts[k] : NaN));
  });
}

export function compareTable(logs: readonly RunLog[]): string[] {
  const names = runNames(logs);
  const nameWidth = Math.max(4, ...names.map((n) => n.length));
  const header = `${'run'.padEnd(nameWidth)}  ${'status'.padEnd(13)}${'epochs'.padStart(8)}${'final loss'.padStart(13)}${'best loss'.padStart(13)}${'@ epoch'.padStart(9)}`;
  const rows = logs.map((log, i) => {
    const o = logOutcome(log);
    return `${names[i].padEnd(nameWidth)}  ${o.status.padEnd(13)}${String(o.epochs).padStart(8)}${formatNumber(o.loss).padStart(13)}${formatNumber(o.best?.loss).padStart(13)}${String(o.best?.epoch ?? '—').padStart(9)}`;
  });
  return [header, ...rows];
}

