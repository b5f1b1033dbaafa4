import { describe, expect, it } from 'vitest';
import { ACTIVE, DB, DW, fusedPass, fusedPassOrdered, gradientFromSums, lossPass, passSums, SSE } from '../../src/neuron/pass.js';
import { rng } from '../../src/random/rng.js';

/** C(w, b) = (1/N) Σ (y_i − max(0, w·x_i + b))², straight from the definition. */
function cost(x: Float64Array, y: Float64Array, d: number, w: Float64Array, b: number): number {
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    let z = b;
    for (let j = 0; j < d; j++) z += w[j] * x[i * d + j];
    total += (y[i] - Math.max(0, z)) ** 2;
  }
  return total / y.length;
}

function analytic(x: Float64Array, y: Float64Array, d: number, w: Float64Array, b: number): { dw: Float64Array; db: number; loss: number } {
  const sums = passSums(d);
  fusedPass(x, y, d, 0, y.length, w, b, sums);
  const dw = new Float64Array(d);
  const db = gradientFromSums(sums, y.length, dw);
  return { dw, db, loss: sums[SSE] / y.length };
}

function minAbsZ(x: Float64Array, d: number, n: number, w: Float64Array, b: number): number {
  let least = Infinity;
  for (let i = 0; i < n; i++) {
    let z = b;
    for (let j = 0; j < d; j++) z += w[j] * x[i * d + j];
    least = Math.min(least, Math.abs(z));
  }
  return least;
}

describe("fused pass: the seed's gradients", () => {
  it('match a tiny hand-worked example', () => {
    // Row 1: z = 0.5·1 + 1·2 − 1 = 1.5 (active); row 2: z = 0.5·3 − 1 − 1 = −0.5 (inactive).
    const x = Float64Array.from([1, 2, 3, -1]);
    const y = Float64Array.from([1, 2]);
    const { dw, db, loss } = analytic(x, y, 2, Float64Array.from([0.5, 1]), -1);
    expect(loss).toBeCloseTo(((1 - 1.5) ** 2 + (2 - 0) ** 2) / 2, 15); // 2.125
    expect(Array.from(dw)).toEqual([0.5, 1]); // (2/2)·(1.5 − 1)·[1, 2]
    expect(db).toBe(0.5); //                     (2/2)·(1.5 − 1)
  });

  it("treat z = 0 as inactive (relu'(0) = 0)", () => {
    const sums = passSums(1);
    fusedPass(Float64Array.from([1]), Float64Array.from([3]), 1, 0, 1, Float64Array.from([1]), -1, sums);
    expect(sums[ACTIVE]).toBe(0);
    expect(sums[DB]).toBe(0);
    expect(sums[DW]).toBe(0);
    expect(sums[SSE]).toBe(9);
  });

  it('are exactly zero when every row is inactive', () => {
    const r = rng(3, 'init');
    const d = 5;
    const x = Float64Array.from({ length: 40 * d }, () => r.normal());
    const y = Float64Array.from({ length: 40 }, () => r.normal());
    const { dw, db } = analytic(x, y, d, new Float64Array(d), -0.5);
    expect(db).toBe(0);
    expect(Array.from(dw).every((v) => v === 0)).toBe(true);
  });

  for (const d of [1, 2, 5, 16, 33]) {
    it(`equal central finite differences of the loss for d = ${d}`, () => {
      const r = rng(100 + d, 'init');
      const n = 60;
      const x = Float64Array.from({ length: n * d }, () => r.normal());
      const y = Float64Array.from({ length: n }, () => 2 * r.normal());
      let checked = 0;
      for (let trial = 0; trial < 20 && checked < 5; trial++) {
        const w = Float64Array.from({ length: d }, () => r.normal());
        const b = r.normal();
        const h = 1e-6;
        // Away from the kink: no row's z may cross 0 within the finite-difference step.
        const reach = h * (1 + Math.sqrt(d) * 10);
        if (minAbsZ(x, d, n, w, b) < 100 * reach) continue;
        checked++;
        const { dw, db } = analytic(x, y, d, w, b);
        const numeric = (shift: (wp: Float64Array, s: number) => number): number => {
          const wp = Float64Array.from(w);
          const up = shift(wp, h);
          const cUp = cost(x, y, d, wp, up);
          wp.set(w);
          const down = shift(wp, -h);
          return (cUp - cost(x, y, d, wp, down)) / (2 * h);
        };
        const relative = (a: number, b2: number): number => Math.abs(a - b2) / Math.max(1e-8, Math.abs(a) + Math.abs(b2));
        for (let j = 0; j < d; j++) {
          const num = numeric((wp, s) => {
            wp[j] += s;
            return b;
          });
          expect(relative(dw[j], num)).toBeLessThan(1e-6);
        }
        expect(
          relative(
            db,
            numeric((_, s) => b + s),
          ),
        ).toBeLessThan(1e-6);
      }
      expect(checked).toBeGreaterThan(0);
    });
  }

  it('adds up over parts: two halves give the sums of the whole', () => {
    const r = rng(9, 'init');
    const d = 3;
    const n = 50;
    const x = Float64Array.from({ length: n * d }, () => r.normal());
    const y = Float64Array.from({ length: n }, () => r.normal());
    const w = Float64Array.from([0.3, -0.2, 0.5]);
    const whole = passSums(d);
    fusedPass(x, y, d, 0, n, w, 0.1, whole);
    const halves = passSums(d);
    fusedPass(x, y, d, 0, 20, w, 0.1, halves);
    fusedPass(x, y, d, 20, n, w, 0.1, halves);
    for (let k = 0; k < whole.length; k++) expect(halves[k]).toBeCloseTo(whole[k], 12);
  });

  it('ordered pass over the identity order equals the contiguous pass', () => {
    const r = rng(10, 'init');
    const d = 4;
    const n = 30;
    const x = Float64Array.from({ length: n * d }, () => r.normal());
    const y = Float64Array.from({ length: n }, () => r.normal());
    const w = Float64Array.from([0.3, -0.2, 0.5, 0.1]);
    const a = passSums(d);
    const b = passSums(d);
    fusedPass(x, y, d, 5, 25, w, 0.2, a);
    fusedPassOrdered(
      x,
      y,
      d,
      Uint32Array.from({ length: n }, (_, i) => i),
      5,
      25,
      w,
      0.2,
      b,
    );
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('lossPass agrees with the fused pass and the definition', () => {
    const r = rng(11, 'init');
    const d = 3;
    const n = 25;
    const x = Float64Array.from({ length: n * d }, () => r.normal());
    const y = Float64Array.from({ length: n }, () => r.normal());
    const w = Float64Array.from([1, -1, 0.5]);
    const { loss } = analytic(x, y, d, w, 0.1);
    expect(lossPass(x, y, d, n, w, 0.1).loss).toBeCloseTo(loss, 14);
    expect(loss).toBeCloseTo(cost(x, y, d, w, 0.1), 14);
  });
});
