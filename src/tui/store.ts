import { bestSoFar, monitoredLoss, type Best } from '../train/best.js';
import type { EndEvent, EpochEvent, StartEvent } from '../train/events.js';
import { CONSTANT, Schedule } from '../train/schedule.js';
import type { EpochStart } from '../train/session.js';
import { DebiasedEma, DecimatingSeries, type Bucket } from './series.js';

/** `pausing`: asked to pause, while the run finishes its current epoch. */
export type RunState = 'running' | 'pausing' | 'paused' | EndEvent['status'];

/** The smoothing weights `m` cycles through (0: off), as TensorBoard offers them. */
export const SMOOTHING = [0, 0.6, 0.9, 0.99] as const;
export type Smoothing = (typeof SMOOTHING)[number];

/** What the run's control says, as the view shows it. */
export interface ControlState {
  paused: boolean;
  learningRate: number;
  /** The `+`/`-` factor the rate includes now (1: as configured); absent for a replay. */
  rateFactor?: number;
  /** Epochs per second the run is played at; 0 is full speed; absent for a replay. */
  pace?: number;
}

/** What the dashboard draws: the run fills it, the screen samples it on a timer. */
export interface MetricsView {
  start: StartEvent;
  configPath: string;
  latest: EpochEvent | null;
  best: Best | null;
  state: RunState;
  end: EndEvent | null;
  /** The rate the run uses now (see MetricsStore.rateNow). */
  learningRate: number;
  /** The `+`/`-` factor in it (1: as configured and scheduled). */
  rateFactor: number;
  pace: number | null;
  epochsPerSecond: number | null;
  weights: number[];
  bias: number;
  revived: boolean;
  history: {
    /** The epochs the buckets span (null before the first). */
    epochs: { first: number; last: number } | null;
    loss: Bucket[];
    valLoss: Bucket[] | null;
    weightNorm: Bucket[];
    /** The rate each epoch used (schedule and `+`/`-` factor). */
    learningRate: Bucket[];
    active: Bucket[];
    valActive: Bucket[] | null;
    /** The losses smoothed with the weight the view asked for; null when smoothing is off. */
    smoothed: { weight: Smoothing; loss: Bucket[]; valLoss: Bucket[] | null } | null;
  };
}

/** The neuron after the latest epoch, and what that epoch started from: what the neuron page draws. */
export interface NeuronState {
  weights: Float64Array;
  bias: number;
  entering: { w: Float64Array; b: number } | null;
  /** Changes whenever the parameters do: a page computed for one version stays valid until the next. */
  version: number;
}

/** One smoothed pair of loss series. */
class Smoothed {
  readonly loss: DecimatingSeries;
  readonly valLoss: DecimatingSeries;
  private readonly lossEma: DebiasedEma;
  private readonly valEma: DebiasedEma;

  constructor(weight: number, capacity: number) {
    this.loss = new DecimatingSeries(capacity);
    this.valLoss = new DecimatingSeries(capacity);
    this.lossEma = new DebiasedEma(weight);
    this.valEma = new DebiasedEma(weight);
  }

  push(event: EpochEvent, validation: boolean): void {
    this.loss.push(this.lossEma.push(event.loss));
    if (validation) this.valLoss.push(this.valEma.push(event.val_loss));
  }
}

/**
 * The run's metrics, kept outside the components. State changes only in `push`, `parameters`,
 * `idle`, `finish` and `tick` (the frame timer's rate update); `view` is pure. `push` does O(1)
 * work per epoch; `view` costs O(history capacity), whatever the epoch count.
 */
export class MetricsStore {
  /** Bumped by every change a frame would show: an unchanged store needs no new frame. */
  version = 0;
  private latest: EpochEvent | null = null;
  private best: Best | null = null;
  private end: EndEvent | null = null;
  /** The run said it waits (paused) and has trained no epoch since. */
  private waiting = false;
  /** Mini-batch losses are noisy: their charts start smoothed. */
  readonly defaultSmoothing: Smoothing;
  private weights: ArrayLike<number> = [];
  private bias = NaN;
  private from: EpochStart | null = null;
  private parametersVersion = 0;
  private firstEpoch: number | null = null;
  private readonly loss: DecimatingSeries;
  private readonly valLoss: DecimatingSeries;
  private readonly weightNorm: DecimatingSeries;
  private readonly learningRate: DecimatingSeries;
  private readonly active: DecimatingSeries;
  private readonly valActive: DecimatingSeries;
  private readonly smoothed: Map<number, Smoothed>;
  private readonly hasValidation: boolean;
  private rate: { time: number; epoch: number; perSecond: number | null } | null = null;

  constructor(
    readonly start: StartEvent,
    readonly configPath: string,
    readonly revived = false,
    capacity = 1024,
  ) {
    this.hasValidation = start.dataset.validation > 0;
    const batch = start.config.batch_size;
    this.defaultSmoothing = batch !== 'full' && batch < start.dataset.train ? 0.6 : 0;
    this.loss = new DecimatingSeries(capacity);
    this.valLoss = new DecimatingSeries(capacity);
    this.weightNorm = new DecimatingSeries(capacity);
    this.learningRate = new DecimatingSeries(capacity);
    this.active = new DecimatingSeries(capacity);
    this.valActive = new DecimatingSeries(capacity);
    this.smoothed = new Map(SMOOTHING.filter((w) => w > 0).map((w) => [w, new Smoothed(w, capacity)]));
  }

