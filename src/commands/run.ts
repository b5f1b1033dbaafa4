import { availableParallelism } from 'node:os';
import { loadConfig, parseOverride, type LoadedConfig } from '../config/load.js';
import type { Dataset } from '../data/dataset.js';
import { initFromFile, initFromOverride, loadTrainingData } from '../data/saved-weights.js';
import { InputError, type Problem } from '../errors.js';
import { checkRunFiles } from '../files/outputs.js';
import { RunStops } from '../files/process.js';
import { formatNumber, statusAdvice } from '../format.js';
import { eventLine, JsonLinesFile, LineBatcher } from '../sinks/jsonl.js';
import { PlainProgress } from '../sinks/plain.js';
import { saveWeights } from '../sinks/weights.js';
import { TrainingControl } from '../train/control.js';
import { startRun, type RunResult, type RunView } from '../train/session.js';
import { importInteractive } from '../tui/interactive.js';

export interface RunFlags {
  json?: boolean;
  out?: string;
  set?: string[];
  saveWeights?: string;
  threads?: number;
  assertLoss?: number;
  initFrom?: string;
  /** Epochs per second on the dashboard, or 'max'. */
  pace?: number | 'max';
}

/** How long the dashboard spreads a short run over by default. */
export const DEFAULT_SHOW_MS = 5000;

/**
 * The dashboard's pace: the asked one, or by default one that spreads the run over about five
 * seconds (a run slower than that is never held back: the pace only ever waits). 0 is full speed.
 */
export function dashboardPace(asked: number | 'max' | undefined, epochs: number): number {
  if (asked === 'max') return 0;
  return asked ?? (epochs * 1000) / DEFAULT_SHOW_MS;
}

export interface RunIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** The view that replaces the dashboard without a terminal: JSON lines, or plain progress. */
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
    start: (e, notes) => {
      plain.start(e);
      if (notes.revived)
        io.stderr.write(`note: the random init left every row inactive; its bias was raised to ${formatNumber(notes.bias)} so the neuron starts alive\n`);
    },
    everyEpoch: (e, last) => plain.epoch(e, last),
    end: (e) => plain.end(e, dataset.features),
  };
}

/** `--out`: every emitted event to a file as training goes, flushed while the run is paused. */
function fileView(out: JsonLinesFile): RunView {
  return { start: (e) => out.write(e), epoch: (e) => out.write(e), idle: () => out.flush(), end: (e) => out.write(e) };
}

/** The run's data and `--out` file, after checking that no output overwrites an input. */
function openRunFiles(loaded: LoadedConfig, flags: RunFlags, onWriteError: (problem: Problem) => void) {
  // --threads also bounds the threads that parse a large CSV.
  const { dataset, initial } = loadTrainingData(loaded, { threads: flags.threads });
  checkRunFiles({ ...loaded, weightsFile: initFromFile(loaded) }, [
    ['--out', flags.out],
    ['--save-weights', flags.saveWeights],
  ]);
  // Opened before the run: it can still fail (a lock taken since the check, a pipe without a
  // reader) before there are signal handlers to remove.
  const out = flags.out ? new JsonLinesFile(flags.out, onWriteError) : null;
  return { dataset, initial, out };
}

/** `neuron-tui run CONFIG`: validate, load, train, report. Returns the exit code. */
export async function runCommand(configPath: string, flags: RunFlags, io: RunIo): Promise<number> {
  const showDashboard = !flags.json && Boolean(io.stdout.isTTY);
  if (flags.pace !== undefined && !showDashboard) {
    const why = flags.json ? 'with --json' : 'when stdout is not a terminal';
    throw new InputError([
      { where: `--pace ${flags.pace}`, message: `the pace is for watching the dashboard; ${why} the run always goes at full speed. Remove --pace` },
    ]);
  }
  // Ink and React (most of the time to the dashboard's first frame) load while the config does;
  // --json and pipes never load them.
  const screen = showDashboard ? importInteractive(() => import('../tui/live.js'), io.stdout) : null;
  screen?.catch(() => undefined); // awaited below, unless the config is bad: then it must not count as unhandled
  const overrides = [...(flags.set ?? []).map(parseOverride), ...initFromOverride(flags.initFrom)];
  const loaded = loadConfig(configPath, overrides);
  // The first frame comes before the data, which can take seconds to load; a run that cannot start
  // takes it off again and says why.
  const live = screen ? await screen : null;
  const first = live?.firstFrame({ stdout: io.stdout, name: loaded.config.name, configPath }) ?? null;
  let files;
  try {
    files = openRunFiles(loaded, flags, (problem) => stops.fail(problem));
  } catch (error) {
    await first?.clear();
    throw error;
  }
  const { dataset, initial, out } = files;
  // SIGINT, SIGTERM, SIGHUP, stdout closed by its reader, a failed write, `q`: each ends the run as interrupted.
  const stops = new RunStops();
  const abort = stops.abort;
  const control = new TrainingControl();
  const outputs = { out: flags.out, saveWeights: flags.saveWeights };
  // The neuron page reads the training rows on this thread; the worker trains on the same memory.
  const neuron = { rows: dataset.train, d: dataset.d, features: dataset.features, l2: loaded.config.l2 ?? 0, seed: loaded.config.seed };
  const dashboard = live && first ? live.openDashboard(first, { control, onQuit: () => abort.abort(), outputs, neuron }) : null;
  if (dashboard) control.setPace(dashboardPace(flags.pace, loaded.config.epochs));
  const views = [...(out ? [fileView(out)] : []), dashboard ? dashboard.view : headlessView(flags, io, dataset)];

  let result: RunResult;
  try {
    result = await startRun({
      config: loaded.config,
      dataset,
      initial,
      threads: flags.threads ?? availableParallelism(),
      views,
      control,
      signal: abort.signal,
      // The dashboard draws on this thread: training goes to a worker so neither slows the other.
      thread: dashboard ? 'worker' : 'main',
    });
  } finally {
    await dashboard?.close();
    out?.close();
    stops.close();
  }
  const { end } = result;

  // Advice is said once: in the final frame on the dashboard, on stderr without it.
  const advice = statusAdvice(end.status, result.learningRate, loaded.config.data.standardize);
  if (advice && !dashboard && !stops.quiet) io.stderr.write(`${advice}\n`);
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
