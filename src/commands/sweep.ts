import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { loadConfig, parseOverride, type LoadedConfig } from '../config/load.js';
import { loadTrainingData } from '../data/saved-weights.js';
import { InputError, type Problem } from '../errors.js';
import { RunStops } from '../files/process.js';
import { writeWholeFile } from '../files/write.js';
import { OUTCOME_HEADER, outcomeText } from '../logs/compare.js';
import { formatNumber } from '../format.js';
import { packageFile } from '../paths.js';
import { parseAxis, runFileName, sweepRuns, type SweepRun } from '../sweep/grid.js';
import { outcomeStatus, SUCCEEDED, SweepProcesses, type SweepOutcome } from '../sweep/runner.js';
import { importInteractive } from '../tui/interactive.js';
import type { RunIo } from './run.js';

export interface SweepFlags {
  set?: string[];
  parallel?: number;
  outDir?: string;
  json?: boolean;
  dryRun?: boolean;
  /** Kernel threads per run (passed on as `run --threads`). */
  threads?: number;
}

/** `runs/<name>-<UTC timestamp>`: sortable, and new for every sweep started a second apart. */
function defaultOutDir(name: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '-');
  return join('runs', `${name}-${stamp}`);
}

/**
 * Every run is checked before any starts: its config with its settings, and each distinct data
 * source once (loading the rows finds missing files, unknown columns, a bad init size).
 */
function validateRuns(configPath: string, runs: readonly SweepRun[]): LoadedConfig {
  const problems: Problem[] = [];
  const checkedData = new Set<string>();
  let first: LoadedConfig | undefined;
  for (const run of runs) {
    try {
      const loaded = loadConfig(configPath, run.sets.map(parseOverride));
      first ??= loaded;
      const { data, seed, init } = loaded.config;
      const key = JSON.stringify([data, seed, init]);
      if (!checkedData.has(key)) {
        checkedData.add(key);
        loadTrainingData(loaded);
      }
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      for (const problem of error.problems) problems.push({ ...problem, message: `in run ${run.id}: ${problem.message}` });
    }
  }
  if (problems.length) throw new InputError(problems);
  return first as LoadedConfig;
}

export interface SweepSummaryRow {
  run: string;
  settings: Record<string, string>;
  status: string;
  epochs: number;
  loss: number | null;
  val_loss: number | null;
  best_epoch: number | null;
  best_loss: number | null;
  log: string;
}

function summaryRow(outcome: SweepOutcome, outDir: string): SweepSummaryRow {
  const { end } = outcome;
  return {
    run: outcome.run.id,
    settings: outcome.run.settings,
    status: outcomeStatus(outcome),
    epochs: end?.epochs ?? outcome.epochs,
    loss: end?.loss ?? null,
    val_loss: end?.val_loss ?? null,
    best_epoch: end?.best_epoch ?? null,
    best_loss: end?.best_loss ?? null,
    log: relative(outDir, outcome.log),
  };
}

/** The plain table: one row per run, best first (runs without a best loss last). */
export function sweepTable(rows: readonly SweepSummaryRow[]): string[] {
  const sorted = [...rows].sort((a, b) => (a.best_loss ?? Infinity) - (b.best_loss ?? Infinity));
  const width = Math.max(3, ...sorted.map((r) => r.run.length));
  return [
    `${'run'.padEnd(width)}  ${OUTCOME_HEADER}`,
    ...sorted.map(
      (r) =>
        `${r.run.padEnd(width)}  ${outcomeText({ status: r.status, epochs: r.epochs, loss: r.val_loss ?? r.loss, bestLoss: r.best_loss, bestEpoch: r.best_epoch })}`,
    ),
  ];
}

/**
 * Runs at a time and the kernel threads each run may use: together at most the machine's cores
 * (`--parallel 2` on 2 cores: one thread each), so a sweep never starts cores² threads.
 */
function runThreads(flags: SweepFlags): { parallel: number; threads: number } {
  const cores = availableParallelism();
  const parallel = flags.parallel ?? cores;
  return { parallel, threads: flags.threads ?? Math.max(1, Math.floor(cores / parallel)) };
}

