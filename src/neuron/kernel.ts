import { fusedPass } from './pass.js';

/** The fused pass over contiguous rows, as src/neuron/pass.ts defines it. */
export type Kernel = typeof fusedPass;

/** Up to this many features the generated kernel is fully unrolled; beyond, it loops over j. */
export const UNROLL_LIMIT = 64;

const list = (d: number, item: (j: number) => string, sep: string): string => Array.from({ length: d }, (_, j) => item(j)).join(sep);

/**
 * JavaScript source of the fused pass specialised for `d` features: weights and gradient sums in
 * local variables and the j-loop unrolled, so V8 keeps them in registers. It computes exactly what
 * `fusedPass` computes, in the same order (bit-identical sums); the reference stays readable,
 * this is its fast twin. The source is returned as text so worker threads can compile it too.
 */
export function kernelSource(d: number): string {
  if (d > UNROLL_LIMIT) {
    return `return function fusedPassLoop(x, y, d, start, end, w, b, out) {
  const g = new Float64Array(d);
  let sse = 0, active = 0, db = 0;
  for (let i = start, row = start * d; i < end; i++, row += d) {
    let z = b;
    for (let j = 0; j < d; j++) z += w[j] * x[row + j];
    const yi = y[i];
    if (z > 0) {
      const r = z - yi;
      sse += r * r; active++; db += r;
      for (let j = 0; j < d; j++) g[j] += r * x[row + j];
    } else sse += yi * yi;
  }
  out[0] += sse; out[1] += active; out[2] += db;
  for (let j = 0; j < d; j++) out[3 + j] += g[j];
};`;
  }
  return `return function fusedPass${d}(x, y, d, start, end, w, b, out) {
  const ${list(d, (j) => `w${j} = w[${j}]`, ', ')};
  let ${list(d, (j) => `g${j} = 0`, ', ')};
  let sse = 0, active = 0, db = 0;
  for (let i = start, row = start * ${d}; i < end; i++, row += ${d}) {
    const z = b${list(d, (j) => ` + w${j} * x[row${j ? ` + ${j}` : ''}]`, '')}; // z_i = w·x_i + b
    const yi = y[i];
    if (z > 0) {
      const r = z - yi; // z_i − y_i on an active row
      sse += r * r; active++; db += r;
      ${list(d, (j) => `g${j} += r * x[row${j ? ` + ${j}` : ''}];`, ' ')}
    } else sse += yi * yi; // a_i = 0
  }
  out[0] += sse; out[1] += active; out[2] += db;
  ${list(d, (j) => `out[${3 + j}] += g${j};`, ' ')}
};`;
}

const compiled = new Map<number, Kernel>();

/** The generated kernel for `d` features, compiled once per d and warmed up. */
export function generatedKernel(d: number): Kernel {
  let kernel = compiled.get(d);
  if (!kernel) {
    kernel = new Function(kernelSource(d))() as Kernel;
    warmUp(kernel, d);
    compiled.set(d, kernel);
  }
  return kernel;
}

/**
 * V8 sometimes de-optimised a fresh kernel on its first large call (2× slower runs); a few calls
 * on a few thousand rows first let it optimise on the real types.
 */
export function warmUp(kernel: Kernel, d: number): void {
  const rows = 2048;
  const x = new Float64Array(rows * d).map((_, k) => ((k * 7919) % 13) / 13 - 0.5);
  const y = new Float64Array(rows).map((_, i) => (i % 5) / 5);
  const w = new Float64Array(d).fill(0.1);
  const out = new Float64Array(3 + d);
  for (let k = 0; k < 3; k++) kernel(x, y, d, 0, rows, w, 0.05, out);
}
