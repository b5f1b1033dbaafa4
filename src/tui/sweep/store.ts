import type { SweepRun } from '../../sweep/grid.js';
import { bestSoFar, monitoredLoss, type Best } from '../../train/best.js';
import type { EndEvent, EpochEvent, TrainingEvent } from '../../train/events.js';
import { DecimatingSeries, type Bucket } from '../series.js';
import { MetricsStore } from '../store.js';

/** Where a run of the sweep is: waiting for a slot, training, or its final status. */
export type SweepRunState = 'queued' | 'running' | 'paused' | string;

/** One run as the sweep screen draws it. */
export interface SweepRunView {
  run: SweepRun;
  /** The run's place in the sweep's order: its glyph and colour follow it. */
  index: number;
  state: SweepRunState;
  latest: EpochEvent | null;
  /** The monitored loss now: the last epoch's, or once the run has ended, at its final parameters. */
  loss: number | null;
  best: Best | null;
  /** The configured epochs (null until the run has started). */
  epochs: number | null;
  /** The monitored loss (validation loss where there is a validation set), decimated. */
  history: Bucket[];
  log: string;
}

export interface SweepView {
  runs: SweepRunView[];
  /** The runs sorted by best loss, lowest first; runs without one after them, in sweep order. */
  ranked: SweepRunView[];
  paused: boolean;
  finished: boolean;
  /** Runs that started, and runs that ended. */
  started: number;
  ended: number;
}

/** Best loss first; runs without one after them, in sweep order. */
function rankOrder<T extends { best: Best | null; index: number }>(runs: readonly T[]): T[] {
  return [...runs].sort((a, b) => (a.best?.loss ?? Infinity) - (b.best?.loss ?? Infinity) || a.index - b.index);
}

/** Buckets kept per run: more than a chart is wide, and a full-page chart repeats them to fit. */
const CAPACITY = 256;

/** What the sweep keeps of one run. */
class RunRecord {
  state: SweepRunState = 'queued';
  latest: EpochEvent | null = null;
  end: EndEvent | null = null;
  best: Best | null = null;
  /** The run's full training page, filled from its events; null until its start event. */
  page: MetricsStore | null = null;
  readonly loss = new DecimatingSeries(CAPACITY);

  constructor(
    readonly run: SweepRun,
    readonly index: number,
    readonly log: string,
  ) {}
}

/**
 * The sweep's state, outside the components: the runs' processes fill it (`started`, `event`,
 * `done`), the keys change only `paused`, and the screen samples `view` on a timer. Each event
 * costs O(1); a view costs O(runs × buckets), whatever the epoch counts.
 */
export class SweepStore {
  /** Bumped by every change a frame would show. */
  version = 0;
  private readonly records: RunRecord[];
  private readonly byId: Map<string, RunRecord>;
  private paused = false;
  private finished = false;

  constructor(runs: readonly SweepRun[], logOf: (run: SweepRun) => string) {
    this.records = runs.map((run, index) => new RunRecord(run, index, logOf(run)));
    this.byId = new Map(this.records.map((r) => [r.run.id, r]));
  }

  started(run: SweepRun): void {
    const record = this.byId.get(run.id);
    if (!record) return;
    record.state = this.paused ? 'paused' : 'running';
    this.version++;
  }

  event(run: SweepRun, event: TrainingEvent): void {
    const record = this.byId.get(run.id);
    if (!record) return;
    if (event.type === 'start') {
      record.page = new MetricsStore(event, record.log, false, CAPACITY);
    } else if (event.type === 'epoch') {
      record.latest = event;
      record.loss.push(monitoredLoss(event));
      record.best = bestSoFar(record.best, event.epoch, monitoredLoss(event));
      record.page?.push(event);
      record.page?.parameters([], event.bias);
      // A paused run is stopped at once (SIGSTOP): lines still in its pipe arrive, then it waits.
      if (this.paused) record.page?.idle();
    } else {
      record.page?.finish(event);
      record.end = event;
      record.state = event.status;
      if (event.best_epoch !== null && event.best_loss !== null) record.best = { epoch: event.best_epoch, loss: event.best_loss };
    }
    this.version++;
  }

  /** The run's process is over; `status` says how when it wrote no end event (failed, invalid, not_started). */
  done(run: SweepRun, status: string): void {
    const record = this.byId.get(run.id);
    if (!record) return;
    record.state = status;
    this.version++;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    for (const r of this.records) {
      if (r.state !== 'running' && r.state !== 'paused') continue;
      r.state = paused ? 'paused' : 'running';
      if (paused) r.page?.idle();
    }
    this.version++;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  finish(): void {
    this.finished = true;
    this.version++;
  }

  /** The run's full training page, or null while it has not started. */
  page(id: string): MetricsStore | null {
    return this.byId.get(id)?.page ?? null;
  }

  /** The run ids, best loss first (runs without one after them, in sweep order). */
  ranking(): string[] {
    return rankOrder(this.records).map((r) => r.run.id);
  }

  view(): SweepView {
    const runs = this.records.map((r): SweepRunView => ({
      run: r.run,
      index: r.index,
      state: r.state,
      latest: r.latest,
      loss: r.end ? monitoredLoss(r.end) : r.latest ? monitoredLoss(r.latest) : null,
      best: r.best,
      epochs: r.page?.start.config.epochs ?? null,
      history: r.loss.buckets(),
      log: r.log,
    }));
    const ranked = rankOrder(runs);
    const waiting = new Set(['queued', 'running', 'paused']);
    return {
      runs,
      ranked,
      paused: this.paused,
      finished: this.finished,
      started: this.records.filter((r) => r.state !== 'queued' && r.state !== 'not_started').length,
      ended: this.records.filter((r) => !waiting.has(r.state)).length,
    };
  }
}
