import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { standardize } from '../../src/data/standardize.js';

function part(rows: number[][]): { x: Float64Array; n: number } {
  return { x: Float64Array.from(rows.flat()), n: rows.length };
}

describe('standardize', () => {
  it("leaves a constant column exactly 0 (the issue's repro: x1, c = 0.1, y)", () => {
    // 0.1 + 0.1 + 0.1 is 0.30000000000000004: a running mean is one ulp off and used to give ±1 here.
    const train = part([
      [1, 0.1],
      [2, 0.1],
      [3, 0.1],
    ]);
    const stats = standardize(train, null, 2, ['x1', 'c'], 'f.csv');
    expect(stats).toEqual({ mean: [2, 0.1], std: [Math.sqrt(2 / 3), 1] });
    expect([train.x[1], train.x[3], train.x[5]]).toEqual([0, 0, 0]);
    expect(train.x[0]).toBeCloseTo(-1 / Math.sqrt(2 / 3), 15);
  });

  it('centres validation rows of a constant feature by the training value only', () => {
    const train = part([[5], [5]]);
    const validation = part([[7]]);
    standardize(train, validation, 1, ['c'], 'f.csv');
    expect(validation.x[0]).toBe(2);
  });

  it('uses the population standard deviation of the training rows, also for validation rows', () => {
    const train = part([[1], [3]]);
    const validation = part([[5]]);
    expect(standardize(train, validation, 1, ['x'], 'f.csv')).toEqual({ mean: [2], std: [1] });
    expect(Array.from(train.x)).toEqual([-1, 1]);
    expect(validation.x[0]).toBe(3);
  });

  it('refuses statistics that are not finite, naming the column', () => {
    expect(() => standardize(part([[1], [NaN]]), null, 1, ['x'], 'f.csv')).toThrow(InputError);
    expect(() => standardize(part([[1], [NaN]]), null, 1, ['x'], 'f.csv')).toThrow(/cannot standardize column "x"/);
  });

  it('any finite column survives without NaN, its z-scores bounded (mean 0 and std 1 where the spread is resolvable)', () => {
    const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(1.7976931348623157e308, -1.7976931348623157e308, 5e-324, 0.1));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 40 }), (column) => {
        const train = part(column.map((v) => [v]));
        const stats = standardize(train, null, 1, ['x'], 'f.csv');
        expect(Number.isFinite(stats.mean[0]) && Number.isFinite(stats.std[0]) && stats.std[0] > 0).toBe(true);
        const z = Array.from(train.x);
        expect(z.every(Number.isFinite)).toBe(true);
        if (new Set(column).size === 1) {
          expect(z.every((v) => v === 0)).toBe(true);
          return;
        }
        const largest = Math.max(...column.map(Math.abs));
        // No z-score exceeds √n (Samuelson's inequality), up to rounding: the mean itself is rounded
        // to a double, by up to an ulp of the largest value, which matters when the spread is a few ulps.
        const rounding = 1e-6 + (2 * Number.EPSILON * largest) / stats.std[0];
        expect(z.every((v) => Math.abs(v) <= Math.sqrt(z.length) + rounding)).toBe(true);
        const spread = Math.max(...column) - Math.min(...column);
        // Where the spread is many ulps of the largest value (and not subnormal), the z-scores have mean 0 and variance 1.
        if (Number.isFinite(spread) && spread / largest > 1e-6 && spread > 2 ** -1000) {
          const mean = z.reduce((s, v) => s + v, 0) / z.length;
          const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
          expect(Math.abs(mean)).toBeLessThan(1e-9);
          expect(variance).toBeCloseTo(1, 9);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('matches a straightforward two-pass computation on ordinary data', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 50 }), (column) => {
        fc.pre(new Set(column).size > 1);
        const n = column.length;
        const mean = column.reduce((s, v) => s + v, 0) / n;
        const std = Math.sqrt(column.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
        fc.pre(std > 1e-6);
        const stats = standardize(part(column.map((v) => [v])), null, 1, ['x'], 'f.csv');
        expect(stats.mean[0]).toBeCloseTo(mean, 6);
        expect(stats.std[0] / std).toBeCloseTo(1, 10);
      }),
      { numRuns: 500 },
    );
  });
});
