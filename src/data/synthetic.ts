import { availableParallelism } from 'node:os';
import type { SyntheticData } from '../config/types.js';
import { forkJoin } from '../threads/fork.js';
import { rowArray } from './rows.js';

/**
 * Rows are generated in fixed blocks of BLOCK_ROWS, each from its own random stream seeded by
 * (seed, block index): the data depend on the seed only, never on how many threads made them.
 */
export const BLOCK_ROWS = 16_384;
/** Below this many cells (rows × (features + 1)) a worker's start-up (tens of ms) costs more than it saves. */
const PARALLEL_MIN_CELLS = 1 << 21;

interface BlocksInput {
  x: Float64Array;
  y: Float64Array;
  n: number;
  d: number;
  weights: number[];
  bias: number;
  noise: number;
  seedLow: number;
  seedHigh: number;
  parts: number;
  /** BLOCK_ROWS (passed, as the function runs where this module's constants are not). */
  block: number;
}

/**
 * Fills part `part` of `parts` (a contiguous run of blocks): x ~ N(0, 1), y = relu(w·x + b) + noise·N(0, 1),
 * each row's features then its noise drawn in order from its block's stream. Self-contained, as
 * worker threads run its source (src/threads/fork.ts).
 *
 * The stream is sfc32 (Chris Doty-Humphrey's small fast counter generator, 32-bit state words),
 * seeded through murmur3's finaliser; normals come from Marsaglia and Tsang's ziggurat (128 layers,
 * "The Ziggurat Method for Generating Random Variables", J. Stat. Softw. 5(8), 2000), which needs
 * a logarithm only in about 1% of draws.
 */
export function fillSyntheticBlocks(part: number, input: BlocksInput): number {
  const { x, y, n, d, weights, bias, noise, seedLow, seedHigh, parts, block: BLOCK } = input;
  const blocks = Math.ceil(n / BLOCK);
  const firstBlock = Math.floor((blocks * part) / parts);
  const endBlock = Math.floor((blocks * (part + 1)) / parts);

  // Ziggurat tables (Marsaglia & Tsang's setup of kn, wn, fn for 128 layers).
  const kn = new Int32Array(128); // every kn[i] < 2^31: int32 compares in the hot loop
  const wn = new Float64Array(128);
  const fn = new Float64Array(128);
  const m1 = 2147483648;
  let dn = 3.442619855899;
  let tn = dn;
  const vn = 9.91256303526217e-3;
  const q = vn / Math.exp(-0.5 * dn * dn);
  kn[0] = Math.floor((dn / q) * m1);
  kn[1] = 0;
  wn[0] = q / m1;
  wn[127] = dn / m1;
  fn[0] = 1;
  fn[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = Math.floor((dn / tn) * m1);
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / m1;
  }

  const fmix = (h: number): number => {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) | 0;
  };
  // The stream's state [a, b, c, counter], kept in locals inside the hot loop.
  const state = new Int32Array(4);
  const next = (): number => {
    const [a, b, c, counter] = state;
    const t = (((a + b) | 0) + counter) | 0;
    state[3] = (counter + 1) | 0;
    state[0] = b ^ (b >>> 9);
    state[1] = (c + (c << 3)) | 0;
    state[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    return t; // a signed 32-bit integer
  };
  /** Uniform in (0, 1). */
  const uniform = (): number => ((next() >>> 0) + 0.5) / 4294967296;
  /** The ziggurat's slow path for a first draw `hz` that fell outside its layer's rectangle. */
  const slowNormal = (first: number): number => {
    let hz = first;
    let iz = hz & 127;
    for (;;) {
      const r = 3.442619855899;
      const v = hz * wn[iz];
      if (iz === 0) {
        // the base strip's tail beyond r
        let tail: number;
        let height: number;
        do {
          tail = -Math.log(uniform()) / r;
          height = -Math.log(uniform());
        } while (height + height < tail * tail);
        return hz > 0 ? r + tail : -r - tail;
      }
      if (fn[iz] + uniform() * (fn[iz - 1] - fn[iz]) < Math.exp(-0.5 * v * v)) return v; // under the curve in the wedge
      hz = next();
      iz = hz & 127;
      if (Math.abs(hz) < kn[iz]) return hz * wn[iz];
    }
  };
  const pending = new Int32Array(BLOCK * (d + 1));
  /**
   * out[from..to) ← N(0, 1): the ziggurat's fast path inline (one draw, one compare, one multiply),
   * the rare other draws deferred to slowNormal, which continues the same stream afterwards.
   */
  const fillNormals = (out: Float64Array, from: number, to: number): void => {
    let [a, b, c, counter] = state;
    let waiting = 0;
    for (let k = from; k < to; k++) {
      const t = (((a + b) | 0) + counter) | 0;
      counter = (counter + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
      const iz = t & 127;
      if (Math.abs(t) < kn[iz]) out[k] = t * wn[iz];
      else {
        out[k] = t;
        pending[waiting++] = k;
      }
    }
    state[0] = a;
    state[1] = b;
    state[2] = c;
    state[3] = counter;
    for (let p = 0; p < waiting; p++) out[pending[p]] = slowNormal(out[pending[p]]);
  };

  const noiseDraws = new Float64Array(BLOCK);
  for (let block = firstBlock; block < endBlock; block++) {
    state[0] = fmix(seedLow ^ 0x4a6c8ea3);
    state[1] = fmix(state[0] ^ seedHigh ^ Math.imul(block + 1, 0x9e3779b1));
    state[2] = fmix(state[1] ^ block);
    state[3] = 1;
    for (let k = 0; k < 12; k++) next();
    const start = block * BLOCK;
    const end = Math.min(n, start + BLOCK);
    // The block's features first, then its rows' noise.
    fillNormals(x, start * d, end * d);
    if (noise > 0) fillNormals(noiseDraws, 0, end - start);
    for (let i = start; i < end; i++) {
      let z = bias;
      const row = i * d;
      for (let j = 0; j < d; j++) z += weights[j] * x[row + j]; // z_i = w·x_i + b
      y[i] = Math.max(0, z) + (noise > 0 ? noise * noiseDraws[i - start] : 0);
    }
  }
  return endBlock - firstBlock;
}

/**
 * Generated rows: x ~ N(0, 1) per feature, y = relu(w·x + b) + noise·N(0, 1). The same seed gives
 * the same rows whatever `threads` is; large sets are generated on `threads` threads.
 */
export function syntheticRows(spec: SyntheticData, seed: number, threads = availableParallelism()): { x: Float64Array; y: Float64Array; rows: number } {
  const d = spec.weights.length;
  const n = spec.samples;
  const s = spec.seed ?? seed;
  const x = rowArray(n * d);
  const y = rowArray(n);
  const blocks = Math.ceil(n / BLOCK_ROWS);
  const parts = n * (d + 1) >= PARALLEL_MIN_CELLS ? Math.max(1, Math.min(threads, blocks)) : 1;
  const input: BlocksInput = { x, y, n, d, weights: spec.weights, bias: spec.bias, noise: spec.noise, seedLow: s | 0, seedHigh: Math.floor(s / 2 ** 32) | 0, parts, block: BLOCK_ROWS };
  forkJoin(fillSyntheticBlocks, input, parts);
  return { x, y, rows: n };
}
