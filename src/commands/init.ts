import { existsSync, writeFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { packageFile } from '../paths.js';
import type { RunIo } from './run.js';

/** schema.json of this installation, so editors check the new file against the version that runs it. */
const SCHEMA_PATH = packageFile('schema.json');

/** A starter config that validates and trains as written: synthetic data, every key with a comment. */
export function starterConfig(): string {
  return `# yaml-language-server: $schema=${SCHEMA_PATH}
# A neuron-tui config. Run it with: neuron-tui run THIS_FILE   (neuron-tui schema lists every key)
name: my-neuron                  # shown in the dashboard and logs
data:                            # where the rows come from: a CSV path, or the mapping below
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
learning_rate: 0.05              # gradient descent step size, > 0
epochs: 500                      # maximum number of epochs
batch_size: full                 # full, or rows per mini-batch
shuffle: true                    # reshuffle rows every epoch (mini-batch only)
seed: 0                          # seeds every random choice
init:                            # initial parameters
  distribution: normal           # normal or uniform random weights (or give exact weights: [...])
  scale: 0.1                     # standard deviation (normal) or half-width (uniform)
  bias: 0.1                      # small and positive, so the neuron starts active
early_stopping:                  # stop when the validation loss stops improving
  patience: 20                   # epochs without improvement before stopping
  min_delta: 0.00001             # smallest decrease that counts as improvement
log_every: 1                     # write every k-th epoch to the JSON log (the last one always)
engine: auto                     # full-batch epochs: pass (read every row), screened (only rows that can change side), auto
`;
}

/** `neuron-tui init [FILE]`: writes the starter config; refuses to overwrite without --force. */
export function initCommand(file: string | undefined, flags: { force?: boolean }, io: RunIo): number {
  const target = file ?? 'neuron.yaml';
  if (existsSync(target) && !flags.force) {
    throw new InputError([{ where: target, message: 'already exists; choose another name, or add --force to overwrite it' }]);
  }
  try {
    writeFileSync(target, starterConfig());
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : String(code);
    throw new InputError([{ where: target, message: `cannot write the config: ${why}` }]);
  }
  io.stdout.write(`wrote ${target}; train it with: neuron-tui run ${target}\n`);
  return 0;
}
