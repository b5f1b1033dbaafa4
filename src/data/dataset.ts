import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileErrorCause } from '../files/causes.js';
import { InputError } from '../errors.js';
import type { LoadedConfig } from '../config/load.js';
import { suggest } from '../config/messages.js';
import { rng, shuffleInPlace } from '../random/rng.js';
import { readCsvHeader, readCsvNumbers } from './csv.js';
import { rowArray } from './rows.js';
import { syntheticRows } from './synthetic.js';

/** Rows of one split: features row-major (n × d) and targets. */
export interface Rows {
  x: Float64Array;
  y: Float64Array;
  n: number;
}

export interface Dataset {
  /** Where the rows come from, for people: a path relative to the working folder, or `synthetic`. */
  source: string;
  features: string[];
  target: string;
  d: number;
  train: Rows;
  validation: Rows | null;
  /** Rows dropped under `data.missing: skip`. */
  skipped: number;
  /** Training-set mean and standard deviation per feature, when `data.standardize` is on. */
  standardization: { mean: number[]; std: number[] } | null;
}

interface AllRows extends Rows {
  features: string[];
  target: string;
  skipped: number;
  source: string;
}

function readCsvRows(loaded: LoadedConfig, cwd: string): AllRows {
  const { config, dataFile } = loaded;
  const file = dataFile as string;
  const near = relative(cwd, file);
  const shown = near && !near.startsWith('..') ? near : file;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : fileErrorCause(error);
    throw new InputError([loaded.problemAt(['data', 'path'], `cannot read the data file ${file}: ${why}`)]);
  }
  const header = readCsvHeader(bytes, shown);
  const names = header.names;
  const columnIndex = (name: string, key: (string | number)[]): number => {
    const index = names.indexOf(name);
    if (index === -1) {
      const near = suggest(name, names);
      const hint = near ? `did you mean "${near}"? ` : '';
      throw new InputError([
        loaded.problemAt(key, `"${name}" is not a column of ${shown}; ${hint}its columns are ${names.map((n) => `"${n}"`).join(', ')}`),
      ]);
    }
    return index;
  };
  const target = config.data.target === undefined ? names.length - 1 : columnIndex(config.data.target, ['data', 'target']);
  const features = config.data.features
    ? config.data.features.map((name, i) => columnIndex(name, ['data', 'features', i]))
    : names.map((_, i) => i).filter((i) => i !== target);
  const targetAsFeature = features.indexOf(target);
  if (targetAsFeature !== -1) {
    throw new InputError([loaded.problemAt(['data', 'features', targetAsFeature], `"${names[target]}" is the target; it cannot also be a feature`)]);
  }
  if (features.length === 0) {
    throw new InputError([loaded.problemAt(['data'], `${shown} has only the target column "${names[target]}"; a neuron needs at least one feature column`)]);
  }
  const numbers = readCsvNumbers(bytes, header, { features, target, missing: config.data.missing }, shown);
  return {
    x: numbers.x,
    y: numbers.y,
    n: numbers.rows,
    features: features.map((i) => names[i]),
    target: names[target],
    skipped: numbers.skipped,
    source: shown,
  };
}

function syntheticAll(loaded: LoadedConfig): AllRows {
  const { config } = loaded;
  const spec = config.data.synthetic!;
  const rows = syntheticRows(spec, config.seed);
  return {
    x: rows.x,
    y: rows.y,
    n: rows.rows,
    features: spec.weights.map((_, j) => `x${j + 1}`),
    target: 'y',
    skipped: 0,
    source: `synthetic (${spec.samples} rows)`,
  };
}

function gather(all: Rows, d: number, order: Uint32Array): Rows {
  const n = order.length;
  const x = rowArray(n * d);
  const y = rowArray(n);
  for (let k = 0; k < n; k++) {
    const i = order[k];
    x.set(all.x.subarray(i * d, i * d + d), k * d);
    y[k] = all.y[i];
  }
  return { x, y, n };
}

/**
 * Holds out the last `validation_split` of the rows after a seeded shuffle. Each part keeps file
 * order, so the held-out set depends only on the seed and the split.
 */
function split(all: Rows, d: number, fraction: number, seed: number): { train: Rows; validation: Rows | null } {
  const held = Math.round(all.n * fraction);
  if (held === 0) return { train: all, validation: null };
  const order = new Uint32Array(all.n).map((_, i) => i);
  shuffleInPlace(order, rng(seed, 'split'));
  const trainOrder = order.slice(0, all.n - held).sort();
  const validationOrder = order.slice(all.n - held).sort();
  return { train: gather(all, d, trainOrder), validation: gather(all, d, validationOrder) };
}

/** Z-scores features in place with the training rows' statistics; a constant feature is only centred. */
function standardize(train: Rows, validation: Rows | null, d: number): { mean: number[]; std: number[] } {
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (let i = 0; i < train.n; i++) for (let j = 0; j < d; j++) mean[j] += train.x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= train.n;
  for (let i = 0; i < train.n; i++) {
    for (let j = 0; j < d; j++) {
      const dev = train.x[i * d + j] - mean[j];
      std[j] += dev * dev;
    }
  }
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j] / train.n) || 1;
  for (const part of validation ? [train, validation] : [train]) {
    for (let i = 0; i < part.n; i++) for (let j = 0; j < d; j++) part.x[i * d + j] = (part.x[i * d + j] - mean[j]) / std[j];
  }
  return { mean, std };
}

/** Loads the rows a config names, splits and standardizes them. */
export function loadDataset(loaded: LoadedConfig, cwd: string = process.cwd()): Dataset {
  const { config } = loaded;
  const all = config.data.synthetic ? syntheticAll(loaded) : readCsvRows(loaded, cwd);
  const d = all.features.length;
  const init = config.init;
  if ('weights' in init && init.weights.length !== d) {
    throw new InputError([
      loaded.problemAt(['init', 'weights'], `\`init.weights\` has ${init.weights.length} values but the data has ${d} features (${all.features.join(', ')})`),
    ]);
  }
  const { train, validation } = split(all, d, config.data.validation_split, config.seed);
  if (train.n === 0) {
    throw new InputError([loaded.problemAt(['data', 'validation_split'], `holding out ${config.data.validation_split} of ${all.n} rows leaves no training rows`)]);
  }
  const standardization = config.data.standardize ? standardize(train, validation, d) : null;
  return { source: all.source, features: all.features, target: all.target, d, train, validation, skipped: all.skipped, standardization };
}
