import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { fileErrorCause } from '../files/causes.js';

/** What a sweep folder's sweep.json says of one run (only what compare needs). */
interface SummaryRun {
  run: string;
  status: string;
  log: string;
}

function isSummary(value: unknown): value is { runs: SummaryRun[] } {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { runs?: unknown }).runs)) return false;
  return (value as { runs: unknown[] }).runs.every(
    (r) => typeof r === 'object' && r !== null && typeof (r as SummaryRun).log === 'string' && typeof (r as SummaryRun).status === 'string',
  );
}

/**
 * The logs of a sweep folder, in the sweep's order: those sweep.json lists (a run the sweep
 * never started has no log), or, without a sweep.json, every *.jsonl in it by name.
 */
export function sweepFolderLogs(dir: string): string[] {
  const summaryFile = join(dir, 'sweep.json');
  let logs: string[];
  if (existsSync(summaryFile)) {
    let summary: unknown;
    try {
      summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
    } catch (error) {
      const why = error instanceof SyntaxError ? `it is not JSON (${error.message})` : fileErrorCause(error);
      throw new InputError([{ where: summaryFile, message: `cannot read the sweep summary: ${why}` }]);
    }
    if (!isSummary(summary)) {
      throw new InputError([
        { where: summaryFile, message: 'not a sweep summary: expected {"runs": [{"run", "status", "log"}, ...]} as `neuron-tui sweep` writes it' },
      ]);
    }
    logs = summary.runs.filter((r) => r.status !== 'not_started').map((r) => join(dir, r.log));
  } else {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (error) {
      throw new InputError([{ where: dir, message: `cannot read the folder: ${fileErrorCause(error)}` }]);
    }
    logs = names
      .filter((name) => name.endsWith('.jsonl'))
      .sort()
      .map((name) => join(dir, name));
  }
  if (logs.length === 0)
    throw new InputError([{ where: dir, message: 'no logs in this folder; expected a sweep folder (sweep.json and its *.jsonl logs) or a log file' }]);
  return logs;
}

/** Whether a path names a folder (a sweep's); a missing path is left for the log reader to report. */
export function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
