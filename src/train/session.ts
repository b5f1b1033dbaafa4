import { Worker } from 'node:worker_threads';
import type { RunConfig } from '../config/types.js';
import type { Dataset } from '../data/dataset.js';
import type { Parameters as NeuronParameters } from '../neuron/init.js';
import { arenaState } from '../memory/arena.js';
import { chooseKernel } from '../neuron/choose.js';
import { TrainingControl } from './control.js';
import type { EndEvent, EpochEvent, StartEvent } from './events.js';
import { RunClock, runTraining } from './run.js';
import { Trainer, type Clock } from './trainer.js';

/** What the trainer knows at the start that the start event does not say. */
export interface StartNotes {
  /** A random init was dead at birth and its bias was raised to `bias` (see reviveIfDead). */
  revived: boolean;
  bias: number;
}

/**
 * What the latest epoch started from: the parameters entering it (its loss and gradient were
 * measured there; the rows that changed side in it lie between these and the current ones), and
 * the `+`/`-` factor its learning_rate includes (the scheduled η_e times this).
 */
export interface EpochStart {
  weights: ArrayLike<number>;
  bias: number;
  rateFactor: number;
}

/**
 * Where a run's events go. The dashboard, `--out`, `--json` and plain progress are all views;
 * each takes the hooks it needs.
 */
export interface RunView {
  start?(event: StartEvent, notes: StartNotes): void;
  /** Every epoch; `last` when a stopping rule ended the run with it. */
  everyEpoch?(event: EpochEvent, last: boolean): void;
  /** The epochs that `log_every` emits (the last one always). */
  epoch?(event: EpochEvent): void;
  /**
   * The current weights and bias, now and then (after every epoch on this thread, per batch from a
   * worker), with what the latest epoch started from.
   */
  parameters?(weights: ArrayLike<number>, bias: number, from: EpochStart): void;
  /** Training waits (paused): a moment to flush buffered output. */
  idle?(): void;
  end?(event: EndEvent): void;
}

export interface RunRequest {
  config: RunConfig;
  dataset: Dataset;
  /** The parameters `init.from` starts from (readInitFrom); absent: the config's init. */
  initial?: NeuronParameters;
  /** Threads the kernel may use (this thread included). */
  threads: number;
  views: RunView[];
  /** Requests from keys; absent for headless runs. */
  control?: TrainingControl;
  /** Aborting ends the run at the next epoch boundary with status `interrupted`. */
  signal?: AbortSignal;
  /**
   * `main` trains here (headless runs, tests); `worker` trains on a worker thread so that drawing
   * never stalls training (the dashboard).
   */
  thread: 'main' | 'worker';
  /** Main thread only; the default is performance.now. */
  clock?: Clock;
  /** Main thread only: how the pace waits (tests move their clock instead). */
  sleep?: (ms: number) => Promise<void>;
  /** The worker's built entry (dist/train-worker.js); tests of the source may point at dist/. */
  workerUrl?: URL;
}

export interface RunResult {
  end: EndEvent;
  /** The rate of the last epoch (with the dashboard's factor), for advice like "try a tenth of it". */
  learningRate: number;
}

/** All views as one: each hook calls the views that have it, in order. */
export function fanOut(views: readonly RunView[]): Required<RunView> {
  const each =
    <K extends keyof RunView>(key: K) =>
    (...args: Parameters<Required<RunView>[K]>): void => {
      for (const view of views) (view[key] as ((...a: typeof args) => void) | undefined)?.(...args);
    };
  return {
    start: each('start'),
    everyEpoch: each('everyEpoch'),
    epoch: each('epoch'),
    parameters: each('parameters'),
    idle: each('idle'),
    end: each('end'),
  };
}

/** What a training thread needs: the same on the main thread and in the worker. */
export interface TrainingSetup {
  config: RunConfig;
  dataset: Dataset;
  initial?: NeuronParameters;
  threads: number;
  control?: TrainingControl;
  signal?: AbortSignal;
  clock: Clock;
  sleep?: (ms: number) => Promise<void>;
}

