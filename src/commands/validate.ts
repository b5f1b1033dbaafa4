import { loadConfig, parseOverride } from '../config/load.js';
import { loadDataset } from '../data/dataset.js';
import { formatProblem, InputError } from '../errors.js';
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
      const dataset = loadDataset(loaded);
      const skipped = dataset.skipped ? `, ${dataset.skipped} rows skipped` : '';
      const rows = `${dataset.train.n}${dataset.validation ? ` + ${dataset.validation.n} validation` : ''} rows × ${dataset.d} features${skipped}`;
      io.stdout.write(`${file}: ok (${rows})\n`);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      bad++;
      for (const problem of error.problems) io.stderr.write(`${formatProblem(problem)}\n`);
    }
  }
  return bad === 0 ? 0 : 2;
}
