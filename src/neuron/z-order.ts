/**
 * z_i = w·x_i + b computed in exactly the order of a pass kernel, so that an engine which
 * recomputes z for a few rows decides z > 0 exactly as that kernel would: near the kink the sign
 * of a rounded z depends on the order of the additions.
 */

/** How a kernel adds up w·x + b: `sequential` (fusedPass and the generated kernels), `simd` (kernel.wat). */
export type ZOrder = 'sequential' | 'simd';

/** b + w_0 x_0 + w_1 x_1 + … left to right, as fusedPass and generatedKernel do. */
export function zSequential(x: Float64Array, row: number, d: number, w: Float64Array, b: number): number {
  let z = b;
  for (let j = 0; j < d; j++) z += w[j] * x[row + j];
  return z;
}

/**
 * The f64x2 order of kernel.wat: lanes j ≡ 0, 1 (mod 4) in one accumulator and j ≡ 2, 3 in another,
 * a last pair into the first, the two accumulators added lane-wise, then b + (lane 0 + lane 1), then
 * an odd last feature.
 */
export function zSimd(x: Float64Array, row: number, d: number, w: Float64Array, b: number): number {
  const quads = d & ~3;
  const pairs = d & ~1;
  let l0 = 0;
  let l1 = 0;
  let l2 = 0;
  let l3 = 0;
  let j = 0;
  for (; j < quads; j += 4) {
    l0 += w[j] * x[row + j];
    l1 += w[j + 1] * x[row + j + 1];
    l2 += w[j + 2] * x[row + j + 2];
    l3 += w[j + 3] * x[row + j + 3];
  }
  if (j < pairs) {
    l0 += w[j] * x[row + j];
    l1 += w[j + 1] * x[row + j + 1];
  }
  let z = b + (l0 + l2 + (l1 + l3));
  if (pairs < d) z += w[pairs] * x[row + pairs];
  return z;
}

export function zFunction(order: ZOrder): typeof zSequential {
  return order === 'simd' ? zSimd : zSequential;
}
