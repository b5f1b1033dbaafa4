import type { RunConfig } from '../config/types.js';
import type { Dataset, Rows } from '../data/dataset.js';
import { initialParameters, reviveIfDead, type Parameters } from '../neuron/init.js';
import { chooseKernel } from '../neuron/choose.js';
import { PARALLEL_MIN_CELLS } from '../neuron/parallel.js';
import type { Kernel } from '../neuron/kernel.js';
import { norm } from '../neuron/norm.js';
import { createOptimizer, type Optimizer } from '../neuron/optimizers.js';
import { ACTIVE, gradientFromSums, lossPass, passSums, SSE, type PassSums } from '../neuron/pass.js';
import { ShuffledBatches, type Batch } from '../random/permutation.js';
import { generator } from '../random/rng.js';
import { bestSoFar, type Best } from './best.js';
import type { EndEvent, EpochEvent, StartEvent, Status } from './events.js';
import { CONSTANT, Schedule } from './schedule.js';

/** A clock in milliseconds; injected so that tests can drive time. */
export type Clock = () => number;

/** The fused pass over contiguous rows; swappable for a faster kernel with the same contract. */
export type { Kernel };

export interface TrainerOptions {
  clock: Clock;
  /** Default: chooseKernel's plain choice, bit-identical to the reference fusedPass. */
  kernel?: Kernel;
  /** The starting parameters of `init.from` (read by readInitFrom); other inits come from the config. */
  initial?: Parameters;
  /** Multiplies the scheduled learning rate, read each epoch: the dashboard's `+`/`-` requests. */
  rateFactor?: () => number;
  /**
   * Threads the run allows (default 1). With 2 or more, shuffled mini-batches over many rows move
   * the next epoch's rows on a second thread while an epoch trains (the same epochs); close() stops it.
   */
  threads?: number;
}

function allFinite(w: Float64Array, b: number): boolean {
  if (!Number.isFinite(b)) return false;
  for (let j = 0; j < w.length; j++) if (!Number.isFinite(w[j])) return false;
  return true;
}

function sameParameters(w: Float64Array, b: number, w0: Float64Array, b0: number): boolean {
  if (b !== b0) return false;
  for (let j = 0; j < w.length; j++) if (w[j] !== w0[j]) return false;
  return true;
}

/** Batches without shuffling: rows [0, size), [size, 2·size), ... read where they are. */
function* inRowOrder(x: Float64Array, y: Float64Array, n: number, size: number): Generator<Batch> {
  for (let start = 0; start < n; start += size) yield { x, y, start, end: Math.min(n, start + size) };
}

/** SST = Σ(y − ȳ)² of a row set, two-pass so that constant targets give exactly 0. */
export function totalSumOfSquares(y: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += y[i];
  const mean = sum / n;
  let sst = 0;
  for (let i = 0; i < n; i++) sst += (y[i] - mean) ** 2;
  return sst;
}

/** R² = 1 − SSE/SST; null when SST = 0 (constant targets: no variance to explain). */
function rSquared(sse: number, sst: number): number | null {
  return sst > 0 ? 1 - sse / sst : null;
}

/**
 * Gradient descent on one neuron, an epoch at a time: the optimizer's steps at the scheduled rate,
 * and the stopping rules. Never touches the terminal, files or the real clock.
 *
 * One rule keeps the parameters finite, for full batches and mini-batches alike: before each step
 * the parameters whose (batch) loss was just measured finite are kept aside; a step from there that
 * gives a non-finite parameter, or a loss measured non-finite at the parameters a step gave, puts
 * them back and ends the run as diverged (see fallBackToFiniteLoss for mini-batches). So the end
 * event and --save-weights carry finite parameters with a finite training loss.
 */
