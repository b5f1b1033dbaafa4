#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { formatProblems, InputError } from './errors.js';
import { guardStandardStreams, settleExitCode } from './files/process.js';
import { EXIT, exitCodesHelp } from './train/events.js';
import { packageFile } from './paths.js';

const PACKAGE = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string };

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number ≥ 1, e.g. 2.');
  return Number(value);
}

/** More threads than this only add start-up time and memory (one copy of the rows' work per thread), no speed. */
const MAX_THREADS = 4 * availableParallelism();

function threadCount(value: string): number {
  const n = wholeNumber(value);
  if (n > MAX_THREADS)
    throw new InvalidArgumentError(
      `at most ${MAX_THREADS} (4 × the ${MAX_THREADS / 4} cores of this machine); more threads than that only cost time and memory.`,
    );
  return n;
}

function finiteNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number, e.g. 0.05.');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0, e.g. 2.');
  return n;
}

function pace(value: string): number | 'max' {
  if (value === 'max') return 'max';
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected epochs per second (a number > 0, e.g. 50) or max.');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const io = { stdout: process.stdout, stderr: process.stderr };

function build(setExitCode: (code: number) => void): Command {
  const program = new Command('neuron-tui')
    .description('Train one ReLU neuron from a YAML config and watch it learn.')
    .version(PACKAGE.version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`neuron-tui: ${text.replace(/^error: /, '')}`),
    })
    .addHelpText(
      'after',
      '\nExamples:\n  neuron-tui run configs/linear.yaml\n  neuron-tui run configs/linear.yaml --json --out run.jsonl\n  neuron-tui sweep configs/linear.yaml --set learning_rate=0.01,0.03,0.1\n  neuron-tui validate configs/*.yaml\n  neuron-tui init my-neuron.yaml --data my.csv\n  neuron-tui run my-neuron.yaml --save-weights w.json && neuron-tui predict w.json new.csv\n\n' +
        exitCodesHelp(),
    );

  program
    .command('run')
    .description('train the neuron a config describes: a live dashboard on a terminal, plain progress lines otherwise')
    .argument('<config>', 'YAML config file')
    .option('--json', 'write JSON lines (start, epoch..., end) to stdout instead of the dashboard')
    .option('--out <file>', 'also write the JSON lines to FILE as training runs')
    .addOption(new Option('--set <key=value>', 'override a config key (dotted path, YAML value); repeatable').argParser(collect).default([]))
    .option('--save-weights <file>', 'write the final {weights, bias, features, target} to FILE as JSON')
    .option('--threads <n>', 'threads for the training kernel on full batches of 2^21+ cells (default: the number of cores)', threadCount)
    .option('--assert-loss <x>', 'exit 1 when the final loss (validation loss if there is a validation set) is above X', finiteNumber)
    .option('--init-from <weights>', 'start from the weights and bias of a --save-weights file (features matched by name); same as init: {from: WEIGHTS}')
    .option('--pace <n>', 'dashboard only: play training at N epochs per second, or max (default: a short run is spread over ~5 s)', pace)
    .addHelpText(
      'after',
      '\nExamples:\n  neuron-tui run configs/linear.yaml\n  neuron-tui run configs/linear.yaml --json --set learning_rate=0.05 --out run.jsonl\n  neuron-tui run configs/linear.yaml --json --assert-loss 0.01 > run.jsonl\n',
    )
    .action(async (config: string, flags) => {
      const { runCommand } = await import('./commands/run.js');
      setExitCode(await runCommand(config, flags, io));
    });

  program
    .command('sweep')
    .description('train the cartesian product of --set lists, each run a `run --set ...`, several at a time')
    .argument('<config>', 'YAML config file')
    .addOption(
      new Option('--set <key=values>', 'a key and its values: V1,V2,... or range(a,b[,step]) or geom(a,b,n); repeatable').argParser(collect).default([]),
    )
    .option('--parallel <n>', 'runs at a time (default: the number of cores)', wholeNumber)
    .option('--out-dir <dir>', 'folder for the logs and sweep.json (default: runs/<name>-<UTC time>); never overwritten')
    .option('--json', "write every run's JSON lines to stdout, each with its `run`, then one `sweep` line")
    .option('--dry-run', 'list the runs and exit without training')
    .option('--threads <n>', 'kernel threads of each run (default: the cores divided among the runs at a time)', threadCount)
    .addHelpText(
      'after',
      '\nExamples:\n  neuron-tui sweep configs/linear.yaml --set learning_rate=0.01,0.03,0.1\n  neuron-tui sweep configs/linear.yaml --set learning_rate=geom(0.001,0.1,5) --set batch_size=full,32 --dry-run\n',
    )
    .action(async (config: string, flags) => {
      const { sweepCommand } = await import('./commands/sweep.js');
      setExitCode(await sweepCommand(config, flags, io));
    });

  program
    .command('validate')
    .description('check configs (schema, data file, columns, init sizes) without training')
    .argument('<config...>', 'YAML config files')
    .addOption(new Option('--set <key=value>', 'override a config key, as for run; repeatable').argParser(collect).default([]))
    .addHelpText('after', '\nExample:\n  neuron-tui validate configs/*.yaml\n')
    .action(async (files: string[], flags) => {
      const { validateCommand } = await import('./commands/validate.js');
      setExitCode(validateCommand(files, flags, io));
    });

  program
    .command('gradcheck')
    .description('check the analytic gradients against central finite differences of the loss')
    .argument('<config>', 'YAML config file')
    .addOption(new Option('--set <key=value>', 'override a config key, as for run; repeatable').argParser(collect).default([]))
    .addHelpText('after', '\nExits 0 when the worst relative error is below 1e-5, 1 otherwise.\n\nExample:\n  neuron-tui gradcheck configs/linear.yaml\n')
    .action(async (config: string, flags) => {
      const { gradcheckCommand } = await import('./commands/gradcheck.js');
      setExitCode(gradcheckCommand(config, flags, io));
    });

  program
    .command('inspect')
    .description('train EPOCH epochs, then show the gradient, the curvature of the loss and the learning rates it allows')
    .argument('<config>', 'YAML config file')
    .option('--at <epoch>', "inspect after this many epochs of the config's own training (default 0: the initial parameters)", (value: string): number => {
      if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of epochs ≥ 0, e.g. 50.');
      return Number(value);
    })
    .option('--json', 'print one JSON object (epoch, loss, active, gradient, lambda_max, lambda_min, condition, lr_limit, lr_fastest, near_kink, flips)')
    .addOption(new Option('--set <key=value>', 'override a config key, as for run; repeatable').argParser(collect).default([]))
    .addHelpText('after', '\nExamples:\n  neuron-tui inspect configs/linear.yaml\n  neuron-tui inspect configs/linear.yaml --at 50 --json\n')
    .action(async (config: string, flags) => {
      const { inspectCommand } = await import('./commands/inspect.js');
      setExitCode(inspectCommand(config, flags, io));
    });

  program
    .command('predict')
    .description(
      'apply a --save-weights file to the rows of a CSV: its columns plus a `prediction` column (loss, RMSE and R² on stderr when the target column is there)',
    )
    .argument('<weights>', 'JSON written by run --save-weights')
    .argument('<data>', "CSV with a header row naming at least the weights' features")
    .option('--out <file>', 'write the predictions to FILE instead of stdout')
    .option('--json', 'write one JSON object per row instead of CSV')
    .addHelpText(
      'after',
      '\nFeatures are matched by name and standardized with the statistics saved in WEIGHTS.\n\nExamples:\n  neuron-tui run configs/linear.yaml --save-weights w.json\n  neuron-tui predict w.json datasets/linear.csv --out predictions.csv\n',
    )
    .action(async (weights: string, data: string, flags) => {
      const { predictCommand } = await import('./commands/predict.js');
      setExitCode(predictCommand(weights, data, flags, io));
    });

  program
    .command('replay')
    .description('show a recorded --json/--out log in the dashboard (the summary without a terminal)')
    .argument('<log>', 'JSON lines written by run --json or --out')
    .option('--speed <x>', 're-play in time at X times the recorded pace (default: the finished run at once)', positiveNumber)
    .addOption(new Option('--pace <n>', 're-play at N epochs per second').argParser(positiveNumber).conflicts('speed'))
    .addHelpText('after', '\nExamples:\n  neuron-tui replay run.jsonl\n  neuron-tui replay run.jsonl --speed 0.5\n')
    .action(async (log: string, flags) => {
      const { replayCommand } = await import('./commands/logs.js');
      setExitCode(await replayCommand(log, flags, { ...io, stdin: process.stdin }));
    });

  program
    .command('compare')
    .description('overlay the loss curves of up to 6 logs or a sweep folder, labelled by the settings that differ, with a table of their outcomes')
    .argument('<logs...>', 'JSON lines written by run --json or --out, or a folder written by sweep')
    .option('--log', 'draw the losses on a log scale')
    .option('--csv', 'write the table as CSV to stdout (every run, a column per differing setting)')
    .addHelpText(
      'after',
      '\nA sweep folder of more than 6 runs shows the 6 with the lowest best loss (and says so on stderr).\n\nExamples:\n  neuron-tui compare slow.jsonl fast.jsonl\n  neuron-tui compare runs/linear-20260101-120000Z\n  neuron-tui compare runs/linear-20260101-120000Z --csv > lr.csv\n',
    )
    .action(async (logs: string[], flags) => {
      const { compareCommand } = await import('./commands/logs.js');
      setExitCode(await compareCommand(logs, flags, io));
    });

  program
    .command('schema')
    .description('print the JSON Schema of configs (for editors and other tools), or with --log of log lines')
    .option('--log', 'print the JSON Schema of one line of the JSON lines logs instead')
    .addHelpText('after', '\nExamples:\n  neuron-tui schema > schema.json\n  neuron-tui schema --log > log.schema.json\n')
    .action(async (flags: { log?: boolean }) => {
      if (flags.log) {
        const { logSchemaText } = await import('./logs/schema.js');
        io.stdout.write(logSchemaText());
      } else {
        const { schemaText } = await import('./config/schema.js');
        io.stdout.write(schemaText());
      }
      setExitCode(0);
    });

  program
    .command('init')
    .description('write a commented starter config that trains as written (synthetic data, or the CSV given to --data)')
    .argument('[file]', 'where to write it', 'neuron.yaml')
    .option('--data <csv>', 'a config for this CSV: the last column is the target, the others the features, standardized, with a stable learning rate')
    .option('--force', 'overwrite FILE if it exists')
    .addHelpText(
      'after',
      '\nExamples:\n  neuron-tui init my-neuron.yaml && neuron-tui run my-neuron.yaml\n  neuron-tui init houses.yaml --data datasets/houses.csv && neuron-tui run houses.yaml\n',
    )
    .action(async (file: string, flags) => {
      const { initCommand } = await import('./commands/init.js');
      setExitCode(initCommand(file, flags, io));
    });

  return program;
}

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = build((c) => (code = c));
  try {
    if (argv.length <= 2) {
      program.outputHelp({ error: true });
      return 2;
    }
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; every other commander error is a usage error.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : 2;
    }
    if (error instanceof InputError) {
      for (const line of formatProblems(error.problems)) process.stderr.write(`${line}\n`);
      return 2;
    }
    process.stderr.write(`neuron-tui: internal error (a bug, please report it): ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.internal;
  }
}

guardStandardStreams();
process.exitCode = settleExitCode(await main(process.argv));
