import { loadConfig, parseOverride } from '../config/load.js';
import { loadTrainingData } from '../data/saved-weights.js';
import { InputError } from '../errors.js';
import { formatNumber, formatPercent, statusAdvice } from '../format.js';
import { inspectNeuron, kinkReach, maxRowNorm, type Inspection, type Parameters } from '../neuron/curvature.js';
import { Trainer } from '../train/trainer.js';
import type { RunIo } from './run.js';

export interface InspectFlags {
  at?: number;
  json?: boolean;
  set?: string[];
}

/** `inspect --json`: one object, fields exactly as DESIGN.md ("Curvature") names them. */
export function inspectionJson(epoch: number, state: Inspection): Record<string, unknown> {
  const finite = (v: number | null): number | null => (v !== null && Number.isFinite(v) ? v : null);
  return {
    epoch,
    loss: finite(state.loss),
    active: state.active,
    gradient: { weights: state.gradient.weights.map(finite), bias: finite(state.gradient.bias) },
    lambda_max: finite(state.lambdaMax),
    lambda_min: finite(state.lambdaMin),
    condition: finite(state.condition),
    lr_limit: finite(state.lrLimit),
    lr_fastest: finite(state.lrFastest),
    near_kink: state.nearKink,
    flips: state.flips,
  };
}

/** Where the learning rate stands against the stability limit, in plain words. */
export function rateVerdict(rate: number, limit: number | null): string {
  if (limit === null) return 'no row is active: there is no curvature, and no step can move the neuron';
  const share = rate / limit;
  if (share >= 1) return `${formatNumber(share, 3)}× the limit: above it, each step overshoots further while these rows stay active`;
  if (2 * rate >= limit) return `${formatNumber(share, 3)}× the limit: doubling it (the dashboard's +) would pass the limit`;
  return `${formatNumber(share, 3)}× the limit: stable`;
}

/**
 * `neuron-tui inspect CONFIG [--at EPOCH]`: trains EPOCH epochs with the config's own settings,
 * then shows the neuron's state there: loss, active rows, the seed's gradient, the curvature of C
 * on the active set and the learning rates it allows, rows at the kink, rows that changed side.
 */
export function inspectCommand(file: string, flags: InspectFlags, io: RunIo): number {
  const loaded = loadConfig(file, (flags.set ?? []).map(parseOverride));
  const config = loaded.config;
  const at = flags.at ?? 0;
  if (at > config.epochs) {
    throw new InputError([
      { where: `--at ${at}`, message: `the config trains at most ${config.epochs} epochs; use --at ${config.epochs} or less, or --set epochs=${at}` },
    ]);
  }
  const { dataset, initial } = loadTrainingData(loaded);
  const { n } = dataset.train;
  const d = dataset.d;
  let t = 0;
  const trainer = new Trainer(config, dataset, { clock: () => t++, initial });
  const l2 = config.l2 ?? 0;

  let before: Parameters | null = null;
  while (trainer.epoch < at && trainer.status === null) {
    before = { w: Float64Array.from(trainer.w), b: trainer.b };
    trainer.runEpoch();
  }
  const params: Parameters = { w: trainer.w, b: trainer.b };
  const state = inspectNeuron(dataset.train, d, params, { l2, before });
  const epoch = trainer.epoch;
  const stopped =
    epoch < at
      ? `training stopped (${trainer.status}) at epoch ${epoch}, before epoch ${at}; this is the state where it stopped${
          trainer.status === 'diverged' ? ' (the last finite parameters)' : ''
        }`
      : '';

  if (flags.json) {
    io.stdout.write(`${JSON.stringify(inspectionJson(epoch, state))}\n`);
    if (stopped) io.stderr.write(`${stopped}\n`);
    return 0;
  }

  const write = (text: string): void => void io.stdout.write(`${text}\n`);
  const line = (label: string, value: string): void => write(`  ${label.padEnd(16)}${value}`);
  write(`inspect ${file}: epoch ${epoch} of ${config.epochs}, ${n} training rows × ${d} features`);
  if (stopped) write(`${stopped}\n${statusAdvice(trainer.status ?? '', trainer.learningRate)}`);
  write('');
  line('loss', formatNumber(state.loss, 6));
  line('active', `${state.active} of ${n} rows (${formatPercent(state.active / n)}); dead share ${formatPercent(1 - state.active / n)}`);
  const reach = kinkReach(params, maxRowNorm(dataset.train.x, d, n));
  line('near the kink', `${state.nearKink} rows with |z| ≤ ${formatNumber(reach, 2)}`);
  line('changed side', epoch === 0 ? '0 (no epoch yet)' : `${state.flips} rows in epoch ${epoch}`);

  write('');
  write(`  ${'parameter'.padEnd(20)}${'value'.padStart(14)}${'∂C/∂θ'.padStart(14)}`);
  const names = dataset.features.map((name) => `w[${name}]`);
  for (let j = 0; j < d; j++)
    write(`  ${names[j].slice(0, 20).padEnd(20)}${formatNumber(trainer.w[j], 6).padStart(14)}${formatNumber(state.gradient.weights[j], 6).padStart(14)}`);
  write(`  ${'b'.padEnd(20)}${formatNumber(trainer.b, 6).padStart(14)}${formatNumber(state.gradient.bias, 6).padStart(14)}`);

  write('');
  write(`  curvature on the ${state.active} active rows, H = (2/N) X̃_Aᵀ X̃_A${l2 > 0 ? ` + 2·l2 on the weights` : ''}:`);
  line('λmax', formatNumber(state.lambdaMax, 6));
  line('λmin', formatNumber(state.lambdaMin, 6));
  line('condition', state.condition === null ? '— (λmin = 0: a direction without curvature)' : formatNumber(state.condition, 6));
  line('limit 2/λmax', state.lrLimit === null ? '— (no curvature)' : `${formatNumber(state.lrLimit, 6)}  (constant steps are stable below it)`);
  line('fastest', state.lrFastest === null ? '—' : `${formatNumber(state.lrFastest, 6)}  (2/(λmax + λmin))`);
  line('learning rate', `${formatNumber(trainer.learningRate, 6)}  (${rateVerdict(trainer.learningRate, state.lrLimit)})`);
  return 0;
}