export class Trainer {
  readonly config: RunConfig;
  readonly dataset: Dataset;
  /** Current parameters; after divergence, the last ones whose measured loss was finite. */
  readonly w: Float64Array;
  b: number;
  /**
   * Each epoch's rate is the scheduled η_e times this factor, unless the `rateFactor` option reads it
   * from the run's control (the dashboard's `+`/`-`): a view never writes into the trainer.
   */
  learningRateFactor = 1;
  epoch = 0;
  status: Status | null = null;
  /** True when a random init was dead at birth and its bias was raised (see reviveIfDead). */
  readonly revived: boolean;

  private readonly clock: Clock;
  private readonly kernel: Kernel;
  private readonly rateFactor: () => number;
  private readonly optimizer: Optimizer;
  private readonly schedule: Schedule;
  private readonly l2: number;
  private readonly startedAt: number;
  private readonly sums: PassSums;
  private readonly dw: Float64Array;
  /** The last parameters whose measured loss was finite (the divergence rule above). */
  private readonly kept: Float64Array;
  private keptB: number;
  /** The parameters entering the epoch. */
  private readonly entering: Float64Array;
  private enteringB = 0;
  /** restore_best: the parameters at which the best monitored loss was measured. */
  private readonly bestW: Float64Array;
  private bestB = 0;
  private readonly initialW: Float64Array;
  private readonly initialB: number;
  private readonly sst: number;
  private readonly validationSst: number;
  /** One step per batch of `batch_size` rows, rather than one per epoch. */
  private readonly miniBatch: boolean;
  /** Shuffled mini-batches: each epoch's rows in a fresh random order, each batch contiguous for the kernel. */
  private readonly shuffled: ShuffledBatches | null;
  private best: Best | null = null;
  /** The monitored loss that early stopping compares against (improvements by more than min_delta). */
  private bestForPatience = Infinity;
  private epochsWithoutImprovement = 0;

  constructor(config: RunConfig, dataset: Dataset, options: TrainerOptions) {
    this.config = config;
    this.dataset = dataset;
    this.clock = options.clock;
    this.kernel = options.kernel ?? chooseKernel(dataset).pass;
    this.rateFactor = options.rateFactor ?? (() => this.learningRateFactor);
    this.startedAt = this.clock();
    const d = dataset.d;
    const init = config.init;
    const params = options.initial ? { w: Float64Array.from(options.initial.w), b: options.initial.b } : initialParameters(init, d, config.seed);
    this.revived = 'distribution' in init && reviveIfDead(params, dataset.train.x, dataset.train.n, init.bias);
    this.w = params.w;
    this.b = params.b;
    this.optimizer = createOptimizer(config.optimizer ?? { type: 'sgd' }, d);
    this.schedule = new Schedule(config.schedule ?? CONSTANT, config.learning_rate, config.epochs);
    this.l2 = config.l2 ?? 0;
    this.sums = passSums(d);
    this.dw = new Float64Array(d);
    this.kept = Float64Array.from(this.w);
    this.keptB = this.b;
    this.entering = new Float64Array(d);
    this.bestW = Float64Array.from(this.w);
    this.bestB = this.b;
    this.initialW = Float64Array.from(this.w);
    this.initialB = this.b;
    this.sst = totalSumOfSquares(dataset.train.y, dataset.train.n);
    this.validationSst = dataset.validation ? totalSumOfSquares(dataset.validation.y, dataset.validation.n) : 0;
    this.miniBatch = config.batch_size !== 'full' && config.batch_size < dataset.train.n;
    this.shuffled =
      this.miniBatch && config.shuffle
        ? new ShuffledBatches(dataset.train, d, generator(config.seed, 'shuffle'), {
            // The helper takes the second thread only while the batches' kernel uses one: `--threads` bounds both.
            helper: (options.threads ?? 1) >= 2 && (config.batch_size as number) * d < PARALLEL_MIN_CELLS,
          })
        : null;
  }

  /** The parameters entering the latest epoch, where its loss and gradient were measured. Read only. */
  get enteringParameters(): { readonly w: Float64Array; readonly b: number } {
    return { w: this.entering, b: this.enteringB };
  }

