import { availableParallelism } from 'node:os';
import { loadConfig, parseOverride } from '../config/load.js';
import type { RunConfig } from '../config/types.js';
import { loadDataset, type Dataset } from '../data/dataset.js';
import { initFromOverride, readInitFrom } from '../data/saved-weights.js';
import { checkRunFiles } from '../files/outputs.js';
import { RunStops } from '../files/process.js';
import { formatNumber, statusAdvice } from '../format.js';
import { generatedKernel, type Kernel } from '../neuron/kernel.js';
import { PARALLEL_MIN_CELLS, ParallelKernel, SIMD_MIN_FEATURES } from '../neuron/parallel.js';
import { engineKernel } from '../neuron/screened.js';
import { eventLine, JsonLinesFile, LineBatcher } from '../sinks/jsonl.js';
import { PlainProgress } from '../sinks/plain.js';
import { saveWeights } from '../sinks/weights.js';
import { type EndEvent, type EpochEvent, type StartEvent } from '../train/events.js';
import { runTraining } from '../train/run.js';
import { importInteractive } from '../tui/interactive.js';
import { Trainer } from '../train/trainer.js';

export interface RunFlags {
  json?: boolean;
  out?: string;
  set?: string[];
  saveWeights?: string;
  threads?: number;
  assertLoss?: number;
  initFrom?: string;
}

/**
 * The full-batch kernel: SIMD where there are enough features, threads where there are enough
 * cells (both measured by `npm run bench`); otherwise the trainer's generated JavaScript pass.
 * Mini-batches are short and in shuffled order: they keep the single-threaded ordered pass.
 */
function fastKernel(batchSize: 'full' | number, dataset: Dataset, threads: number): ParallelKernel | null {
  const { x, y, n } = dataset.train;
  const fullBatch = batchSize === 'full' || batchSize >= n;
  const useThreads = threads >= 2 && n * dataset.d >= PARALLEL_MIN_CELLS ? threads : 1;
  const simd = dataset.d >= SIMD_MIN_FEATURES;
  if (!fullBatch || (useThreads === 1 && !simd)) return null;
  return new ParallelKernel(x, y, dataset.d, useThreads, simd);
}

/**
 * What computes a full-batch epoch: the fast kernel (or the generated pass), wrapped by the screened
 * engine when `engine` asks for it (`auto`: where it pays). Mini-batches never use it for training.
 */
function fullBatchKernel(config: RunConfig, dataset: Dataset, parallel: ParallelKernel | null): Kernel {
  const inner = parallel?.pass ?? generatedKernel(dataset.d);
  const fullBatch = config.batch_size === 'full' || config.batch_size >= dataset.train.n;
  if (!fullBatch) return inner;
  const order = parallel?.mode === 'simd' ? 'simd' : 'sequential';
  return engineKernel(config.engine ?? 'auto', dataset.train, dataset.d, inner, { order, epochs: config.epochs }).kernel;
}

/** Where the events of a run go; the dashboard is one, chosen when stdout is a terminal. */
export interface RunView {
  start(event: StartEvent): void;
  /** Epochs that `log_every` emits. */
  epoch?(event: EpochEvent): void;
  /** Every epoch; `last` when a stopping rule ended the run with it. */
  everyEpoch?(event: EpochEvent, last: boolean): void;
  end(event: EndEvent): void;
}

export interface RunIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

function headlessView(flags: RunFlags, io: RunIo, dataset: Dataset): RunView {
  if (flags.json) {
    const lines = new LineBatcher((text) => io.stdout.write(text));
    return {
      start: (e) => lines.write(eventLine(e)),
      epoch: (e) => lines.write(eventLine(e)),
      end: (e) => {
        lines.write(eventLine(e));
        lines.flush();
      },
    };
  }
  const plain = new PlainProgress((text) => io.stdout.write(text));
  return {
    start: (e) => plain.start(e),
    everyEpoch: (e, last) => plain.epoch(e, last),
    end: (e) => plain.end(e, dataset.features),
  };
}

/** `neuron-tui run CONFIG`: validate, load, train, report. Returns the exit code. */
export async function runCommand(configPath: string, flags: RunFlags, io: RunIo): Promise<number> {
  const overrides = [...(flags.set ?? []).map(parseOverride), ...initFromOverride(flags.initFrom)];
  const loaded = loadConfig(configPath, overrides);
  const dataset = loadDataset(loaded);
  checkRunFiles(loaded, [['--out', flags.out], ['--save-weights', flags.saveWeights]]);

  // Imported only for the dashboard, and before the clock starts: Ink and React cost start-up
  // time that --json and pipes never pay. React's development build makes each frame about three
  // times slower; users get production.
  let dashboard: typeof import('../tui/live.js') | null = null;
  if (!flags.json && io.stdout.isTTY) {
    process.env.NODE_ENV ??= 'production';
    dashboard = await importInteractive(() => import('../tui/live.js'));
  }
  const clock = (): number => performance.now();
  const parallel = fastKernel(loaded.config.batch_size, dataset, flags.threads ?? availableParallelism());
  const trainer = new Trainer(loaded.config, dataset, { clock, kernel: fullBatchKernel(loaded.config, dataset, parallel), initial: readInitFrom(loaded, dataset) });
  const out = flags.out ? new JsonLinesFile(flags.out, (problem) => stops.fail(problem)) : null;
  const view = headlessView(flags, io, dataset);

  // SIGINT, SIGTERM, SIGHUP, stdout closed by its reader, a failed write: each ends the run as interrupted.
  const stops = new RunStops();
  const abort = stops.abort;

  let end: EndEvent;
  try {
    const start = trainer.startEvent();
    out?.write(start);
    if (dashboard) {
      end = await dashboard.runDashboard({ trainer, configPath, clock, abort, onEpoch: (e) => out?.write(e), onIdle: () => out?.flush(), stdout: io.stdout });
    } else {
      view.start(start);
      if (trainer.revived) {
        io.stderr.write(`note: the random init left every row inactive; its bias was raised to ${formatNumber(trainer.b)} so the neuron starts alive\n`);
      }
      end = await runTraining(trainer, {
        clock,
        signal: abort.signal,
        onEpoch: (e) => {
          out?.write(e);
          view.epoch?.(e);
        },
        onEveryEpoch: view.everyEpoch && ((e) => view.everyEpoch?.(e, trainer.status !== null)),
      });
      view.end(end);
    }
    out?.write(end);
  } finally {
    parallel?.close();
    out?.close();
    stops.close();
  }

  const advice = statusAdvice(end.status, trainer.learningRate, loaded.config.data.standardize);
  if (advice && !stops.quiet) io.stderr.write(`${advice}\n`);
  if (flags.saveWeights) {
    saveWeights(flags.saveWeights, {
      weights: end.weights,
      bias: end.bias,
      features: dataset.features,
      target: dataset.target,
      ...(dataset.standardization ? { standardization: dataset.standardization } : {}),
    });
  }
  const code = stops.exitCode(end.status);
  if (code === 0 && flags.assertLoss !== undefined) {
    const monitored = end.val_loss ?? end.loss;
    if (!(monitored <= flags.assertLoss)) {
      const which = end.val_loss === null ? 'loss' : 'validation loss';
      io.stderr.write(`--assert-loss ${flags.assertLoss}: the final ${which} is ${formatNumber(monitored, 6)}, above the limit\n`);
      return 1;
    }
  }
  return code;
}
