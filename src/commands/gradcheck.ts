import { loadConfig, parseOverride } from '../config/load.js';
import { loadTrainingData } from '../data/saved-weights.js';
import { formatNumber } from '../format.js';
import { gradcheck, STEP, TOLERANCE, FLOOR, type GradientPass } from '../neuron/gradcheck.js';
import { Trainer } from '../train/trainer.js';
import type { RunIo } from './run.js';

/** Where along a short training run the gradient is checked. */
const CHECKPOINTS = [0, 1, 10, 100];

function cell(value: number, width: number): string {
  return formatNumber(value, 8).padStart(width);
}

/**
 * `neuron-tui gradcheck CONFIG`: the seed's analytic gradients against central differences, at
 * the initial parameters and at a few points of a short run with the config's own settings.
 * Returns 0 when the worst relative error is below TOLERANCE, 1 otherwise, and 1 (inconclusive)
 * when no point away from the kink could be counted.
 */
export function gradcheckCommand(file: string, flags: { set?: string[] }, io: RunIo, pass?: GradientPass): number {
  const loaded = loadConfig(file, (flags.set ?? []).map(parseOverride));
  const { dataset, initial } = loadTrainingData(loaded);
  const { x, y, n } = dataset.train;
  const d = dataset.d;
  let t = 0;
  const trainer = new Trainer(loaded.config, dataset, { clock: () => t++, initial });
  const write = (text: string): void => void io.stdout.write(text);

  write(`gradcheck ${file}: ${n} rows × ${d} features, the full-batch gradient against central differences\n`);
  write(
    `h = ${formatNumber(STEP)}·max(1, |θ|); relative error = |analytic − numeric| / max(|analytic|, |numeric|, ${formatNumber(FLOOR)}·max(1, loss)); tolerance ${formatNumber(TOLERANCE)}\n`,
  );
  // Relative errors are ≥ 0 (or NaN, which must fail): the first one counted replaces this.
  let worst = { error: -1, where: '' };
  let counted = 0;
  let skipped = 0;
  for (const epoch of CHECKPOINTS) {
    if (epoch > loaded.config.epochs) break;
    while (trainer.epoch < epoch && trainer.status === null) trainer.runEpoch();
    if (trainer.epoch < epoch) {
      write(`\ntraining stopped (${trainer.status}) after epoch ${trainer.epoch}; no later points\n`);
      break;
    }
    const result = gradcheck(x, y, d, n, trainer.w, trainer.b, dataset.features, pass);
    const label = epoch === 0 ? 'initial parameters' : `after epoch ${epoch}`;
    write(`\n${label}: loss ${formatNumber(result.loss)}, ${result.active}/${n} rows active\n`);
    write(`  ${'parameter'.padEnd(18)}${'analytic'.padStart(16)}${'numeric'.padStart(16)}${'rel. error'.padStart(12)}\n`);
    for (const row of result.rows) {
      write(`  ${row.parameter.slice(0, 18).padEnd(18)}${cell(row.analytic, 16)}${cell(row.numeric, 16)}${formatNumber(row.relativeError, 2).padStart(12)}\n`);
    }
    if (result.nearKink > 0) {
      skipped++;
      write(`  ${result.nearKink} row(s) have z within one step of the kink at 0, where C is not differentiable: this point is shown, not counted\n`);
      continue;
    }
    counted++;
    for (const row of result.rows) {
      if (!(row.relativeError <= worst.error)) worst = { error: row.relativeError, where: `${label}, ${row.parameter}` };
    }
  }
  if (counted === 0) {
    // Every point had a row at the kink (e.g. a zero init: all z = 0): nothing was measured.
    write(
      `\nno point away from the kink to count${skipped ? ` (${skipped} point(s) near the kink not counted)` : ''}: INCONCLUSIVE; start from weights that put no row at z = 0 (e.g. \`init: {distribution: normal}\`)\n`,
    );
    return 1;
  }
  const ok = worst.error < TOLERANCE;
  write(
    `\nworst relative error ${formatNumber(worst.error, 2)} (${worst.where})${skipped ? `; ${skipped} point(s) near the kink not counted` : ''}: ${ok ? 'PASS' : 'FAIL'}\n`,
  );
  return ok ? 0 : 1;
}
