import type { ScheduleConfig } from '../config/types.js';

/** PyTorch's ReduceLROnPlateau ignores a cut smaller than this (its `eps`). */
const PLATEAU_EPS = 1e-8;

/**
 * The learning rate of each epoch (DESIGN.md, "Optimizers and schedules"): η_e for epoch e ≥ 1
 * from the configured η. `plateau` is the one with state: it reads each epoch's monitored loss.
 */
export class Schedule {
  /** plateau: the current rate, the best monitored loss and the epochs since it improved. */
  private plateauRate: number;
  private best = Infinity;
  private badEpochs = 0;

  constructor(
    private readonly config: ScheduleConfig,
    private readonly eta: number,
    /** The run's `epochs`: cosine anneals over them. */
    private readonly epochs: number,
  ) {
    this.plateauRate = eta;
  }

  /** η_e, warm-up included. */
  rate(e: number): number {
    const k = this.config.warmup_epochs;
    const warmup = k > 0 && e <= k ? e / k : 1; // η_e · e/k for e ≤ k
    return this.base(e) * warmup;
  }

  private base(e: number): number {
    const { config, eta } = this;
    switch (config.type) {
      case 'constant':
        return eta;
      case 'step':
        return eta * config.factor ** Math.floor((e - 1) / config.every); // η·factor^⌊(e−1)/every⌋
      case 'exponential':
        return eta * config.factor ** (e - 1); //                           η·factor^(e−1)
      case 'cosine':
        return config.min + ((eta - config.min) * (1 + Math.cos((Math.PI * (e - 1)) / this.epochs))) / 2;
      case 'plateau':
        return this.plateauRate;
    }
  }

  /**
   * After each epoch, the monitored loss (val_loss with a validation set, else loss). plateau, as
   * torch.optim.lr_scheduler.ReduceLROnPlateau(mode='min', threshold=0, cooldown=0): an improvement
   * is a loss below the best so far; once more than `patience` epochs in a row brought none, the
   * rate becomes max(rate·factor, min) (unless that changes it by less than 1e-8) and the count restarts.
   */
  observe(monitored: number): void {
    const { config } = this;
    if (config.type !== 'plateau') return;
    if (monitored < this.best) {
      this.best = monitored;
      this.badEpochs = 0;
    } else {
      this.badEpochs++;
    }
    if (this.badEpochs > config.patience) {
      const cut = Math.max(this.plateauRate * config.factor, config.min);
      if (this.plateauRate - cut > PLATEAU_EPS) this.plateauRate = cut;
      this.badEpochs = 0;
    }
  }
}

/** The schedule of configs built in code without one. */
export const CONSTANT: ScheduleConfig = { type: 'constant', warmup_epochs: 0 };