/** `neuron-tui sweep CONFIG --set KEY=V1,V2,...`: the cartesian product of the lists, each a `run --set ...`. */
export async function sweepCommand(configPath: string, flags: SweepFlags, io: RunIo, now: () => Date = () => new Date()): Promise<number> {
  const sets = flags.set ?? [];
  if (sets.length === 0) {
    throw new InputError([{ where: 'sweep', message: 'a sweep needs at least one --set KEY=V1,V2,..., e.g. --set learning_rate=0.01,0.03,0.1' }]);
  }
  const runs = sweepRuns(sets.map(parseAxis));
  const loaded = validateRuns(configPath, runs);

  if (flags.dryRun) {
    const { threads } = runThreads(flags);
    for (const run of runs) io.stdout.write(`${run.id}\tneuron-tui run ${configPath} --threads ${threads}${run.sets.map((s) => ` --set ${s}`).join('')}\n`);
    io.stderr.write(`${runs.length} run${runs.length === 1 ? '' : 's'}; nothing was trained (--dry-run)\n`);
    return 0;
  }

  const outDir = flags.outDir ?? defaultOutDir(loaded.config.name, now());
  const { parallel, threads } = runThreads(flags);
  const files = new Map(runs.map((run) => [run.id, join(outDir, runFileName(run.id))]));
  if (new Set(files.values()).size !== files.size) {
    throw new InputError([
      { where: 'sweep', message: 'two runs would write the same log file name; their settings differ only in characters a file name cannot hold' },
    ]);
  }
  if (existsSync(outDir)) {
    throw new InputError([
      { where: `--out-dir ${outDir}`, message: 'already exists; a sweep writes a new folder and never overwrites one: choose another --out-dir or remove it' },
    ]);
  }
  try {
    mkdirSync(resolve(outDir, '..'), { recursive: true });
    mkdirSync(outDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EACCES'
        ? 'permission denied'
        : code === 'ENOTDIR'
          ? 'a part of the path is a file'
          : code === 'EROFS'
            ? 'the file system is read-only'
            : 'it could not be created';
    throw new InputError([{ where: `--out-dir ${outDir}`, message: `cannot create the folder: ${why}` }]);
  }

  // SIGINT, SIGTERM, SIGHUP, `q`, and a reader of --json that went away (`| head`) stop every run,
  // as they stop a single run; each run's log still ends with its `end` line.
  const stops = new RunStops();
  const abort = stops.abort;

  // On a terminal, without --json: the live sweep screen (Ink is loaded only then).
  let processes: SweepProcesses | null = null;
  const logOf = (run: SweepRun): string => files.get(run.id) as string;
  const dashboard =
    !flags.json && io.stdout.isTTY
      ? (await importInteractive(() => import('../tui/sweep/live.js'), io.stdout)).openSweepDashboard({
          runs,
          logOf,
          name: loaded.config.name,
          outDir,
          stdout: io.stdout,
          onPause: (paused) => processes?.setPaused(paused),
          onQuit: () => abort.abort(),
        })
      : null;

  let finished = 0;
  processes = new SweepProcesses({
    cli: packageFile('dist/cli.js'),
    configPath,
    logOf,
    parallel,
    threads,
    signal: abort.signal,
    onStart: dashboard ? (run) => dashboard.started(run) : undefined,
    onEvent: flags.json
      ? (run, _event, line) => {
          // Every line carries its run, right after `type`; the rest is the run's line as written.
          const { type, ...rest } = JSON.parse(line) as Record<string, unknown>;
          io.stdout.write(`${JSON.stringify({ type, run: run.id, ...rest })}\n`);
        }
      : dashboard
        ? (run, event) => dashboard.event(run, event)
        : undefined,
    onDone: (outcome) => {
      finished++;
      if (dashboard) {
        // The screen shows each run's end; a line on stderr would tear the frame.
        dashboard.done(outcome.run, outcomeStatus(outcome));
        return;
      }
      const row = summaryRow(outcome, outDir);
      const best = row.best_loss === null ? '' : `, best loss ${formatNumber(row.best_loss)} @ ${row.best_epoch}`;
      const why = row.status === 'invalid' || row.status === 'failed' ? `: ${outcome.stderr.trim().split('\n')[0]}` : '';
      io.stderr.write(`[${finished}/${runs.length}] ${row.run}: ${row.status}${best}${why}\n`);
    },
  });
  let outcomes: SweepOutcome[];
  try {
    outcomes = await processes.runAll(runs);
  } finally {
    stops.close();
    await dashboard?.close();
  }

  const rows = outcomes.map((o) => summaryRow(o, outDir));
  const summaryFile = join(outDir, 'sweep.json');
  writeWholeFile(summaryFile, `${JSON.stringify({ config: configPath, out_dir: outDir, runs: rows }, null, 2)}\n`, summaryFile, 'write the sweep summary');
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ type: 'sweep', runs: rows })}\n`);
  } else if (!dashboard) {
    for (const line of sweepTable(rows)) io.stdout.write(`${line}\n`);
    io.stdout.write(`logs and sweep.json in ${outDir}; neuron-tui compare ${outDir} overlays them\n`);
  }
  if (abort.signal.aborted) return stops.exitCode('interrupted');
  const failed = rows.filter((r) => !SUCCEEDED.has(r.status));
  if (failed.length) {
    io.stderr.write(`${failed.length} of ${rows.length} runs failed: ${failed.map((r) => `${r.run} (${r.status})`).join(', ')}\n`);
    return 1;
  }
  return 0;
}
