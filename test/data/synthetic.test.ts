import { totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { loadDataset } from '../../src/data/dataset.js';
import { InputError } from '../../src/errors.js';
import { BLOCK_ROWS, PARALLEL_MIN_BLOCKS, syntheticRows } from '../../src/data/synthetic.js';

/** Standard normal CDF, Φ(x) = erfc(−x/√2)/2, with Numerical Recipes' erfc (fractional error < 1.2e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(-z * z + poly);
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

describe('synthetic rows', () => {
  const spec = { samples: 50_000, weights: [1, -2, 0.5, 3, 1, 0, 0.25], bias: 0.2, noise: 0.1 };
  const d = spec.weights.length;

  it('follow the seed: another seed gives other rows, and spec.seed wins over the run seed', () => {
    const a = syntheticRows(spec, 1);
    expect(syntheticRows(spec, 2).x[0]).not.toBe(a.x[0]);
    expect(Array.from(syntheticRows({ ...spec, seed: 1 }, 99).x.subarray(0, 50))).toEqual(Array.from(a.x.subarray(0, 50)));
  });

  it('are the same on 1, 2 and 3 threads, bit for bit, and each block depends only on the seed and its index', () => {
    // Past PARALLEL_MIN_BLOCKS, with a last block cut short, so that 2 and 3 threads share the blocks out.
    const samples = Math.max(PARALLEL_MIN_BLOCKS, 5) * BLOCK_ROWS - 12_345;
    const big = { samples, weights: [0.5, -1, 2], bias: 0.1, noise: 0.3 };
    const one = syntheticRows(big, 3, 1);
    for (const threads of [2, 3]) {
      const other = syntheticRows(big, 3, threads);
      expect(Buffer.from(other.x.buffer, other.x.byteOffset, other.x.byteLength).equals(Buffer.from(one.x.buffer, one.x.byteOffset, one.x.byteLength))).toBe(
        true,
      );
      expect(Buffer.from(other.y.buffer, other.y.byteOffset, other.y.byteLength).equals(Buffer.from(one.y.buffer, one.y.byteOffset, one.y.byteLength))).toBe(
        true,
      );
    }
    // Fewer rows: their whole blocks are the same rows.
    const fewer = syntheticRows({ ...big, samples: 2 * BLOCK_ROWS }, 3, 1);
    expect(Array.from(fewer.x)).toEqual(Array.from(one.x.subarray(0, 2 * BLOCK_ROWS * 3)));
    expect(Array.from(fewer.y)).toEqual(Array.from(one.y.subarray(0, 2 * BLOCK_ROWS)));
  });

  it('have standard normal features (Kolmogorov–Smirnov, tails, no correlation between neighbours)', () => {
    const { x } = syntheticRows({ samples: 250_000, weights: [1, 1, 1, 1], bias: 0, noise: 0 }, 11, 2);
    const m = x.length;
    let sum = 0;
    let squares = 0;
    let lagged = 0;
    let beyond2 = 0;
    let beyondR = 0;
    let tailSum = 0;
    for (let k = 0; k < m; k++) {
      const v = x[k];
      sum += v;
      squares += v * v;
      if (k > 0) lagged += v * x[k - 1];
      if (Math.abs(v) > 2) beyond2++;
      if (Math.abs(v) > 3.442619855899) {
        beyondR++; // the ziggurat's tail
        tailSum += Math.abs(v);
      }
    }
    expect(Math.abs(sum / m)).toBeLessThan(5 / Math.sqrt(m));
    expect(Math.abs(squares / m - 1)).toBeLessThan(0.01);
    expect(Math.abs(lagged / m)).toBeLessThan(5 / Math.sqrt(m));
    const sigma = (p: number): number => Math.sqrt(p * (1 - p) * m);
    expect(Math.abs(beyond2 - 0.0455003 * m)).toBeLessThan(5 * sigma(0.0455003)); // P(|Z| > 2)
    const pR = 2 * normalCdf(-3.442619855899);
    expect(Math.abs(beyondR - pR * m)).toBeLessThan(5 * sigma(pR));
    // Beyond R the mean of |Z| is φ(R)/(1 − Φ(R)) (its spread there is about 1/R).
    const R = 3.442619855899;
    const tailMean = Math.exp((-R * R) / 2) / Math.sqrt(2 * Math.PI) / normalCdf(-R);
    expect(Math.abs(tailSum / beyondR - tailMean)).toBeLessThan(5 / R / Math.sqrt(beyondR));
    // Kolmogorov–Smirnov against Φ: D below its 0.1% critical value 1.95/√m.
    const sorted = Float64Array.from(x).sort();
    let D = 0;
    for (let k = 0; k < m; k++) {
      const F = normalCdf(sorted[k]);
      D = Math.max(D, Math.abs((k + 1) / m - F), Math.abs(F - k / m));
    }
    expect(D).toBeLessThan(1.95 / Math.sqrt(m));
  });

  it('have y = relu(w·x + b) exactly without noise, and noise·N(0, 1) added with it', () => {
    const exact = syntheticRows({ ...spec, noise: 0 }, 7);
    for (const i of [0, 1, exact.rows - 1]) {
      let z = spec.bias;
      for (let j = 0; j < d; j++) z += spec.weights[j] * exact.x[i * d + j];
      expect(exact.y[i]).toBe(Math.max(0, z));
    }
    const noisy = syntheticRows({ ...spec, noise: 0.5 }, 7);
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < noisy.rows; i++) {
      let z = spec.bias;
      for (let j = 0; j < d; j++) z += spec.weights[j] * noisy.x[i * d + j];
      const e = (noisy.y[i] - Math.max(0, z)) / 0.5;
      sum += e;
      squares += e * e;
    }
    expect(Math.abs(sum / noisy.rows)).toBeLessThan(5 / Math.sqrt(noisy.rows));
    expect(Math.abs(squares / noisy.rows - 1)).toBeLessThan(0.03);
  });
});

describe('synthetic rows that would not fit in memory', () => {
  it('count the copies shuffled mini-batches move the rows into, and are refused before any is made', () => {
    // One copy of these rows fits in half the memory, the rows plus the shuffle's copy do not.
    const samples = Math.floor((0.75 * (totalmem() / 2)) / (17 * 8));
    const config = (batch: string) =>
      loadConfigText(
        'c.yaml',
        `data: {synthetic: {samples: ${samples}, weights: [${new Array(16).fill(1).join(', ')}]}}\nlearning_rate: 0.1\nepochs: 1\nbatch_size: ${batch}\n`,
      );
    let refused: unknown;
    try {
      loadDataset(config('4096'), process.cwd(), { threads: 1 });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(InputError);
    expect((refused as InputError).problems[0].message).toMatch(
      new RegExp(
        `^${samples} rows of 16 features need [\\d.]+ GiB of memory \\(with the copies that shuffled mini-batches move the rows into\\), more than half`,
      ),
    );
  });
});
