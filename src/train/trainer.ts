import type { RunConfig } from '../config/types.js';
import type { Dataset } from '../data/dataset.js';
import { initialParameters, reviveIfDead } from '../neuron/init.js';
import type { Kernel } from '../neuron/kernel.js';
import { ACTIVE, fusedPassOrdered, gradientFromSums, lossPass, passSums, SSE, type PassSums } from '../neuron/pass.js';
import { rng, shuffleInPlace, type Rng } from '../random/rng.js';
import { bestSoFar, type Best } from './best.js';
import type { EndEvent, EpochEvent, StartEvent, Status } from './events.js';
import { chooseKernel } from '../neuron/choose.js';

/** A clock in milliseconds; injected so that tests can drive time. */
export type Clock = () => number;

/** The fused pass over contiguous rows; swappable for a faster kernel with the same contract. */
export type { Kernel };

export interface TrainerOptions {
  clock: Clock;
  /** Default: chooseKernel's plain choice, bit-identical to the reference fusedPass. */
  kernel?: Kernel;
  /** Multiplies the configured learning rate, read each epoch: the dashboard's `+`/`-` requests. */
  rateFactor?: () => number;
}

function norm(w: Float64Array, extra = 0): number {
  let s = extra * extra;
  for (let j = 0; j < w.length; j++) s += w[j] * w[j];
  return Math.sqrt(s);
}

function allFinite(w: Float64Array, b: number): boolean {
  if (!Number.isFinite(b)) return false;
  for (let j = 0; j < w.length; j++) if (!Number.isFinite(w[j])) return false;
  return true;
}

/**
 * Gradient descent on one neuron, an epoch at a time. Holds the parameters and the stopping rules;
 * never touches the terminal, files or the real clock.
 */
export class Trainer {
  readonly config: RunConfig;
  readonly dataset: Dataset;
  /** Current parameters; after divergence, the last finite ones. */
  readonly w: Float64Array;
  b: number;
  epoch = 0;
  status: Status | null = null;
  /** True when a random init was dead at birth and its bias was raised (see reviveIfDead). */
  readonly revived: boolean;

  private readonly clock: Clock;
  private readonly kernel: Kernel;
  private readonly rateFactor: () => number;
  private readonly startedAt: number;
  private readonly sums: PassSums;
  private readonly dw: Float64Array;
  private readonly wBefore: Float64Array;
  private readonly order: Uint32Array | null;
  private readonly shuffler: Rng;
  private best: Best | null = null;
  /** The monitored loss that early stopping compares against (improvements by more than min_delta). */
  private bestForPatience = Infinity;
  private epochsWithoutImprovement = 0;

  constructor(config: RunConfig, dataset: Dataset, options: TrainerOptions) {
    this.config = config;
    this.dataset = dataset;
    this.clock = options.clock;
    this.kernel = options.kernel ?? chooseKernel(dataset).pass;
    this.rateFactor = options.rateFactor ?? (() => 1);
    this.startedAt = this.clock();
    const params = initialParameters(config.init, dataset.d, config.seed);
    this.revived = !('weights' in config.init) && reviveIfDead(params, dataset.train.x, dataset.train.n, config.init.bias);
    this.w = params.w;
    this.b = params.b;
    this.sums = passSums(dataset.d);
    this.dw = new Float64Array(dataset.d);
    this.wBefore = new Float64Array(dataset.d);
    const miniBatch = config.batch_size !== 'full' && config.batch_size < dataset.train.n;
    this.order = miniBatch ? new Uint32Array(dataset.train.n).map((_, i) => i) : null;
    this.shuffler = rng(config.seed, 'shuffle');
  }

  startEvent(): StartEvent {
    const { dataset } = this;
    return {
      type: 'start',
      config: this.config,
      dataset: {
        train: dataset.train.n,
        validation: dataset.validation?.n ?? 0,
        features: dataset.features,
        target: dataset.target,
        source: dataset.source,
        skipped: dataset.skipped,
      },
    };
  }

  /** The rate the next epoch uses: the configured one times the requested factor. */
  get learningRate(): number {
    return this.config.learning_rate * this.rateFactor();
  }

  elapsed(): number {
    return Math.round((this.clock() - this.startedAt) * 1000) / 1000;
  }

