import { availableParallelism } from 'node:os';
import { blockStates, generator } from '../random/rng.js';
import { forkJoin } from '../threads/fork.js';
import type { SyntheticData } from '../config/types.js';
import { rowArray } from './rows.js';

/**
 * Rows are generated in fixed blocks, each from its own sub-stream of the seed's `synthetic` stream
 * (src/random/rng.ts `blockStates`), so the rows are the same whichever thread makes each block.
 */
export const BLOCK_ROWS = 65_536;

/** Below this many blocks, a worker thread's start-up costs more than the blocks it would make. */
export const PARALLEL_MIN_BLOCKS = 4;

interface BlockInput {
  /** The source of pure-rand's generator class: the workers run the same generator from a block's state. */
  generatorClass: string;
  /** Per block: the generator state its rows start from. */
  states: number[][];
  /** The next block to make: each thread takes blocks from it until none are left. */
  nextBlock: Int32Array;
  blockRows: number;
  n: number;
  d: number;
  weights: Float64Array;
  bias: number;
  noise: number;
  x: Float64Array;
  y: Float64Array;
}

/**
 * Makes blocks into x and y until none are left (a thread that starts late or runs slower takes
 * fewer); returns how many it made. Self-contained, since worker threads run its source
 * (src/threads/fork.ts). Within a block the draws go: every feature of every row (row-major, as in
 * x), then, when there is noise, one noise value per row.
 *
 * Normals come from Marsaglia and Tsang's ziggurat (J. Stat. Software 5(8), 2000; numpy, Julia and
 * Go draw normals with ziggurats too), with their 128 layers and tables. 99% of draws cost a
 * multiply, a compare and 1¼ 32-bit outputs of the generator: the magnitude and sign take one, and
 * one output gives the layers of 4 draws from its high 28 bits (xoroshiro128+'s lowest bits are its
 * weakest, and the classic version's layer bits, shared with the magnitude, correlate the two). The
 * polar method needs a logarithm and a square root per pair, Box–Muller also a sine and a cosine,
 * and those cost more than the draws themselves.
 */
export function generateBlocks(part: number, input: BlockInput): number {
  const { states, blockRows, n, d, weights, bias, noise, x, y } = input;
  type Generator = { next(): number };
  // pure-rand's xoroshiro128plusFromState(state) is `new XoroShiro128Plus(...state)`. The class is
  // rebuilt once per thread: a new class each call would make the compiled code here start over.
  const built = globalThis as { neuronTuiSyntheticGenerator?: { source: string; Generator: new (...state: number[]) => Generator } };
  if (built.neuronTuiSyntheticGenerator?.source !== input.generatorClass) {
    const Rebuilt = new Function(`return (${input.generatorClass})`)() as new (...state: number[]) => Generator;
    built.neuronTuiSyntheticGenerator = { source: input.generatorClass, Generator: Rebuilt };
  }
  const Generator = built.neuronTuiSyntheticGenerator!.Generator;

  // The ziggurat's tables, as Marsaglia and Tsang's zigset: layer i spans [0, x_i] under the density
  // f(x) = exp(−x²/2), every layer of area V; layer 0 is the base strip with the tail beyond R.
  const M = 2 ** 31;
  const R = 3.442619855899;
  const V = 9.91256303526217e-3;
  const kn = new Float64Array(128); // |j| < kn[i]: the draw is inside layer i's rectangle
  const wn = new Float64Array(128); // x = j · wn[i]
  const fn = new Float64Array(128); // f(x_i)
  let dn = R;
  let tn = R;
  const q = V / Math.exp(-0.5 * dn * dn);
  kn[0] = Math.trunc((dn / q) * M);
  kn[1] = 0;
  wn[0] = q / M;
  wn[127] = dn / M;
  fn[0] = 1;
  fn[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(V / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = Math.trunc((dn / tn) * M);
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / M;
  }

  /** Fills out[from, to) with standard normals drawn from `g`. */
  const normals = (g: Generator, out: Float64Array, from: number, to: number): void => {
    // Uniform in (0, 1], 53 bits, as pure-rand's uniformFloat64 builds them (for the rare slow paths).
    const uniform = (): number => 1 - ((g.next() & 0x3ffffff) * 2 ** -26 + (g.next() & 0x7ffffff) * 2 ** -53);
    let layers = 0;
    let left = 0;
    for (let k = from; k < to; k++) {
      for (;;) {
        if (left === 0) {
          layers = g.next();
          left = 4;
        }
        const i = layers >>> 25;
        layers <<= 7;
        left--;
        const j = g.next();
        const v = j * wn[i];
        if (Math.abs(j) < kn[i]) {
          out[k] = v;
          break;
        }
        if (i === 0) {
          // The tail beyond R, by Marsaglia's exponential rejection.
          let t: number;
          let e: number;
          do {
            t = -Math.log(uniform()) / R;
            e = -Math.log(uniform());
          } while (e + e < t * t);
          out[k] = j > 0 ? R + t : -R - t;
          break;
        }
        // The wedge between layer i's rectangle and the curve.
        if (fn[i] + (1 - uniform()) * (fn[i - 1] - fn[i]) < Math.exp(-0.5 * v * v)) {
          out[k] = v;
          break;
        }
      }
    }
  };
  const e = new Float64Array(noise > 0 ? blockRows : 0);
  let made = 0;
  for (let block = Atomics.add(input.nextBlock, 0, 1); block < states.length; block = Atomics.add(input.nextBlock, 0, 1), made++) {
    const g = new Generator(...states[block]);
    const start = block * blockRows;
    const end = Math.min(n, start + blockRows);
    normals(g, x, start * d, end * d);
    if (noise > 0) normals(g, e, 0, end - start);
    for (let i = start; i < end; i++) {
      // y = relu(w·x + b) + noise·ε
      const row = i * d;
      let z = bias;
      for (let j = 0; j < d; j++) z += weights[j] * x[row + j];
      y[i] = noise > 0 ? Math.max(0, z) + noise * e[i - start] : Math.max(0, z);
    }
  }
  return made;
}

/**
 * Generated rows: x ~ N(0, 1) per feature, y = relu(w·x + b) + noise·N(0, 1). Blocks of rows are
 * shared out over up to `threads` threads; the rows depend only on the spec and the seed.
 */
export function syntheticRows(spec: SyntheticData, seed: number, threads: number = availableParallelism()): { x: Float64Array; y: Float64Array; rows: number } {
  const d = spec.weights.length;
  const n = spec.samples;
  const blocks = Math.ceil(n / BLOCK_ROWS);
  const streamSeed = spec.seed ?? seed;
  const count = blocks < PARALLEL_MIN_BLOCKS ? 1 : Math.max(1, Math.min(threads, blocks));
  const input: BlockInput = {
    generatorClass: generator(streamSeed, 'synthetic').constructor.toString(),
    states: blockStates(streamSeed, 'synthetic', blocks),
    nextBlock: new Int32Array(new SharedArrayBuffer(4)),
    blockRows: BLOCK_ROWS,
    n,
    d,
    weights: Float64Array.from(spec.weights),
    bias: spec.bias,
    noise: spec.noise,
    x: rowArray(n * d),
    y: rowArray(n),
  };
  const made = forkJoin(generateBlocks, input, count).reduce((sum, blocks) => sum + blocks, 0);
  // Every block exactly once (the threads share one counter): anything else is a bug, never data.
  if (made !== blocks) throw new Error(`synthetic rows: ${made} blocks made, ${blocks} expected`);
  return { x: input.x, y: input.y, rows: n };
}
