import type { InitConfig } from '../config/types.js';
import { rng } from '../random/rng.js';

export interface Parameters {
  w: Float64Array;
  b: number;
}

/**
 * Initial parameters from the config: exact values, or seeded normal / uniform weights. `init.from`
 * names a file: its parameters are read (readInitFrom) and handed to the trainer instead.
 */
export function initialParameters(init: InitConfig, d: number, seed: number): Parameters {
  if ('from' in init) throw new Error('init.from: the parameters are read from the file by readInitFrom and given to the Trainer');
  if ('weights' in init) return { w: Float64Array.from(init.weights), b: init.bias };
  const r = rng(seed, 'init');
  const w = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    w[j] = init.distribution === 'normal' ? init.scale * r.normal() : init.scale * (2 * r.uniform() - 1);
  }
  return { w, b: init.bias };
}

/**
 * A random init must not be dead at birth: if no row has z = w·x + b > 0, the gradients are zero
 * and training could never start. Then raise the bias so that every row starts active (by the
 * configured bias, or 0.1 when that is not positive). Exact inits are kept as written: a user who
 * asks for a dead neuron gets one.
 */
export function reviveIfDead(params: Parameters, x: Float64Array, n: number, bias: number): boolean {
  const d = params.w.length;
  let lowest = Infinity;
  for (let i = 0; i < n; i++) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += params.w[j] * x[i * d + j];
    if (dot + params.b > 0) return false;
    if (dot < lowest) lowest = dot;
  }
  if (n === 0) return false;
  params.b = -lowest + (bias > 0 ? bias : 0.1);
  return true;
}
