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
  /** How the latest pass of the kernel's own making ran (null: the plain kernel): for tests and the bench. */
  latest(): { simd: boolean; threads: number } | null;
}

/**
 * The one place that decides how a fused pass runs, for every row set a run passes (the training
 * rows, the validation rows, each mini-batch gathered into a buffer):
 *   SIMD    when there are at least SIMD_MIN_FEATURES features and the rows live in the arena
 *           (rows from a CSV, synthetic rows, both parts of a split, the trainer's batch buffer);
 *   threads when a pass covers at least PARALLEL_MIN_CELLS cells (rows × features): a full batch
 *           of 1e6 × 16 or a validation part of 2e5 × 16 does, a mini-batch of 4,096 × 16 does not;
 *   else    the JavaScript pass generated for d, bit-identical to the reference fusedPass.
 * Both thresholds are measured by `npm run bench`. A full batch's pass is then wrapped by the
 * screened engine where `engine` asks for it (src/neuron/screened.ts).
 */
export function chooseKernel(data: { train: Rows; validation?: Rows | null; d: number }, request?: KernelRequest): ChosenKernel {
  const plain: ChosenKernel = { pass: generatedKernel(data.d), mode: 'js', close: () => {}, latest: () => null };
  if (!request) return plain;
  const { x, y, n } = data.train;
  const d = data.d;
  const fullBatch = request.batchSize === 'full' || request.batchSize >= n;
  const threadsFor = (rows: number): number => (request.threads >= 2 && rows * d >= PARALLEL_MIN_CELLS ? request.threads : 1);
  // The longest pass of the run decides whether the pool starts threads at all.
  const longest = Math.max(fullBatch ? n : (request.batchSize as number), data.validation?.n ?? 0);
  const threads = threadsFor(longest);
  const simd = d >= SIMD_MIN_FEATURES;
  const parallel = threads === 1 && !simd ? null : new ParallelKernel(x, y, d, threads, simd, threadsFor);
  const inner = parallel?.pass ?? plain.pass;
  const mode: ChosenKernel['mode'] = parallel === null ? 'js' : parallel.threads > 1 ? 'threads' : parallel.mode;
  const common = { mode, close: () => parallel?.close(), latest: () => parallel?.latest ?? null };
  if (!fullBatch) return { pass: inner, ...common };
  const order = parallel?.mode === 'simd' ? 'simd' : 'sequential';
  const { kernel } = engineKernel(request.engine ?? 'auto', data.train, d, inner, { order, epochs: request.epochs, pool: parallel ?? undefined });
  return { pass: kernel, ...common };
}
