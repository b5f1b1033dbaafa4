import { readCsvHeader, type CsvHeader } from '../data/csv.js';
import { openCsvFile, type CsvFile } from '../data/csv-file.js';
import type { Rows } from '../data/dataset.js';
import { applyStandardization, readWeightsFile } from '../data/saved-weights.js';
import { checkOutputs } from '../files/outputs.js';
import { writeWholeFile } from '../files/write.js';
import { InputError } from '../errors.js';
import { csvRow, formatNumber } from '../format.js';
import { totalSumOfSquares } from '../train/trainer.js';
import type { RunIo } from './run.js';

export interface PredictFlags {
  out?: string;
  json?: boolean;
}

/**
 * The rows' features (row-major) and target. Without a target column the reader, which always
 * reads one, takes the first feature as its target, and that column is put back in front.
 */
function readFeaturesAndTarget(csv: CsvFile, header: CsvHeader, features: number[], target: number | null, file: string): Rows {
  if (target !== null) {
    const numbers = csv.numbers(header, { features, target, missing: 'error' }, file);
    return { x: numbers.x, y: numbers.y, n: numbers.rows };
  }
  const d = features.length;
  const numbers = csv.numbers(header, { features: features.slice(1), target: features[0], missing: 'error' }, file);
  const n = numbers.rows;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    x[i * d] = numbers.y[i];
    x.set(numbers.x.subarray(i * (d - 1), (i + 1) * (d - 1)), i * d + 1);
  }
  return { x, y: new Float64Array(n), n };
}

/**
 * `neuron-tui predict WEIGHTS DATA.csv`: the saved neuron applied to every row, a = max(0, w·x̃ + b)
 * with x̃ the row's features (by name) standardized as in training. Writes the used columns and a
 * `prediction` column as CSV (or JSON lines); with the target column present, prints the loss, RMSE
 * and R² to stderr, computed as training computes them (the same sums in the same order).
 */
export function predictCommand(weightsFile: string, dataFile: string, flags: PredictFlags, io: RunIo): number {
  const saved = readWeightsFile(weightsFile, (message) => ({ where: weightsFile, message }));
  // Also without --out: `predict w.json d.csv >> d.csv` must not append to the data.
  const inputs = [
    { where: `the weights file ${weightsFile}`, path: weightsFile },
    { where: `the data file ${dataFile}`, path: dataFile },
  ];
  checkOutputs(inputs, flags.out ? [{ where: `--out ${flags.out}`, path: flags.out }] : []);
  const csv = openCsvFile(dataFile, (why) => {
    throw new InputError([{ where: dataFile, message: `cannot read the data file: ${why}` }]);
  });
  const header = readCsvHeader(csv.head, dataFile);
  const { names } = header;
  const missing = saved.features.filter((f) => !names.includes(f));
  if (missing.length) {
    throw new InputError([
      {
        where: `${dataFile}:1`,
        message: `the weights need the column${missing.length > 1 ? 's' : ''} ${missing.map((f) => `"${f}"`).join(', ')}, missing here; its columns are ${names.map((n) => `"${n}"`).join(', ')}`,
      },
    ]);
  }
  const features = saved.features.map((f) => names.indexOf(f));
  const hasTarget = names.includes(saved.target);
  const d = features.length;
  const { x, y, n } = readFeaturesAndTarget(csv, header, features, hasTarget ? names.indexOf(saved.target) : null, dataFile);
  const raw = Float64Array.from(x);
  if (saved.standardization) applyStandardization(x, d, saved.standardization);

  const prediction = new Float64Array(n);
  let sse = 0;
  for (let i = 0; i < n; i++) {
    let z = saved.bias; //                              z_i = w·x̃_i + b, in lossPass's order
    for (let j = 0; j < d; j++) z += saved.weights[j] * x[i * d + j];
    prediction[i] = z > 0 ? z : 0; //                 a_i = max(0, z_i)
    const r = y[i] - prediction[i];
    sse += r * r;
  }

  const columns = [...saved.features, ...(hasTarget ? [saved.target] : []), 'prediction'];
  const values = (i: number): number[] => [...raw.subarray(i * d, i * d + d), ...(hasTarget ? [y[i]] : []), prediction[i]];
  const line = (i: number): string => {
    const row = values(i);
    return flags.json ? JSON.stringify(Object.fromEntries(columns.map((c, k) => [c, row[k]]))) : row.join(',');
  };
  // In chunks of about 1 MiB, made as they are written: the output of a large file would pass the
  // longest string V8 can hold (~512 MiB) if it were one.
  function* text(): Generator<string> {
    let chunk = flags.json ? '' : `${csvRow(columns)}\n`;
    for (let i = 0; i < n; i++) {
      chunk += `${line(i)}\n`;
      if (chunk.length >= 1 << 20) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  if (flags.out) {
    writeWholeFile(flags.out, text(), `--out ${flags.out}`, 'write the predictions');
  } else {
    for (const chunk of text()) io.stdout.write(chunk);
  }

  if (hasTarget) {
    const sst = totalSumOfSquares(y, n);
    const loss = sse / n;
    const r2 = sst > 0 ? formatNumber(1 - sse / sst, 6) : '— (constant target)';
    io.stderr.write(`${dataFile}: ${n} rows, loss ${loss} (mean squared error), RMSE ${formatNumber(Math.sqrt(loss), 6)}, R² ${r2}\n`);
  }
  return 0;
}
