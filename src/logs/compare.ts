import { csvRow, formatNumber } from '../format.js';
import { differingKeys, settingsLabel } from '../sweep/grid.js';
import { logOutcome, type RunLog } from './read.js';

/** Runs one compare chart can tell apart by colour. */
export const MAX_RUNS = 6;

/**
 * A config as dotted settings, each value as text: `{learning_rate: '0.05', 'data.path': '…',
 * 'optimizer.type': 'sgd'}`. Lists stay whole (`init.weights: '[0.1,0.2]'`).
 */
export function flatSettings(value: unknown, prefix = ''): Record<string, string> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.assign({}, ...Object.entries(value).map(([key, v]) => flatSettings(v, prefix ? `${prefix}.${key}` : key))) as Record<string, string>;
  }
  return { [prefix]: typeof value === 'string' ? value : JSON.stringify(value) };
}

/** The settings that differ between the runs, `name` first when it is one of them. */
function differing(logs: readonly RunLog[]): { settings: Record<string, string>[]; keys: string[] } {
  const settings = logs.map((log) => flatSettings(log.start.config));
  const keys = differingKeys(settings);
  return { settings, keys: [...keys.filter((k) => k === 'name'), ...keys.filter((k) => k !== 'name')] };
}

/**
 * Names for the legend: the settings that differ between the runs (`learning_rate=0.05`), after
 * the run's name when names differ; the name alone when nothing differs, with the file where two
 * runs would still share a label.
 */
export function runNames(logs: readonly RunLog[]): string[] {
  const { settings, keys } = differing(logs);
  const rest = keys.filter((k) => k !== 'name');
  const labels = logs.map((log, i) => {
    const label = settingsLabel(settings[i], rest);
    const name = keys.includes('name') || !label ? log.start.config.name : '';
    return [name, label].filter(Boolean).join(' ');
  });
  return labels.map((label, i) => (labels.indexOf(label) !== labels.lastIndexOf(label) ? `${label} (${logs[i].file})` : label));
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

/** The runs as table cells: a column per differing setting (or `run`, the label, when none differs), then the outcome. */
function tableCells(logs: readonly RunLog[]): { keys: string[]; settings: string[][]; outcomes: ReturnType<typeof logOutcome>[] } {
  const { settings, keys } = differing(logs);
  if (keys.length === 0) return { keys: ['run'], settings: runNames(logs).map((name) => [name]), outcomes: logs.map((log) => logOutcome(log)) };
  return { keys, settings: settings.map((s) => keys.map((k) => s[k] ?? '—')), outcomes: logs.map((log) => logOutcome(log)) };
}

/** The outcome columns that the compare and sweep tables share, after their own run columns. */
export const OUTCOME_HEADER = `${'status'.padEnd(13)}${'epochs'.padStart(8)}${'final loss'.padStart(13)}${'best loss'.padStart(13)}${'@ epoch'.padStart(9)}`;

/** A run's outcome under OUTCOME_HEADER. */
export function outcomeText(o: {
  status: string;
  epochs: number;
  loss: number | null | undefined;
  bestLoss: number | null | undefined;
  bestEpoch: number | null | undefined;
}): string {
  return `${o.status.padEnd(13)}${String(o.epochs).padStart(8)}${formatNumber(o.loss).padStart(13)}${formatNumber(o.bestLoss).padStart(13)}${String(o.bestEpoch ?? '—').padStart(9)}`;
}

export function compareTable(logs: readonly RunLog[]): string[] {
  const { keys, settings, outcomes } = tableCells(logs);
  const widths = keys.map((key, k) => Math.max(key.length, ...settings.map((row) => row[k].length)));
  const left = (cells: readonly string[]): string => cells.map((cell, k) => cell.padEnd(widths[k])).join('  ');
  const rows = outcomes.map(
    (o, i) => `${left(settings[i])}  ${outcomeText({ status: o.status, epochs: o.epochs, loss: o.loss, bestLoss: o.best?.loss, bestEpoch: o.best?.epoch })}`,
  );
  return [`${left(keys)}  ${OUTCOME_HEADER}`, ...rows];
}

/** The table as CSV for other tools: full-precision numbers, an empty cell where there is none. */
export function compareCsv(logs: readonly RunLog[]): string {
  const { keys, settings, outcomes } = tableCells(logs);
  const number = (v: number | null | undefined): string => (v === null || v === undefined || Number.isNaN(v) ? '' : String(v));
  const lines = [
    csvRow([...keys, 'status', 'epochs_trained', 'final_loss', 'best_loss', 'best_epoch', 'log']),
    ...outcomes.map((o, i) => csvRow([...settings[i], o.status, String(o.epochs), number(o.loss), number(o.best?.loss), number(o.best?.epoch), logs[i].file])),
  ];
  return `${lines.join('\n')}\n`;
}

/** The runs with the lowest best loss (runs without one last), in their given order. */
export function bestRuns(logs: readonly RunLog[], count: number): RunLog[] {
  const best = (log: RunLog): number => logOutcome(log).best?.loss ?? Infinity;
  const kept = new Set([...logs].sort((a, b) => best(a) - best(b)).slice(0, count));
  return logs.filter((log) => kept.has(log));
}
