import { loadConfig, parseOverride } from '../config/load.js';
import { loadTrainingData } from '../data/saved-weights.js';
import { formatProblems, InputError } from '../errors.js';
import type { RunIo } from './run.js';

/**
 * `neuron-tui validate CONFIG...`: everything `run` checks before training (schema, data file,
 * columns, init sizes), for every file; `ok` per good file. Exit 0 when all are good, else 2.
 */
export function validateCommand(files: string[], flags: { set?: string[] }, io: RunIo): number {
  const overrides = (flags.set ?? []).map(parseOverride);
  let bad = 0;
  for (const file of files) {
    try {
      const loaded = loadConfig(file, overrides);
      const { dataset } = loadTrainingData(loaded);
      const skipped = dataset.skipped ? `, ${dataset.skipped} rows skipped` : '';
      const rows = `${dataset.train.n}${dataset.validation ? ` + ${dataset.validation.n} validation` : ''} rows × ${dataset.d} features${skipped}`;
      io.stdout.write(`${file}: ok (${rows})\n`);
    } catch (error) {
      // Every file is checked and reported, even after one that made the checker fail.
      bad++;
      const lines = error instanceof InputError ? formatProblems(error.problems) : [`${file}: ${internalError(error)}`];
      for (const line of lines) io.stderr.write(`${line}\n`);
    }
  }
  return bad === 0 ? 0 : 2;
}

/** One line for a failure of the checker itself (a bug): what it was, without a stack trace. */
function internalError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `could not be checked: internal error (a bug, please report it): ${text.split('\n')[0]}`;
}