  push(event: EpochEvent): void {
    this.latest = event;
    this.firstEpoch ??= event.epoch;
    this.waiting = false;
    this.version++;
    this.loss.push(event.loss);
    this.weightNorm.push(event.weight_norm);
    this.learningRate.push(event.learning_rate);
    this.active.push(event.active_ratio);
    if (this.hasValidation) {
      this.valLoss.push(event.val_loss);
      this.valActive.push(event.val_active_ratio);
    }
    for (const s of this.smoothed.values()) s.push(event, this.hasValidation);
    this.best = bestSoFar(this.best, event.epoch, monitoredLoss(event));
  }

  /** The run waits for a request: every epoch it trained has been pushed. */
  idle(): void {
    this.waiting = true;
    this.version++;
  }

  /**
   * The trainer's current parameters, and what the latest epoch started from (the arrays may be
   * live: they are copied when viewed).
   */
  parameters(weights: ArrayLike<number>, bias: number, from?: EpochStart): void {
    this.weights = weights;
    this.bias = bias;
    this.from = from ?? null;
    this.parametersVersion++;
  }

  /** The current parameters and those entering the latest epoch; null before the first epoch's. */
  neuron(): NeuronState | null {
    if (this.weights.length === 0) return null;
    const from = this.from;
    return {
      weights: Float64Array.from(this.weights),
      bias: this.bias,
      entering: from ? { w: Float64Array.from(from.weights), b: from.bias } : null,
      version: this.parametersVersion,
    };
  }

  /** Bumped by every `parameters`: the neuron page recomputes only when it changed. */
  get neuronVersion(): number {
    return this.parametersVersion;
  }

  /**
   * The rate the run uses now: the latest epoch's learning_rate, times the change of the `+`/`-`
   * factor since that epoch read it (`factor` is the control's now). Before the first epoch: the
   * schedule's first rate times the factor.
   */
  rateNow(factor: number): number {
    if (this.latest) return this.latest.learning_rate * (factor / (this.from?.rateFactor ?? 1));
    const { config } = this.start;
    return new Schedule(config.schedule ?? CONSTANT, config.learning_rate, config.epochs).rate(1) * factor;
  }

  finish(end: EndEvent): void {
    this.end = end;
    this.version++;
  }

  /** The measured rate (see tick); null before the first measurement, while paused, after the end. */
  get epochsPerSecond(): number | null {
    return this.rate?.perSecond ?? null;
  }

  get finished(): boolean {
    return this.end !== null;
  }

  /**
   * Measures epochs per second since the previous tick (at least 250 ms apart), smoothed. Time
   * while paused does not count: the next measurement starts when the run resumes.
   */
  tick(now: number, paused: boolean): void {
    const epoch = this.latest?.epoch ?? 0;
    if (paused || this.end) {
      this.rate = null;
      return;
    }
    if (this.rate === null || epoch < this.rate.epoch) {
      this.rate = { time: now, epoch, perSecond: this.rate?.perSecond ?? null };
      return;
    }
    const dt = now - this.rate.time;
    if (dt >= 250) {
      const current = ((epoch - this.rate.epoch) * 1000) / dt;
      const perSecond = this.rate.perSecond === null ? current : 0.5 * this.rate.perSecond + 0.5 * current;
      if (perSecond !== this.rate.perSecond) this.version++;
      this.rate = { time: now, epoch, perSecond };
    }
  }

  view(control: ControlState, smoothing: Smoothing = 0): MetricsView {
    const end = this.end;
    const validation = this.hasValidation;
    const smooth = smoothing ? this.smoothed.get(smoothing) : undefined;
    return {
      start: this.start,
      configPath: this.configPath,
      latest: this.latest,
      best: this.best,
      state: end ? end.status : control.paused ? (this.waiting ? 'paused' : 'pausing') : 'running',
      end,
      learningRate: control.learningRate,
      rateFactor: control.rateFactor ?? 1,
      pace: control.pace ?? null,
      epochsPerSecond: end || control.paused ? null : (this.rate?.perSecond ?? null),
      weights: end ? end.weights : Array.from(this.weights),
      bias: end ? end.bias : this.bias,
      revived: this.revived,
      history: {
        epochs: this.latest && this.firstEpoch !== null ? { first: this.firstEpoch, last: this.latest.epoch } : null,
        loss: this.loss.buckets(),
        valLoss: validation ? this.valLoss.buckets() : null,
        weightNorm: this.weightNorm.buckets(),
        learningRate: this.learningRate.buckets(),
        active: this.active.buckets(),
        valActive: validation ? this.valActive.buckets() : null,
        smoothed: smooth ? { weight: smoothing, loss: smooth.loss.buckets(), valLoss: validation ? smooth.valLoss.buckets() : null } : null,
      },
    };
  }
}