/** Trains on this thread, sending the run's events to `view`. */
export async function trainHere(setup: TrainingSetup, view: Required<RunView>): Promise<EndEvent> {
  const { config, dataset, control, signal } = setup;
  const kernel = chooseKernel(dataset, { batchSize: config.batch_size, threads: setup.threads, engine: config.engine, epochs: config.epochs });
  // The run's time leaves out its pauses: elapsed_ms, and the rates and ETA drawn from it.
  const runClock = new RunClock(setup.clock);
  const clock = runClock.now;
  // The factor as the trainer last read it: at the start of an epoch, for that epoch's rate.
  let rateFactor = 1;
  const readFactor = control && ((): number => (rateFactor = control.rateFactor));
  let closeTrainer = (): void => {};
  try {
    const trainer = new Trainer(config, dataset, { clock, kernel: kernel.pass, initial: setup.initial, rateFactor: readFactor, threads: setup.threads });
    closeTrainer = () => trainer.close();
    view.start(trainer.startEvent(), { revived: trainer.revived, bias: trainer.b });
    const end = await runTraining(trainer, {
      clock,
      stopwatch: runClock,
      sleep: setup.sleep,
      signal,
      control,
      onEpoch: view.epoch,
      onEveryEpoch: (event) => {
        view.everyEpoch(event, trainer.status !== null);
        const entering = trainer.enteringParameters;
        view.parameters(trainer.w, trainer.b, { weights: entering.w, bias: entering.b, rateFactor });
      },
      onIdle: view.idle,
    });
    view.end(end);
    return end;
  } finally {
    closeTrainer();
    kernel.close();
  }
}

/** The one place a run starts: trains here or on a worker, and hands every event to every view. */
export async function startRun(request: RunRequest): Promise<RunResult> {
  let learningRate = request.config.learning_rate;
  const views = fanOut([{ everyEpoch: (e) => (learningRate = e.learning_rate) }, ...request.views]);
  const end =
    request.thread === 'main' ? await trainHere({ ...request, clock: request.clock ?? (() => performance.now()) }, views) : await trainOnWorker(request, views);
  return { end, learningRate };
}

// ---- the worker boundary: events one way, the shared control the other ----

/** The worker's start-up data. */
export interface WorkerSetup {
  config: RunConfig;
  dataset: Dataset;
  initial?: NeuronParameters;
  threads: number;
  control: SharedArrayBuffer;
  arena: { memory: WebAssembly.Memory | null; top: number };
}

// Epoch records crossing the boundary carry flags: which hooks they go to.
const EVERY = 1;
const EMIT = 2;
const LAST = 4;

/** Epoch events packed as numbers: structured-cloning thousands of small objects a second costs the trainer more than training. */
export interface EpochBatch {
  kind: 'epochs';
  /** Field names in event order (after `type`). */
  fields: string[];
  values: Float64Array;
  /** 1 where a field was null. */
  nulls: Uint8Array;
  flags: Uint8Array;
  weights: Float64Array;
  bias: number;
  /** What the last epoch of the batch started from. */
  entering: Float64Array;
  enteringBias: number;
  rateFactor: number;
}

export type WorkerMessage = { kind: 'start'; event: StartEvent; notes: StartNotes } | EpochBatch | { kind: 'idle' } | { kind: 'end'; event: EndEvent };

/**
 * Collects epoch events in the worker and posts them in batches, at most every `everyMs`, and
 * whenever training waits or ends.
 */
export class EpochPacker {
  private fields: string[] | null = null;
  private values: number[] = [];
  private nulls: number[] = [];
  private flags: number[] = [];
  private lastEvent: EpochEvent | null = null;
  // Copies, taken when given: the trainer's arrays change with the next epoch (and restore_best).
  private weights = new Float64Array(0);
  private bias = NaN;
  private entering = new Float64Array(0);
  private enteringBias = NaN;
  private rateFactor = 1;
  private postedAt: number;

  constructor(
    private readonly post: (batch: EpochBatch) => void,
    private readonly clock: Clock,
    private readonly everyMs = 20,
  ) {
    this.postedAt = clock();
  }

