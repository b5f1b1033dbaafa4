import { InputError } from '../errors.js';
import { shownName } from './csv.js';

/** Training-set statistics of each feature, as saved with the weights. */
export interface Standardization {
  mean: number[];
  /** Population standard deviation; 1 for a constant feature, which is centred only. */
  std: number[];
}

interface Part {
  x: Float64Array;
  n: number;
}

/** A power of two that brings a column's largest magnitude near 1, or 1 when no scaling is needed. */
function powerOfTwoScale(largest: number): number {
  // Scaling by a power of two is exact, so ordinary columns (|x| within 2^±500) keep their bits.
  if ((largest < 2 ** 500 && largest > 2 ** -500) || !(largest > 0 && Number.isFinite(largest))) return 1;
  // 2^1024 is not a double: the largest values scale to at most 2.
  return 2 ** Math.min(1023, Math.ceil(Math.log2(largest)));
}

/**
 * Z-scores features in place with the training rows' statistics (population std).
 *
 * Two passes, with the mean corrected by the mean deviation (Σ(x − m)² = Σ(x − x̄)² + n(m − x̄)²),
 * on each column scaled by a power of two so that values near ±1.8e308 cannot overflow the sums.
 * A column whose training values are all equal has zero variance: it is only centred (its std is
 * saved as 1), and exactly, so it is 0 on every training row (also a column whose spread is below
 * the smallest normal double, 2.2e-308). Statistics that are not finite (a
 * value that is not a number) are a data error naming the column.
 */
export function standardize(train: Part, validation: Part | null, d: number, names: readonly string[], where: string): Standardization {
  const { x, n } = train;
  const min = new Array<number>(d).fill(Infinity);
  const max = new Array<number>(d).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j];
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  }
  const scale = min.map((lo, j) => powerOfTwoScale(Math.max(Math.abs(lo), Math.abs(max[j]))));
  // NaN fails every comparison, so it would not show in min and max: look for it.
  const finite = new Array<boolean>(d).fill(true);
  for (let k = 0; k < n * d; k++) if (!Number.isFinite(x[k])) finite[k % d] = false;
  const constant = min.map((lo, j) => lo === max[j] && finite[j]);
  const mean = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / scale[j];
  for (let j = 0; j < d; j++) mean[j] = constant[j] ? min[j] : mean[j] / n;
  const deviations = new Array<number>(d).fill(0);
  const squares = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const dev = x[i * d + j] / scale[j] - mean[j];
      deviations[j] += dev;
      squares[j] += dev * dev;
    }
  }
  const std = new Array<number>(d);
  for (let j = 0; j < d; j++) {
    if (constant[j]) {
      std[j] = 1;
      continue;
    }
    const correction = deviations[j] / n;
    mean[j] += correction;
    std[j] = Math.sqrt(Math.max(0, squares[j] / n - correction * correction));
    if (!(std[j] * scale[j] >= 2 ** -1022)) {
      // A spread among subnormal numbers has no usable std (it would save as 0): centre only.
      constant[j] = finite[j];
      mean[j] *= scale[j];
      std[j] = 1;
    }
  }
  const result = { mean: mean.map((m, j) => (constant[j] ? m : m * scale[j])), std: std.map((s, j) => (constant[j] ? 1 : s * scale[j])) };
  for (let j = 0; j < d; j++) {
    if (!finite[j] || !Number.isFinite(result.mean[j]) || !Number.isFinite(result.std[j])) {
      throw new InputError([
        { where, message: `cannot standardize column ${shownName(names[j])}: its mean or standard deviation over the training rows is not a finite number` },
      ]);
    }
  }
  for (const part of validation ? [train, validation] : [train]) {
    for (let i = 0; i < part.n; i++) {
      for (let j = 0; j < d; j++) {
        const k = i * d + j;
        // In scaled units, so that x − mean cannot overflow for values of opposite signs near the limit.
        part.x[k] = constant[j] ? part.x[k] - mean[j] : (part.x[k] / scale[j] - mean[j]) / std[j];
      }
    }
  }
  return result;
}
