import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { LoadedConfig, Override } from '../config/load.js';
import { fileErrorCause } from '../files/causes.js';
import { InputError, type Problem } from '../errors.js';
import type { Parameters } from '../neuron/init.js';
import type { SavedWeights } from '../sinks/weights.js';
import { loadDataset, type Dataset } from './dataset.js';

type Standardization = NonNullable<SavedWeights['standardization']>;

const isNumbers = (v: unknown, length?: number): v is number[] =>
  Array.isArray(v) && (length === undefined || v.length === length) && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * Reads a `--save-weights` file; every problem is placed by `problem` (at the argument, flag or
 * config key that named the file). Standardization statistics are finite, std ≥ 0 (0: centred only).
 */
export function readWeightsFile(path: string, problem: (message: string) => Problem): SavedWeights {
  const fail = (message: string): never => {
    throw new InputError([problem(message)]);
  };
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    fail(`cannot read the weights file ${path}: ${fileErrorCause(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail(`${path} is not JSON; expected a file written by \`run --save-weights\``);
  }
  const saved = value as Partial<Record<keyof SavedWeights, unknown>>;
  const expect = (ok: boolean, what: string): void => {
    if (!ok) fail(`${path} is not a \`run --save-weights\` file: ${what}`);
  };
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), 'expected a JSON object {weights, bias, features, target}');
  expect(isNumbers(saved.weights) && saved.weights.length > 0, '`weights` must be a non-empty list of finite numbers');
  const d = (saved.weights as number[]).length;
  expect(typeof saved.bias === 'number' && Number.isFinite(saved.bias), '`bias` must be a finite number');
  expect(
    Array.isArray(saved.features) && saved.features.length === d && saved.features.every((f) => typeof f === 'string'),
    `\`features\` must be ${d} column names, one per weight`,
  );
  expect(typeof saved.target === 'string', '`target` must be the target column name');
  const names = saved.features as string[];
  expect(new Set(names).size === names.length, '`features` names a column twice');
  expect(!names.includes(saved.target as string), '`target` is also one of the `features`');
  if (saved.standardization !== undefined) {
    const s = saved.standardization as Partial<Standardization> | null;
    expect(
      typeof s === 'object' && s !== null && isNumbers(s.mean, d) && isNumbers(s.std, d) && s.std.every((v) => v >= 0),
      `\`standardization\` must be {mean, std} with ${d} finite numbers each (std ≥ 0)`,
    );
  }
  return saved as SavedWeights;
}

/** Divides by std, or only centres a constant feature (std 0): the model's input for raw value x. */
export function standardized(x: number, mean: number, std: number): number {
  return std === 0 ? x - mean : (x - mean) / std;
}

/** Z-scores row-major rows in place with saved statistics, as training did. */
export function applyStandardization(x: Float64Array, d: number, s: Standardization): void {
  for (let k = 0; k < x.length; k++) x[k] = standardized(x[k], s.mean[k % d], s.std[k % d]);
}

/**
 * The parameters of `init.from` (or `run --init-from`), in the dataset's feature order and
 * standardization. Features must match by name. A saved model works on inputs (x − μ)/σ (μ = 0,
 * σ = 1 without standardization); on the data's (x − μ')/σ' the same neuron has w'_j = w_j σ'_j/σ_j
 * and b' = b + Σ w_j (μ'_j − μ_j)/σ_j. A feature whose statistics are equal keeps its weight bit
 * for bit, so a run continued on the same data goes on exactly.
 */
export function readInitFrom(loaded: LoadedConfig, dataset: Dataset): Parameters | undefined {
  const init = loaded.config.init;
  const path = initFromFile(loaded);
  if (!('from' in init) || path === undefined) return undefined;
  const problem = (message: string): Problem => loaded.problemAt(['init', 'from'], message);
  const fail = (message: string): never => {
    throw new InputError([problem(message)]);
  };
  const saved = readWeightsFile(path, problem);
  const names = dataset.features;
  const missing = names.filter((f) => !saved.features.includes(f));
  const extra = saved.features.filter((f) => !names.includes(f));
  if (missing.length || extra.length) {
    const parts = [
      missing.length
        ? `the data's feature${missing.length > 1 ? 's' : ''} ${missing.map((f) => `"${f}"`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} not in it`
        : '',
      extra.length
        ? `its feature${extra.length > 1 ? 's' : ''} ${extra.map((f) => `"${f}"`).join(', ')} ${extra.length > 1 ? 'are' : 'is'} not in the data`
        : '',
    ].filter(Boolean);
    fail(`the weights in ${init.from} were trained on ${saved.features.join(', ')}; ${parts.join(', and ')}. Features must match by name`);
  }
  const from = saved.standardization;
  const to = dataset.standardization;
  const w = new Float64Array(names.length);
  let b = saved.bias;
  names.forEach((name, j) => {
    const k = saved.features.indexOf(name);
    const [mu, sigma] = from ? [from.mean[k], from.std[k] || 1] : [0, 1];
    const [mu2, sigma2] = to ? [to.mean[j], to.std[j] || 1] : [0, 1];
    if (mu === mu2 && sigma === sigma2) {
      w[j] = saved.weights[k];
    } else {
      w[j] = (saved.weights[k] * sigma2) / sigma;
      b += (saved.weights[k] * (mu2 - mu)) / sigma;
    }
  });
  return { w, b };
}

/** `run --init-from FILE` is `init: {from: FILE}` with FILE relative to the working folder. */
export function initFromOverride(file: string | undefined): Override[] {
  return file === undefined ? [] : [{ flag: `--init-from ${file}`, path: ['init'], value: { from: resolve(file) } }];
}

/** The inputs of a training run from its loaded config: the rows, and the parameters `init.from` starts from. */
export interface TrainingData {
  dataset: Dataset;
  /** Absent unless the config has `init.from` (or `run --init-from`). */
  initial: Parameters | undefined;
}

/**
 * Everything `run` reads before it trains, in one place, so that `validate`, `inspect`,
 * `gradcheck` and a sweep's checks refuse exactly what `run` refuses.
 */
export function loadTrainingData(loaded: LoadedConfig, options: { threads?: number } = {}): TrainingData {
  const dataset = loadDataset(loaded, undefined, options);
  return { dataset, initial: readInitFrom(loaded, dataset) };
}

/** The `init.from` weights file a config reads, as an absolute path; undefined without one. */
export function initFromFile(loaded: LoadedConfig): string | undefined {
  const init = loaded.config.init;
  return 'from' in init ? resolve(dirname(loaded.file), init.from) : undefined;
}