  add(event: EpochEvent, flag: number): void {
    // The same event again (emitted after its every-epoch record) joins its record, unless that was posted already.
    if (event === this.lastEvent && this.flags.length > 0) {
      this.flags[this.flags.length - 1] |= flag;
      return;
    }
    this.lastEvent = event;
    const record = event as unknown as Record<string, unknown>;
    this.fields ??= Object.keys(record).filter((key) => key !== 'type');
    for (const key of this.fields) {
      const value = record[key];
      this.values.push(typeof value === 'number' ? value : NaN);
      this.nulls.push(value === null ? 1 : 0);
    }
    this.flags.push(flag);
  }

  parameters(weights: ArrayLike<number>, bias: number, from: EpochStart): void {
    if (this.weights.length !== weights.length) this.weights = new Float64Array(weights.length);
    if (this.entering.length !== from.weights.length) this.entering = new Float64Array(from.weights.length);
    this.weights.set(weights);
    this.bias = bias;
    this.entering.set(from.weights);
    this.enteringBias = from.bias;
    this.rateFactor = from.rateFactor;
    if (this.clock() - this.postedAt >= this.everyMs) this.flush();
  }

  flush(): void {
    this.postedAt = this.clock();
    if (this.flags.length === 0 || !this.fields) return;
    this.post({
      kind: 'epochs',
      fields: this.fields,
      values: Float64Array.from(this.values),
      nulls: Uint8Array.from(this.nulls),
      flags: Uint8Array.from(this.flags),
      weights: this.weights.slice(),
      bias: this.bias,
      entering: this.entering.slice(),
      enteringBias: this.enteringBias,
      rateFactor: this.rateFactor,
    });
    this.values = [];
    this.nulls = [];
    this.flags = [];
  }
}

/** The view of a run in the worker: everything goes to `post`, packed. */
export function workerView(post: (message: WorkerMessage) => void, clock: Clock): Required<RunView> {
  const packer = new EpochPacker(post, clock);
  return {
    start: (event, notes) => post({ kind: 'start', event, notes }),
    everyEpoch: (event, last) => packer.add(event, EVERY | (last ? LAST : 0)),
    epoch: (event) => packer.add(event, EMIT),
    parameters: (weights, bias, from) => packer.parameters(weights, bias, from),
    idle: () => {
      packer.flush();
      post({ kind: 'idle' });
    },
    end: (event) => {
      packer.flush();
      post({ kind: 'end', event });
    },
  };
}

/** Unpacks a batch into the views, in the order the worker saw the events. */
export function deliverBatch(batch: EpochBatch, view: Required<RunView>): void {
  const { fields, values, nulls, flags } = batch;
  const k = fields.length;
  for (let r = 0; r < flags.length; r++) {
    const event: Record<string, unknown> = { type: 'epoch' };
    for (let f = 0; f < k; f++) event[fields[f]] = nulls[r * k + f] ? null : values[r * k + f];
    const epoch = event as unknown as EpochEvent;
    if (flags[r] & EVERY) view.everyEpoch(epoch, (flags[r] & LAST) !== 0);
    if (flags[r] & EMIT) view.epoch(epoch);
  }
  view.parameters(batch.weights, batch.bias, { weights: batch.entering, bias: batch.enteringBias, rateFactor: batch.rateFactor });
}

const WORKER_URL = new URL('./train-worker.js', import.meta.url);

function trainOnWorker(request: RunRequest, view: Required<RunView>): Promise<EndEvent> {
  const control = request.control ?? new TrainingControl();
  const setup: WorkerSetup = {
    config: request.config,
    dataset: request.dataset,
    initial: request.initial,
    threads: request.threads,
    control: control.buffer,
    arena: arenaState(),
  };
  const worker = new Worker(request.workerUrl ?? WORKER_URL, { workerData: setup, execArgv: [] });
  const onAbort = (): void => control.stop();
  request.signal?.addEventListener('abort', onAbort, { once: true });
  if (request.signal?.aborted) control.stop();
  return new Promise<EndEvent>((resolve, reject) => {
    let end: EndEvent | null = null;
    worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'start') view.start(message.event, message.notes);
      else if (message.kind === 'epochs') deliverBatch(message, view);
      else if (message.kind === 'idle') view.idle();
      else {
        end = message.event;
        view.end(end);
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      request.signal?.removeEventListener('abort', onAbort);
      if (end) resolve(end);
      else reject(new Error(`the training worker exited with code ${code} before the end of the run`));
    });
  });
}
