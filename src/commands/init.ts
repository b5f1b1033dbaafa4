import { existsSync } from 'node:fs';
import { basename, dirname, extname, relative, resolve } from 'node:path';
import { readCsvHeader } from '../data/csv.js';
import { openCsvFile } from '../data/csv-file.js';
import { checkOutputs } from '../files/outputs.js';
import { writeWholeFile } from '../files/write.js';
import { InputError } from '../errors.js';
import { packageFile } from '../paths.js';
import type { RunIo } from './run.js';

/** schema.json of this installation, so editors check the new file against the version that runs it. */
const SCHEMA_PATH = packageFile('schema.json');

/** The `data:` block and learning rate of a config for one CSV (init --data). */
export interface CsvStarter {
  /** The CSV path relative to the config file. */
  path: string;
  target: string;
  features: string[];
  learningRate: number;
}

const SYNTHETIC_DATA = `data:                            # where the rows come from: a CSV path, or the mapping below
  # path: data.csv               # a CSV with a header row, relative to this file (instead of synthetic)
  synthetic:                     # generated rows, so this file runs without a CSV
    samples: 1000                # rows to generate
    weights: [1.5, -2, 0.5]      # the true weights; their count is the number of features
    bias: 0.5                    # the true bias
    noise: 0.1                   # standard deviation of the noise added to y
  # target: y                    # CSV only: the target column (default: the last one)
  # features: [x1, x2]           # CSV only: the feature columns (default: all but the target)
  validation_split: 0.2          # share of rows held out for validation, in [0, 1)
  standardize: false             # z-score features with the training rows' statistics
  missing: error                 # a bad CSV cell: error (stop and say where) or skip (drop the row)
  # delimiter: auto              # CSV only: the separator, , ; tab or | (auto: detected)
learning_rate: 0.05              # gradient descent step size, > 0`;

const yamlString = (s: string): string => JSON.stringify(s);
/** Comments start in column 34, as in the template. */
const pad = (line: string, indent = 0): string => line.padEnd(32 - indent);

function csvData(csv: CsvStarter): string {
  return `data:                            # the rows: a CSV with a header row
  ${pad(`path: ${yamlString(csv.path)}`, 2)} # relative to this file
  ${pad(`target: ${yamlString(csv.target)}`, 2)} # the column to predict (here the last one)
  ${pad(`features: [${csv.features.map(yamlString).join(', ')}]`, 2)} # the inputs (here all the other columns)
  validation_split: 0.2          # share of rows held out for validation, in [0, 1)
  standardize: true              # z-score features with the training rows' statistics
  missing: error                 # a bad CSV cell: error (stop and say where) or skip (drop the row)
  delimiter: auto                # the separator, , ; tab or | (auto: detected from the header)
${pad(`learning_rate: ${csv.learningRate}`)} # stable for standardized features: below 1/(features + 1)`;
}

/**
 * A starter config that validates and trains as written, every key with a comment: on synthetic
 * data, or on a CSV (init --data).
 */
