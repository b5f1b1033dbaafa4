import { shownPath } from '../paths.js';
import { accessSync, constants, fstatSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError, type Problem } from '../errors.js';
import { fileErrorCause } from './causes.js';
import { liveHolder } from './lock.js';
import { locate, type Located } from './locate.js';

/** A file the user named on the command line or in a config. */
export interface NamedFile {
  /** How the user named it, for messages: `--out run.jsonl`, `the config a.yaml`, `the data file d.csv`. */
  where: string;
  path: string;
}

/** A located file, or the standard output (which a run writes too). */
interface Place {
  where: string;
  located: Located;
}

/** What a character device stores: nothing (/dev/null, a terminal), so two of them never clash. */
const storesNothing = (p: Place): boolean => p.located.kind === 'device' || p.located.stat?.isCharacterDevice() === true;

function sameFile(a: Located, b: Located): boolean {
  return (a.id !== undefined && a.id === b.id) || (a.real !== undefined && a.real === b.real);
}

/** Why an output could not be written, found before anything is trained; undefined when it looks writable. */
function unwritable(located: Located): string | undefined {
  switch (located.kind) {
    case 'folder':
      return 'it is a folder; give a file name';
    case 'other':
      return 'it is a block device or a socket; give a regular file, a pipe or /dev/null';
    case 'missing': {
      const folder = dirname(located.path);
      const stat = statSync(folder, { throwIfNoEntry: false });
      if (!stat) return `the folder ${folder} does not exist`;
      if (!stat.isDirectory()) return `${folder} is not a folder`;
      return writableFolder(folder);
    }
    case 'file': {
      // A file without write permission was protected on purpose: root may write it, but we do not.
      if (((located.stat?.mode ?? 0o200) & 0o222) === 0) return 'the file is read-only; make it writable (chmod u+w) or choose another file';
      try {
        accessSync(located.path, constants.W_OK);
      } catch (error) {
        return fileErrorCause(error);
      }
      return writableFolder(dirname(located.path));
    }
    default:
      return undefined;
  }
}

function writableFolder(folder: string): string | undefined {
  try {
    accessSync(folder, constants.W_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? `no permission to write in ${folder}` : `${fileErrorCause(error)} (${folder})`;
  }
}

/** The standard output when it stores what is written (a file) or carries it on (a pipe); not a terminal. */
function standardOutput(): Place | null {
  try {
    const stat = fstatSync(1);
    if (stat.isCharacterDevice()) return null;
    return {
      where: 'the standard output',
      located: { given: '/dev/stdout', path: '/dev/stdout', kind: 'descriptor', fd: 1, id: `${stat.dev}:${stat.ino}`, stat },
    };
  } catch {
    return null;
  }
}

/**
 * Before anything is trained or written: every output must be writable, must not be one of the
 * inputs (by real path or by device and inode, so `sub/../data.csv`, symbolic and hard links
 * are all caught), must not be another output or the standard output, and must not be a log
 * that a live run is writing. Throws one InputError naming every clash; returns the outputs as
 * located. A sweep passes each file it will write into its folder as one output.
 */
export function checkOutputs(inputs: readonly NamedFile[], outputs: readonly NamedFile[], options: { stdout?: boolean } = {}): Located[] {
  const problems: Problem[] = [];
  const seen: Place[] = [];
  for (const input of inputs) {
    try {
      seen.push({ where: input.where, located: locate(input.path) });
    } catch {
      // An input that cannot be looked at was reported when it was read.
    }
  }
  const stdout = options.stdout === false ? null : standardOutput();
  if (stdout) {
    // `run c.yaml --json >> data.csv` would append the log to the data.
    const input = seen.find((other) => sameFile(stdout.located, other.located));
    if (input) problems.push({ where: stdout.where, message: `is the same file as ${input.where}, which it would overwrite; redirect it elsewhere` });
    seen.push(stdout);
  }
  const located: Located[] = [];
  for (const output of outputs) {
    let place: Place;
    try {
      place = { where: output.where, located: locate(output.path) };
    } catch (error) {
      problems.push({ where: output.where, message: `cannot write the file: ${fileErrorCause(error)}` });
      continue;
    }
    const why = unwritable(place.located);
    if (why) problems.push({ where: output.where, message: `cannot write the file: ${why}` });
    const clash = storesNothing(place) ? undefined : seen.find((other) => !storesNothing(other) && sameFile(place.located, other.located));
    if (clash) {
      const input = inputs.some((i) => i.where === clash.where);
      problems.push({
        where: output.where,
        message: input
          ? `is the same file as ${clash.where}, which it would overwrite; choose another file`
          : `is the same file as ${clash.where}; give each output its own file`,
      });
    }
    const holder = place.located.real && (place.located.kind === 'file' || place.located.kind === 'missing') ? liveHolder(place.located.real) : null;
    if (holder)
      problems.push({ where: output.where, message: `is being written by another run (process ${holder.pid}); wait for it to end or choose another file` });
    seen.push(place);
    located.push(place.located);
  }
  if (problems.length) throw new InputError(problems);
  return located;
}

/** What a run reads: the config file, the data file when the data is a CSV, the `init.from` weights when it starts from them. */
export interface RunSources {
  file: string;
  dataFile?: string;
  weightsFile?: string;
}

/** The files a run reads, each named for messages. */
export function runInputs(sources: RunSources): NamedFile[] {
  const inputs = [{ where: `the config ${sources.file}`, path: sources.file }];
  if (sources.dataFile) inputs.push({ where: `the data file ${shownPath(sources.dataFile)}`, path: sources.dataFile });
  if (sources.weightsFile) inputs.push({ where: `the weights file ${shownPath(sources.weightsFile)} (init.from)`, path: sources.weightsFile });
  return inputs;
}

/** `checkOutputs` for a run's flags, e.g. `[['--out', flags.out], ['--save-weights', flags.saveWeights]]`; unset flags are skipped. */
export function checkRunFiles(loaded: RunSources, flags: readonly [flag: string, path: string | undefined][]): void {
  const outputs = flags.filter((f): f is [string, string] => f[1] !== undefined).map(([flag, path]) => ({ where: `${flag} ${path}`, path }));
  checkOutputs(runInputs(loaded), outputs);
}
