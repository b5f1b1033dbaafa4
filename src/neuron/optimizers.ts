import type { OptimizerConfig } from '../config/types.js';

/**
 * The update rules of DESIGN.md ("Optimizers and schedules"), in PyTorch's documented form, applied
 * to the seed's gradient g = (∂C/∂w, ∂C/∂b). Each keeps its state (v, m, s, t) for w and b alike.
 * Pure math: O(d) per step, no allocation.
 */
export interface Optimizer {
  /** One step at learning rate `lr`: updates w in place and returns the new b. */
  step(w: Float64Array, b: number, dw: Float64Array, db: number, lr: number): number;
}

/** w ← w − η g */
class Sgd implements Optimizer {
  step(w: Float64Array, b: number, dw: Float64Array, db: number, lr: number): number {
    for (let j = 0; j < w.length; j++) w[j] -= lr * dw[j];
    return b - lr * db;
  }
}

/** v ← μ v + g;  w ← w − η v   (nesterov: w ← w − η (g + μ v)) */
class Momentum implements Optimizer {
  private readonly v: Float64Array;
  private vb = 0;

  constructor(
    d: number,
    private readonly mu: number,
    private readonly nesterov: boolean,
  ) {
    this.v = new Float64Array(d);
  }

  step(w: Float64Array, b: number, dw: Float64Array, db: number, lr: number): number {
    const { v, mu } = this;
    if (this.nesterov) {
      for (let j = 0; j < w.length; j++) {
        v[j] = mu * v[j] + dw[j];
        w[j] -= lr * (dw[j] + mu * v[j]);
      }
    } else {
      for (let j = 0; j < w.length; j++) {
        v[j] = mu * v[j] + dw[j];
        w[j] -= lr * v[j];
      }
    }
    this.vb = mu * this.vb + db;
    return b - lr * (this.nesterov ? db + mu * this.vb : this.vb);
  }
}

/** m ← β1 m + (1−β1) g;  s ← β2 s + (1−β2) g²;  w ← w − η m̂/(√ŝ + ε), m̂ = m/(1−β1ᵗ), ŝ = s/(1−β2ᵗ) */
class Adam implements Optimizer {
  private readonly m: Float64Array;
  private readonly s: Float64Array;
  private mb = 0;
  private sb = 0;
  /** Steps taken: batches, not epochs. */
  private t = 0;

  constructor(
    d: number,
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly epsilon: number,
  ) {
    this.m = new Float64Array(d);
    this.s = new Float64Array(d);
  }

  step(w: Float64Array, b: number, dw: Float64Array, db: number, lr: number): number {
    const { m, s, beta1, beta2, epsilon } = this;
    this.t++;
    const c1 = 1 - beta1 ** this.t; // bias corrections of the zero-started averages
    const c2 = 1 - beta2 ** this.t;
    for (let j = 0; j < w.length; j++) {
      const g = dw[j];
      m[j] = beta1 * m[j] + (1 - beta1) * g;
      s[j] = beta2 * s[j] + (1 - beta2) * g * g;
      w[j] -= (lr * (m[j] / c1)) / (Math.sqrt(s[j] / c2) + epsilon);
    }
    this.mb = beta1 * this.mb + (1 - beta1) * db;
    this.sb = beta2 * this.sb + (1 - beta2) * db * db;
    return b - (lr * (this.mb / c1)) / (Math.sqrt(this.sb / c2) + epsilon);
  }
}

/** A fresh optimizer (zero state, t = 0) for `d` weights and the bias. */
export function createOptimizer(config: OptimizerConfig, d: number): Optimizer {
  switch (config.type) {
    case 'sgd':
      return new Sgd();
    case 'momentum':
      return new Momentum(d, config.momentum, config.nesterov);
    case 'adam':
      return new Adam(d, config.beta1, config.beta2, config.epsilon);
  }
}