export function starterConfig(csv?: CsvStarter): string {
  const name = csv ? yamlString(basename(csv.path, extname(csv.path))) : 'my-neuron';
  return `# yaml-language-server: $schema=${SCHEMA_PATH}
# A neuron-tui config. Run it with: neuron-tui run THIS_FILE   (neuron-tui schema lists every key)
${pad(`name: ${name}`)} # shown in the dashboard and logs
${csv ? csvData(csv) : SYNTHETIC_DATA}
epochs: 500                      # maximum number of epochs
batch_size: full                 # full, or rows per mini-batch
shuffle: true                    # reshuffle rows every epoch (mini-batch only)
seed: 0                          # seeds every random choice
init:                            # initial parameters
  distribution: normal           # normal or uniform random weights
  # weights: [0.1, -0.2, 0.3]    # instead of distribution and scale: exact weights, one per feature
  scale: 0.1                     # standard deviation (normal) or half-width (uniform)
  bias: 0.1                      # small and positive, so the neuron starts active
  # from: weights.json           # instead: continue from a --save-weights file (same as run --init-from)
optimizer:                       # the update rule applied to the gradient g
  type: sgd                      # sgd (w ← w − η g), momentum or adam
  # momentum: 0.9                # momentum only: v ← μ v + g, w ← w − η v
  # nesterov: false              # momentum only: w ← w − η (g + μ v)
  # beta1: 0.9                   # adam only: decay of the gradient average m
  # beta2: 0.999                 # adam only: decay of the squared-gradient average s
  # epsilon: 1.0e-8              # adam only: added to √ŝ so a step never divides by zero
l2: 0                            # L2 penalty l2·‖w‖² on the weights (bias excluded); loss stays the MSE
schedule:                        # the learning rate of each epoch
  type: constant                 # constant, step, exponential, cosine or plateau
  # every: 10                    # step only: epochs between two cuts
  # factor: 0.1                  # step, exponential, plateau: the multiplier of each cut
  # patience: 10                 # plateau only: epochs without improvement tolerated before a cut
  # min: 0                       # cosine, plateau: the lowest rate
  # warmup_epochs: 5             # ramp the rate up as e/k over the first k epochs
early_stopping:                  # stop when the validation loss stops improving
  patience: 20                   # epochs without improvement before stopping
  min_delta: 0.00001             # smallest decrease that counts as improvement
  restore_best: false            # end with the best epoch's parameters instead of the last ones
# stop_when:                     # stop with status converged (exit 0) when either holds
#   grad_norm_below: 1.0e-6      # the gradient's norm is below this
#   loss_below: 0.001            # the training loss is below this
log_every: 1                     # write every k-th epoch to the JSON log (the last one always)
engine: auto                     # full-batch epochs: pass (read every row), screened (only rows that can change side), auto
`;
}

/**
 * For standardized features the Hessian (2/N)·X̃ᵀX̃ of X̃ = [x̃, 1] has trace 2(d + 1), so every
 * eigenvalue is at most that and any η < 1/(d + 1) is stable (DESIGN.md, "Curvature"), whatever
 * the active set. The largest of 1, 2, 5 × 10^k below half that bound.
 */
export function stableLearningRate(d: number): number {
  const bound = 0.5 / (d + 1);
  for (let k = 0; ; k--) {
    for (const m of [5, 2, 1]) {
      const rate = Number(`${m}e${k}`);
      if (rate <= bound) return rate;
    }
  }
}

/** The CSV's columns for `init --data`, read (every row checked) so that the config runs as written. */
function csvStarter(csvFile: string, configFile: string): CsvStarter {
  const csv = openCsvFile(csvFile, (why) => {
    throw new InputError([{ where: `--data ${csvFile}`, message: `cannot read the CSV: ${why}` }]);
  });
  const header = readCsvHeader(csv.head, csvFile);
  const { names } = header;
  if (names.length < 2) {
    throw new InputError([
      { where: `${csvFile}:1`, message: `has only the column "${names[0]}"; a config needs at least one feature column and the target (the last column)` },
    ]);
  }
  const target = names.length - 1;
  const features = names.slice(0, target).map((_, i) => i);
  csv.numbers(header, { features, target, missing: 'error' }, csvFile);
  return {
    path: relative(dirname(resolve(configFile)), resolve(csvFile)),
    target: names[target],
    features: names.slice(0, target),
    learningRate: stableLearningRate(features.length),
  };
}

/** `neuron-tui init [FILE] [--data CSV]`: writes the starter config; refuses to overwrite without --force. */
export function initCommand(file: string | undefined, flags: { force?: boolean; data?: string }, io: RunIo): number {
  const target = file ?? 'neuron.yaml';
  if (existsSync(target) && !flags.force) {
    throw new InputError([{ where: target, message: 'already exists; choose another name, or add --force to overwrite it' }]);
  }
  checkOutputs(flags.data ? [{ where: `the CSV ${flags.data}`, path: flags.data }] : [], [{ where: target, path: target }], { stdout: false });
  writeWholeFile(target, starterConfig(flags.data ? csvStarter(flags.data, target) : undefined), target, 'write the config');
  io.stdout.write(`wrote ${target}; train it with: neuron-tui run ${target}\n`);
  return 0;
}
