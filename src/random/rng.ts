import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

/**
 * Every random choice is drawn from its own named stream derived from the config's seed, so that
 * adding a validation split does not change the initial weights, and so on.
 */
export type Stream = 'init' | 'split' | 'shuffle' | 'synthetic';

const STREAM_SALT: Record<Stream, number> = { init: 0x1f3d5b79, split: 0x2c4e6a88, shuffle: 0x3b5d7f91, synthetic: 0x4a6c8ea3 };

export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Uniform integer in [from, to], both included. */
  int(from: number, to: number): number;
}

/**
 * The stream's pure-rand generator itself (its `next()` advances it in place), for loops that draw
 * millions of numbers (src/random/permutation.ts, src/data/synthetic.ts).
 */
export function generator(seed: number, stream: Stream): JumpableRandomGenerator {
  // Mix seed and stream so neighbouring seeds do not give neighbouring states.
  const high = Math.floor(seed / 2 ** 32) | 0; // seeds beyond 32 bits still matter
  return xoroshiro128plus((Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(high, 0x85ebca6b) ^ STREAM_SALT[stream]) | 0);
}

/**
 * The states of `count` independent sub-streams of a stream, one per fixed block of work: sub-stream
 * k is the stream jumped k times (each jump skips 2^64 draws, so the blocks never overlap). Work cut
 * into such blocks gives the same numbers whichever thread draws each block.
 */
export function blockStates(seed: number, stream: Stream, count: number): number[][] {
  const gen = generator(seed, stream);
  const states: number[][] = [];
  for (let k = 0; k < count; k++) {
    states.push([...gen.getState()]);
    gen.jump();
  }
  return states;
}

export function rng(seed: number, stream: Stream): Rng {
  const gen = generator(seed, stream);
  let spare: number | null = null;
  const uniform = (): number => uniformFloat64(gen);
  return {
    uniform,
    // Box–Muller: two uniforms give two independent normals; keep the second for the next call.
    normal(): number {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      const u1 = 1 - uniform(); // in (0, 1], so log(u1) is finite
      const u2 = uniform();
      const r = Math.sqrt(-2 * Math.log(u1));
      spare = r * Math.sin(2 * Math.PI * u2);
      return r * Math.cos(2 * Math.PI * u2);
    },
    int: (from, to) => uniformInt(gen, from, to),
  };
}

/** Fisher–Yates shuffle of `order` in place. */
export function shuffleInPlace(order: Uint32Array, r: Rng): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}
