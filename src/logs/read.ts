import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { isStatus, type EndEvent, type EpochEvent, type StartEvent } from '../train/events.js';

/** A recorded run: what `--json` or `--out` wrote. `end` is null when the process was killed. */
export interface RunLog {
  file: string;
  start: StartEvent;
  epochs: EpochEvent[];
  end: EndEvent | null;
}

const EPOCH_NUMBERS = ['epoch', 'loss', 'active_ratio', 'learning_rate', 'elapsed_ms'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON writes a non-finite number as null: read it back as NaN so charts skip it. */
function numberOrNaN(value: unknown): number {
  return typeof value === 'number' ? value : NaN;
}

/**
 * Reads a neuron-tui log. A file that is not one is refused at its first bad line; a log cut
 * short (a killed run) is fine.
 */
export function readRunLog(file: string): RunLog {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError([{ where: file, message: `cannot read the log: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(code)}` }]);
  }
  const bad = (line: number, message: string): never => {
    throw new InputError([{ where: `${file}:${line}`, message: `not a neuron-tui log: ${message}` }]);
  };
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) bad(1, 'the file is empty; expected JSON lines from `neuron-tui run --json` or `--out`');

  let start: StartEvent | null = null;
  const epochs: EpochEvent[] = [];
  let end: EndEvent | null = null;
  lines.forEach((line, index) => {
    const n = index + 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      bad(n, `line ${n} is not JSON`);
    }
    if (!isObject(value) || typeof value.type !== 'string') bad(n, 'expected an object with a `type`');
    const event = value as Record<string, unknown>;
    if (end) bad(n, 'a line after the `end` event');
    if (n === 1) {
      if (event.type !== 'start' || !isObject(event.config) || !isObject(event.dataset)) bad(n, 'the first line must be the `start` event with `config` and `dataset`');
      start = event as unknown as StartEvent;
    } else if (event.type === 'epoch') {
      for (const key of EPOCH_NUMBERS) if (typeof event[key] !== 'number') bad(n, `the epoch event has no number \`${key}\``);
      epochs.push({
        ...(event as unknown as EpochEvent),
        loss: numberOrNaN(event.loss),
        weight_norm: numberOrNaN(event.weight_norm),
        bias: numberOrNaN(event.bias),
        grad_norm: numberOrNaN(event.grad_norm),
      });
    } else if (event.type === 'end') {
      if (typeof event.status !== 'string' || !isStatus(event.status) || typeof event.epochs !== 'number') bad(n, 'the end event needs a known `status` and `epochs`');
      end = { ...(event as unknown as EndEvent), loss: numberOrNaN(event.loss), bias: numberOrNaN(event.bias) };
    } else {
      bad(n, `unexpected event type ${JSON.stringify(event.type)} (expected start, epoch or end)`);
    }
  });
  return { file, start: start as unknown as StartEvent, epochs, end };
}

/** The end of a log, or, for a killed run, what its last epoch says. */
export function logOutcome(log: RunLog): { status: string; epochs: number; loss: number; best: { epoch: number; loss: number } | null } {
  let best: { epoch: number; loss: number } | null = null;
  for (const e of log.epochs) {
    const monitored = e.val_loss ?? e.loss;
    if (Number.isFinite(monitored) && (best === null || monitored < best.loss)) best = { epoch: e.epoch, loss: monitored };
  }
  const last = log.epochs[log.epochs.length - 1];
  if (log.end) {
    const endBest = log.end.best_epoch === null || log.end.best_loss === null ? best : { epoch: log.end.best_epoch, loss: log.end.best_loss };
    return { status: log.end.status, epochs: log.end.epochs, loss: log.end.val_loss ?? log.end.loss, best: endBest };
  }
  return { status: 'cut short', epochs: last?.epoch ?? 0, loss: last ? (last.val_loss ?? last.loss) : NaN, best };
}