  /** Runs one epoch and applies the stopping rules; `status` is set when the run is over. */
  runEpoch(): EpochEvent {
    const { x, y, n } = this.dataset.train;
    const d = this.dataset.d;
    const lr = this.learningRate;
    this.epoch++;
    let sse = 0;
    let active = 0;
    let gradNorm: number;
    let finite = true;

    if (this.order === null) {
      // Full batch: loss and gradient at the parameters entering the epoch, then one step.
      this.wBefore.set(this.w);
      const bBefore = this.b;
      this.sums.fill(0);
      this.kernel(x, y, d, 0, n, this.w, this.b, this.sums);
      sse = this.sums[SSE];
      active = this.sums[ACTIVE];
      const db = gradientFromSums(this.sums, n, this.dw);
      gradNorm = norm(this.dw, db);
      for (let j = 0; j < d; j++) this.w[j] -= lr * this.dw[j]; // w ← w − η ∂C/∂w
      this.b -= lr * db; //                                          b ← b − η ∂C/∂b
      finite = allFinite(this.w, this.b);
      if (!finite) {
        this.w.set(this.wBefore); // keep the last finite parameters
        this.b = bBefore;
      }
    } else {
      // Mini-batches: one step per batch; the epoch reports row-weighted means over its batches.
      if (this.config.shuffle) shuffleInPlace(this.order, this.shuffler);
      const size = this.config.batch_size as number;
      const meanDw = new Float64Array(d);
      let meanDb = 0;
      for (let start = 0; start < n && finite; start += size) {
        const end = Math.min(n, start + size);
        const rows = end - start;
        this.sums.fill(0);
        fusedPassOrdered(x, y, d, this.order, start, end, this.w, this.b, this.sums);
        sse += this.sums[SSE];
        active += this.sums[ACTIVE];
        const db = gradientFromSums(this.sums, rows, this.dw);
        const bBatch = this.b;
        for (let j = 0; j < d; j++) {
          meanDw[j] += (rows / n) * this.dw[j];
          this.w[j] -= lr * this.dw[j];
        }
        meanDb += (rows / n) * db;
        this.b -= lr * db;
        if (!allFinite(this.w, this.b)) {
          finite = false;
          // Keep the last finite parameters: those entering this batch.
          for (let j = 0; j < d; j++) this.w[j] += lr * this.dw[j];
          this.b = bBatch;
        }
      }
      gradNorm = norm(meanDw, meanDb);
    }

    const loss = sse / n;
    const event: EpochEvent = {
      type: 'epoch',
      epoch: this.epoch,
      loss,
      val_loss: null,
      active_ratio: active / n,
      val_active_ratio: null,
      weight_norm: norm(this.w),
      bias: this.b,
      grad_norm: gradNorm,
      learning_rate: lr,
      elapsed_ms: 0,
    };

    if (!finite || !Number.isFinite(loss)) {
      // Report the blow-up as it happened, but keep the last finite parameters for the end event.
      this.status = 'diverged';
      event.weight_norm = finite ? event.weight_norm : NaN;
      event.bias = finite ? event.bias : NaN;
      event.elapsed_ms = this.elapsed();
      return event;
    }

    const validation = this.dataset.validation;
    if (validation) {
      // The training kernel's fused pass gives the same loss and active count as lossPass, bit for
      // bit, and is several times faster; its gradient sums are not needed here.
      this.sums.fill(0);
      this.kernel(validation.x, validation.y, d, 0, validation.n, this.w, this.b, this.sums);
      event.val_loss = this.sums[SSE] / validation.n;
      event.val_active_ratio = this.sums[ACTIVE] / validation.n;
    }
    this.track(event.val_loss ?? loss);
    event.elapsed_ms = this.elapsed();

    if (active === 0) this.status = 'dead'; // ∂C/∂w = ∂C/∂b = 0: nothing can change again
    else if (this.config.early_stopping && this.epochsWithoutImprovement >= this.config.early_stopping.patience) this.status = 'early_stopped';
    else if (this.epoch >= this.config.epochs) this.status = 'completed';
    return event;
  }

  private track(monitored: number): void {
    this.best = bestSoFar(this.best, this.epoch, monitored);
    const minDelta = this.config.early_stopping?.min_delta ?? 0;
    if (monitored < this.bestForPatience - minDelta) {
      this.bestForPatience = monitored;
      this.epochsWithoutImprovement = 0;
    } else {
      this.epochsWithoutImprovement++;
    }
  }

  /** Ends the run from outside (Ctrl-C, `q`). */
  interrupt(): void {
    this.status ??= 'interrupted';
  }

  /** Is this epoch's event written, given `log_every`? The last epoch always is. */
  shouldEmit(event: EpochEvent): boolean {
    return event.epoch % this.config.log_every === 0 || this.status !== null;
  }

  endEvent(): EndEvent {
    const { x, y, n } = this.dataset.train;
    const final = lossPass(x, y, this.dataset.d, n, this.w, this.b);
    const validation = this.dataset.validation;
    const finalValidation = validation ? lossPass(validation.x, validation.y, this.dataset.d, validation.n, this.w, this.b).loss : null;
    return {
      type: 'end',
      status: this.status ?? 'interrupted',
      epochs: this.epoch,
      weights: Array.from(this.w),
      bias: this.b,
      loss: final.loss,
      val_loss: finalValidation,
      best_epoch: this.best?.epoch ?? null,
      best_loss: this.best?.loss ?? null,
      elapsed_ms: this.elapsed(),
    };
  }
}