  /** The rate the next epoch will use: the scheduled η_e times the factor (the dashboard's `+`/`-`). */
  get learningRate(): number {
    return this.schedule.rate(this.epoch + 1) * this.rateFactor();
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
        ...(dataset.delimiter === undefined ? {} : { delimiter: dataset.delimiter }),
      },
    };
  }

  elapsed(): number {
    return Math.round((this.clock() - this.startedAt) * 1000) / 1000;
  }

  /**
   * One optimizer step from the parameters at which the loss `sse` and the gradient (this.dw, db)
   * were just measured, under the divergence rule. Returns false when the run diverged.
   */
  private step(sse: number, db: number, lr: number): boolean {
    if (Number.isFinite(sse)) {
      this.kept.set(this.w);
      this.keptB = this.b;
      if (this.l2 > 0) for (let j = 0; j < this.dw.length; j++) this.dw[j] += 2 * this.l2 * this.w[j]; // ∂(l2‖w‖²)/∂w = 2·l2·w
      this.b = this.optimizer.step(this.w, this.b, this.dw, db, lr);
      if (allFinite(this.w, this.b)) return true;
    }
    this.w.set(this.kept);
    this.b = this.keptB;
    return false;
  }

  /** Runs one epoch and applies the stopping rules; `status` is set when the run is over. */
  runEpoch(): EpochEvent {
    const { x, y, n } = this.dataset.train;
    const d = this.dataset.d;
    const lr = this.learningRate;
    this.epoch++;
    this.entering.set(this.w);
    this.enteringB = this.b;
    let sse = 0;
    let active = 0;
    let gradNorm: number;
    let finite: boolean;

    if (!this.miniBatch) {
      // Full batch: loss and gradient at the parameters entering the epoch, then one step.
      this.sums.fill(0);
      this.kernel(x, y, d, 0, n, this.w, this.b, this.sums);
      sse = this.sums[SSE];
      active = this.sums[ACTIVE];
      const db = gradientFromSums(this.sums, n, this.dw);
      finite = this.step(sse, db, lr);
      gradNorm = norm(this.dw, db);
    } else {
      // Mini-batches: one step per batch; the epoch reports row-weighted means over its batches.
      const size = this.config.batch_size as number;
      const meanDw = new Float64Array(d);
      let meanDb = 0;
      finite = true;
      for (const batch of this.shuffled?.epoch(size) ?? inRowOrder(x, y, n, size)) {
        const count = batch.end - batch.start;
        this.sums.fill(0);
        this.kernel(batch.x, batch.y, d, batch.start, batch.end, this.w, this.b, this.sums);
        sse += this.sums[SSE];
        active += this.sums[ACTIVE];
        const db = gradientFromSums(this.sums, count, this.dw);
        finite = this.step(this.sums[SSE], db, lr);
        for (let j = 0; j < d; j++) meanDw[j] += (count / n) * this.dw[j];
        meanDb += (count / n) * db;
        if (!finite) break;
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
      r2: rSquared(sse, this.sst),
      val_r2: null,
      elapsed_ms: 0,
    };

    if (!finite || !Number.isFinite(loss)) {
      this.status = 'diverged';
      this.fallBackToFiniteLoss();
      event.weight_norm = norm(this.w);
      event.bias = this.b;
      event.elapsed_ms = this.elapsed();
      return event;
    }

    const validation = this.dataset.validation;
    if (validation) {
      // The training kernel's fused pass gives lossPass's loss (to 1e-12 relative, bit for bit on the
      // plain kernel) and active count, on SIMD and threads where they pay (src/neuron/choose.ts);
      // its gradient sums are not needed here.
      this.sums.fill(0);
      this.kernel(validation.x, validation.y, d, 0, validation.n, this.w, this.b, this.sums);
      event.val_loss = this.sums[SSE] / validation.n;
      event.val_active_ratio = this.sums[ACTIVE] / validation.n;
      event.val_r2 = rSquared(this.sums[SSE], this.validationSst);
    }
    this.track(event.val_loss ?? loss);
    this.schedule.observe(event.val_loss ?? loss);
    event.elapsed_ms = this.elapsed();

    const stop = this.config.stop_when;
    // No active row: the data gradient is zero. Dead once the steps also stopped moving (momentum,
    // Adam and L2 may still carry the parameters; plain gradient descent never does).
    if (active === 0 && sameParameters(this.w, this.b, this.entering, this.enteringB)) this.status = 'dead';
    else if (stop && ((stop.grad_norm_below !== undefined && gradNorm < stop.grad_norm_below) || (stop.loss_below !== undefined && loss < stop.loss_below)))
      this.status = 'converged';
    else if (this.config.early_stopping && this.epochsWithoutImprovement >= this.config.early_stopping.patience) this.status = 'early_stopped';
    else if (this.epoch >= this.config.epochs) this.status = 'completed';
    return event;
  }

  /**
   * After a divergence: a batch's loss was finite at the kept parameters, but the loss over all
   * training rows may not be. The run ends with the first of these whose training loss is finite:
   * the kept ones (always, for a full batch: its batch is every row), those entering the epoch,
   * those of the best epoch, the initial ones.
   */
  private fallBackToFiniteLoss(): void {
    const { x, y, n } = this.dataset.train;
    const candidates: [Float64Array, number][] = [
      [Float64Array.from(this.w), this.b],
      [this.entering, this.enteringB],
      [this.bestW, this.bestB],
      [this.initialW, this.initialB],
    ];
    const usable = candidates.find(([w, b]) => Number.isFinite(lossPass(x, y, this.dataset.d, n, w, b).loss)) ?? candidates[0];
    this.w.set(usable[0]);
    this.b = usable[1];
  }

  private track(monitored: number): void {
    const best = bestSoFar(this.best, this.epoch, monitored);
    if (best !== this.best) {
      this.best = best;
      // Where it was measured: a full batch's training loss at the parameters entering the epoch;
      // val_loss after the epoch's steps; a mini-batch epoch's mean loss is credited to its end.
      const measuredBefore = !this.miniBatch && this.dataset.validation === null;
      this.bestW.set(measuredBefore ? this.entering : this.w);
      this.bestB = measuredBefore ? this.enteringB : this.b;
    }
    const minDelta = this.config.early_stopping?.min_delta ?? 0;
    if (monitored < this.bestForPatience - minDelta) {
      this.bestForPatience = monitored;
      this.epochsWithoutImprovement = 0;
    } else {
      this.epochsWithoutImprovement++;
    }
  }

  /** Does a second thread move the next epoch's shuffled rows? (Tests.) */
  get shuffleHelped(): boolean {
    return this.shuffled?.helped ?? false;
  }

  /** Stops the thread that moves shuffled rows, if there is one. The trainer must not run epochs after. */
  close(): void {
    this.shuffled?.close();
  }

  /** Ends the run from outside (Ctrl-C, `q`). */
  interrupt(): void {
    this.status ??= 'interrupted';
  }

  /** Is this epoch's event written, given `log_every`? The last epoch always is. */
  shouldEmit(event: EpochEvent): boolean {
    return event.epoch % this.config.log_every === 0 || this.status !== null;
  }

  /** The end of the run; with `early_stopping.restore_best`, the parameters return to the best ones first. */
  endEvent(): EndEvent {
    if (this.config.early_stopping?.restore_best && this.best !== null) {
      this.w.set(this.bestW);
      this.b = this.bestB;
    }
    const loss = (rows: Rows): number => lossPass(rows.x, rows.y, this.dataset.d, rows.n, this.w, this.b).loss;
    const validation = this.dataset.validation;
    return {
      type: 'end',
      status: this.status ?? 'interrupted',
      epochs: this.epoch,
      weights: Array.from(this.w),
      bias: this.b,
      loss: loss(this.dataset.train),
      val_loss: validation ? loss(validation) : null,
      best_epoch: this.best?.epoch ?? null,
      best_loss: this.best?.loss ?? null,
      elapsed_ms: this.elapsed(),
    };
  }
}
