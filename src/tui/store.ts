import type { EndEvent, EpochEvent, StartEvent } from '../train/events.js';
import { DecimatingSeries } from './series.js';

export type RunState = 'running' | 'paused' | EndEvent['status'];

/** What the dashboard draws: the trainer fills it, the screen samples it on a timer. */
export interface MetricsView {
  start: StartEvent;
  configPath: string;
  latest: EpochEvent | null;
  best: { epoch: number; loss: number } | null;
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

/**
 * The run's metrics, kept outside the components. `push` is called once per epoch and does O(1)
 * work; `view` is called per frame and costs O(history capacity), whatever the epoch count.
 */
export class MetricsStore {
  private latest: EpochEvent | null = null;
  private best: { epoch: number; loss: number } | null = null;
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
    private readonly clock: () => number,
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
    this.loss.push(event.loss);
    this.weightNorm.push(event.weight_norm);
    this.active.push(event.active_ratio);
    if (this.hasValidation) {
      this.valLoss.push(event.val_loss);
      this.valActive.push(event.val_active_ratio);
    }
    const monitored = event.val_loss ?? event.loss;
    if (Number.isFinite(monitored) && (this.best === null || monitored < this.best.loss)) {
      this.best = { epoch: event.epoch, loss: monitored };
    }
  }

  finish(end: EndEvent): void {
    this.end = end;
  }

  get finished(): boolean {
    return this.end !== null;
  }

  /** Epochs per second over the time since the previous frame, smoothed. */
  private epochsPerSecond(): number | null {
    const now = this.clock();
    const epoch = this.latest?.epoch ?? 0;
    if (this.rate === null || epoch < this.rate.epoch) {
      this.rate = { time: now, epoch, perSecond: null };
      return null;
    }
    const dt = now - this.rate.time;
    if (dt >= 250) {
      const current = ((epoch - this.rate.epoch) * 1000) / dt;
      const perSecond = this.rate.perSecond === null ? current : 0.5 * this.rate.perSecond + 0.5 * current;
      this.rate = { time: now, epoch, perSecond };
    }
    return this.rate.perSecond;
  }

  view(state: { paused: boolean; learningRate: number; weights: ArrayLike<number>; bias: number }): MetricsView {
    if (state.paused) this.rate = null; // the rate after resuming must not count the pause
    return {
      start: this.start,
      configPath: this.configPath,
      latest: this.latest,
      best: this.best,
      state: this.end ? this.end.status : state.paused ? 'paused' : 'running',
      end: this.end,
      learningRate: state.learningRate,
      epochsPerSecond: this.end || state.paused ? null : this.epochsPerSecond(),
      weights: this.end ? this.end.weights : Array.from(state.weights),
      bias: this.end ? this.end.bias : state.bias,
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
