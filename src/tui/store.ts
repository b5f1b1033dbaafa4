import { bestSoFar, monitoredLoss, type Best } from '../train/best.js';
import type { EndEvent, EpochEvent, StartEvent } from '../train/events.js';
import { DecimatingSeries } from './series.js';

/** `pausing`: asked to pause, while the run finishes its current epoch. */
export type RunState = 'running' | 'pausing' | 'paused' | EndEvent['status'];

/** What the dashboard draws: the trainer fills it, the screen samples it on a timer. */
export interface MetricsView {
  start: StartEvent;
  configPath: string;
  latest: EpochEvent | null;
  best: Best | null;
  state: RunState;
  end: EndEvent | null;
  learningRate: number;
  epochsPerSecond: number | null;
  weights: number[];
  bias: number;
  revived: boolean;
  history: {
    loss: number[];
    valLoss: number[] | null;
    weightNorm: number[];
    active: number[];
    valActive: number[] | null;
  };
}

/** What the run's control says, as the view shows it. */
export interface ControlState {
  paused: boolean;
  learningRate: number;
}

/**
 * The run's metrics, kept outside the components. State changes only in `push`, `parameters`,
 * `finish` and `tick` (the frame timer's rate update); `view` is pure. `push` does O(1) work per
 * epoch; `view` costs O(history capacity), whatever the epoch count.
 */
export class MetricsStore {
  private latest: EpochEvent | null = null;
  private best: Best | null = null;
  /** Bumped by every change a frame would show: an unchanged store needs no new frame. */
  version = 0;
  /** The run said it waits (paused) and has trained no epoch since. */
  private waiting = false;
  private weights: ArrayLike<number> = [];
  private bias = NaN;
  private end: EndEvent | null = null;
  private readonly loss: DecimatingSeries;
  private readonly valLoss: DecimatingSeries;
  private readonly weightNorm: DecimatingSeries;
  private readonly active: DecimatingSeries;
  private readonly valActive: DecimatingSeries;
  private readonly hasValidation: boolean;
  private rate: { time: number; epoch: number; perSecond: number | null } | null = null;

  constructor(
    readonly start: StartEvent,
    readonly configPath: string,
    readonly revived = false,
    capacity = 1024,
  ) {
    this.hasValidation = start.dataset.validation > 0;
    this.loss = new DecimatingSeries(capacity);
    this.valLoss = new DecimatingSeries(capacity);
    this.weightNorm = new DecimatingSeries(capacity);
    this.active = new DecimatingSeries(capacity);
    this.valActive = new DecimatingSeries(capacity);
  }

  push(event: EpochEvent): void {
    this.latest = event;
    this.waiting = false;
    this.version++;
    this.loss.push(event.loss);
    this.weightNorm.push(event.weight_norm);
    this.active.push(event.active_ratio);
    if (this.hasValidation) {
      this.valLoss.push(event.val_loss);
      this.valActive.push(event.val_active_ratio);
    }
    this.best = bestSoFar(this.best, event.epoch, monitoredLoss(event));
  }

  /** The run waits for a request: every epoch it trained has been pushed. */
  idle(): void {
    this.waiting = true;
    this.version++;
  }

  /** The trainer's current parameters (the array may be live: it is copied when viewed). */
  parameters(weights: ArrayLike<number>, bias: number): void {
    this.weights = weights;
    this.bias = bias;
  }

  finish(end: EndEvent): void {
    this.end = end;
    this.version++;
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

  view(control: ControlState): MetricsView {
    const end = this.end;
    return {
      start: this.start,
      configPath: this.configPath,
      latest: this.latest,
      best: this.best,
      state: end ? end.status : control.paused ? (this.waiting ? 'paused' : 'pausing') : 'running',
      end,
      learningRate: control.learningRate,
      epochsPerSecond: end || control.paused ? null : (this.rate?.perSecond ?? null),
      weights: end ? end.weights : Array.from(this.weights),
      bias: end ? end.bias : this.bias,
      revived: this.revived,
      history: {
        loss: this.loss.values(),
        valLoss: this.hasValidation ? this.valLoss.values() : null,
        weightNorm: this.weightNorm.values(),
        active: this.active.values(),
        valActive: this.hasValidation ? this.valActive.values() : null,
      },
    };
  }
}
