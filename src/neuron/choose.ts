import type { Rows } from '../data/dataset.js';
import { generatedKernel, type Kernel } from './kernel.js';
import { PARALLEL_MIN_CELLS, ParallelKernel, SIMD_MIN_FEATURES } from './parallel.js';
import { engineKernel } from './screened.js';

/** What the run asks of its kernel; absent: the plain kernel (tests, tools that want the reference's sums). */
export interface KernelRequest {
  batchSize: 'full' | number;
  /** Threads the caller allows (the caller's own thread included). */
  threads: number;
  /** How full-batch epochs are computed (config `engine`; default `auto`). */
  engine?: 'auto' | 'pass' | 'screened';
  /** The run's epoch limit: `auto` does not start screening a run that is about to end. */
  epochs?: number;
}

export interface ChosenKernel {
  pass: Kernel;
  /** `js` (the generated pass on this thread), `simd`, or `threads` (with the per-thread pass). */
  mode: 'js' | 'simd' | 'threads';
  /** Stops the kernel's worker threads, if it has any. */
  close(): void;
}

/**
 * The one place that decides how an epoch's fused pass runs. Full batches get SIMD where there are
 * enough features and threads where there are enough cells (both measured by `npm run bench`);
 * mini-batches are short and in shuffled order, so they keep the trainer's ordered pass; everything
 * else gets the JavaScript pass generated for d, bit-identical to the reference fusedPass. A full
 * batch's pass is then wrapped by the screened engine where `engine` asks for it (src/neuron/screened.ts).
 */
export function chooseKernel(data: { train: Rows; d: number }, request?: KernelRequest): ChosenKernel {
  const plain: ChosenKernel = { pass: generatedKernel(data.d), mode: 'js', close: () => {} };
  if (!request) return plain;
  const { x, y, n } = data.train;
  const fullBatch = request.batchSize === 'full' || request.batchSize >= n;
  const threads = request.threads >= 2 && n * data.d >= PARALLEL_MIN_CELLS ? request.threads : 1;
  const simd = data.d >= SIMD_MIN_FEATURES;
  if (!fullBatch) return plain;
  const parallel = threads === 1 && !simd ? null : new ParallelKernel(x, y, data.d, threads, simd);
  const inner = parallel?.pass ?? plain.pass;
  const order = parallel?.mode === 'simd' ? 'simd' : 'sequential';
  const { kernel } = engineKernel(request.engine ?? 'auto', data.train, data.d, inner, { order, epochs: request.epochs });
  return {
    pass: kernel,
    mode: parallel === null ? 'js' : parallel.threads > 1 ? 'threads' : parallel.mode,
    close: () => parallel?.close(),
  };
}
