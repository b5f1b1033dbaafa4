import { shownPath } from '../paths.js';
import { availableParallelism, totalmem } from 'node:os';
import { InputError } from '../errors.js';
import type { LoadedConfig } from '../config/load.js';
import { suggest } from '../config/messages.js';
import { rng, shuffleInPlace } from '../random/rng.js';
import { delimiterName, readCsvHeader, shownName } from './csv.js';
import { openCsvFile, type CsvFileOptions } from './csv-file.js';
import { rowArray } from './rows.js';
import { firstInvalidUtf8, invalidUtf8Text, sizeText } from './source.js';
import { standardize, type Standardization } from './standardize.js';
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
  /** The CSV separator used (given or detected); absent for synthetic data. */
  delimiter?: string;
  /** Training-set mean and standard deviation per feature, when `data.standardize` is on. */
  standardization: Standardization | null;
}

interface AllRows extends Rows {
  features: string[];
  target: string;
  skipped: number;
  delimiter?: string;
  source: string;
}

function readCsvRows(loaded: LoadedConfig, cwd: string, threads: number, windows: Pick<CsvFileOptions, 'windowedFrom' | 'window' | 'memoryLimit'>): AllRows {
  const { config, dataFile } = loaded;
  const file = dataFile as string;
  const shown = shownPath(file, cwd);
  const csv = openCsvFile(
    file,
    (why) => {
      throw new InputError([loaded.problemAt(['data', 'path'], `cannot read the data file ${file}: ${why}`)]);
    },
    // A file read in windows is refused beforehand when its rows, with the run's copies, would not fit.
    { threads, copies: rowCopies(loaded, threads, Infinity).total, ...windows },
  );
  const bytes = csv.head;
  const header = readCsvHeader(bytes, shown, config.data.delimiter ?? 'auto');
  // Names are shown in messages and the dashboard: a header that is not UTF-8 is refused, not shown garbled.
  if (header.names.some((name) => name.includes('\uFFFD'))) {
    const at = firstInvalidUtf8(bytes, 0, header.bodyStart);
    if (at !== -1) throw new InputError([loaded.problemAt(['data', 'path'], `cannot read the data file ${file}: ${invalidUtf8Text(bytes, at)}`)]);
  }
  const names = header.names;
  const other = names.length === 1 ? [',', ';', '\t', '|'].find((c) => names[0].includes(c)) : undefined;
  const separatorHint = other ? `; the header contains ${delimiterName(other.charCodeAt(0))}: set \`data.delimiter\` to it, or to \`auto\`` : '';
  const columnIndex = (name: string, key: (string | number)[]): number => {
    const index = names.indexOf(name);
    if (index === -1) {
      const near = suggest(name, names);
      const hint = near ? `did you mean ${shownName(near)}? ` : '';
      throw new InputError([
        loaded.problemAt(key, `${shownName(name)} is not a column of ${shown}; ${hint}its columns are ${names.map(shownName).join(', ')}${separatorHint}`),
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
    throw new InputError([loaded.problemAt(['data', 'features', targetAsFeature], `${shownName(names[target])} is the target; it cannot also be a feature`)]);
  }
  if (features.length === 0) {
    throw new InputError([
      loaded.problemAt(['data'], `${shown} has only the target column ${shownName(names[target])}; a neuron needs at least one feature column${separatorHint}`),
    ]);
  }
  const numbers = csv.numbers(header, { features, target, missing: config.data.missing }, shown, threads);
  return {
    x: numbers.x,
    y: numbers.y,
    n: numbers.rows,
    features: features.map((i) => names[i]),
    target: names[target],
    skipped: numbers.skipped,
    source: shown,
    delimiter: String.fromCharCode(header.delimiter),
  };
}

/**
 * How many copies of `rows` rows a run holds: the rows; a split's parts (gathered into rows of
 * their own); the copies shuffled mini-batches move the rows into (one, two with a helper thread).
 */
function rowCopies({ config }: LoadedConfig, threads: number, rows: number): { total: number; shuffled: number } {
  const miniBatch = config.batch_size !== 'full' && config.batch_size < rows;
  const shuffled = miniBatch && config.shuffle ? (threads >= 2 ? 2 : 1) : 0;
  return { total: (config.data.validation_split > 0 ? 2 : 1) + shuffled, shuffled };
}

function syntheticAll(loaded: LoadedConfig, threads: number): AllRows {
  const { config } = loaded;
  const spec = config.data.synthetic!;
  // Refused before allocating: rows (and their split copies, and the copies shuffled mini-batches
  // move them into: one, two with a helper thread) beyond memory would crash, not fail.
  const copies = rowCopies(loaded, threads, spec.samples);
  const bytes = spec.samples * (spec.weights.length + 1) * 8 * copies.total;
  const available = Math.floor(totalmem() / 2);
  if (bytes > available) {
    const why = copies.shuffled > 0 ? ' (with the copies that shuffled mini-batches move the rows into)' : '';
    throw new InputError([
      loaded.problemAt(
        ['data', 'synthetic', 'samples'],
        `${spec.samples} rows of ${spec.weights.length} features need ${sizeText(bytes)} of memory${why}, more than half of this machine's ${sizeText(totalmem())}; use fewer samples`,
      ),
    ]);
  }
  const rows = syntheticRows(spec, config.seed, threads);
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

/**
 * Loads the rows a config names, splits and standardizes them. Large CSVs are parsed, and many
 * synthetic rows generated, on up to `threads` threads (default: the cores); the rows are the same
 * whatever the count.
 */
export function loadDataset(
  loaded: LoadedConfig,
  cwd: string = process.cwd(),
  options: { threads?: number } & Pick<CsvFileOptions, 'windowedFrom' | 'window' | 'memoryLimit'> = {},
): Dataset {
  const { config } = loaded;
  const { threads = availableParallelism(), ...windows } = options;
  const all = config.data.synthetic ? syntheticAll(loaded, threads) : readCsvRows(loaded, cwd, threads, windows);
  const d = all.features.length;
  const init = config.init;
  if ('weights' in init && init.weights.length !== d) {
    throw new InputError([
      loaded.problemAt(['init', 'weights'], `\`init.weights\` has ${init.weights.length} values but the data has ${d} features (${all.features.join(', ')})`),
    ]);
  }
  const { train, validation } = split(all, d, config.data.validation_split, config.seed);
  if (train.n === 0) {
    throw new InputError([
      loaded.problemAt(['data', 'validation_split'], `holding out ${config.data.validation_split} of ${all.n} rows leaves no training rows`),
    ]);
  }
  let standardization: Standardization | null = null;
  if (config.data.standardize) {
    try {
      standardization = standardize(train, validation, d, all.features, all.source);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      throw new InputError([loaded.problemAt(['data', 'standardize'], `${all.source}: ${error.problems[0].message}`)]);
    }
  }
  const dataset: Dataset = { source: all.source, features: all.features, target: all.target, d, train, validation, skipped: all.skipped, standardization };
  if (all.delimiter !== undefined) dataset.delimiter = all.delimiter;
  return dataset;
}
