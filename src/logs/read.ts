import { fileErrorCause } from '../files/causes.js';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from '../errors.js';
import { bestSoFar, monitoredLoss, type Best } from '../train/best.js';
import type { EndEvent, EpochEvent, StartEvent } from '../train/events.js';
import { describeEventError, eventValidator, type EventType } from './schema.js';

/**
 * A recorded run: what `--json` or `--out` wrote. `end` is null when the process was killed.
 * `epochs` holds every epoch of a log of up to KEPT_EPOCHS epochs; a longer log keeps, of each
 * stretch, the epochs with the lowest and highest loss (and always the last), so memory stays
 * bounded however long the run was; `epochCount` and `best` are over every epoch.
 */
export interface RunLog {
  file: string;
  start: StartEvent;
  epochs: EpochEvent[];
  end: EndEvent | null;
  /** Epoch lines read (absent: `epochs.length`). */
  epochCount?: number;
  /** Lowest monitored loss over every epoch (absent: computed from `epochs`). */
  best?: { epoch: number; loss: number } | null;
  /** The file ended in the middle of a line (a killed writer); that line was not read. */
  cutMidLine?: boolean;
}

/** Epoch events kept in memory; twice this triggers a thinning. */
export const KEPT_EPOCHS = 4096;
/** A line longer than this is not a log line (a start event with a 1 MiB config is far below). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

const EXPECTED = 'expected JSON lines from `neuron-tui run --json` or `--out`';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON writes a non-finite number as null: read it back as NaN so charts and tables skip it. */
function finiteOrNaN(value: unknown): number {
  return typeof value === 'number' ? value : NaN;
}

/** A validation-only field: null means "no validation set" without one, "not finite" with one. */
function validationValue(value: unknown, hasValidation: boolean): number | null {
  if (typeof value === 'number') return value;
  return hasValidation ? NaN : null;
}

/**
 * The lines of a file, read in chunks so that memory is bounded by the longest line, not the file.
 * The last line is yielded with `complete: false` when the file does not end with a newline.
 */
function* fileLines(fd: number, where: (line: number) => string): Generator<{ text: string; number: number; complete: boolean }> {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let pieces: Buffer[] = [];
  let pending = 0;
  let number = 1;
  for (;;) {
    const read = readSync(fd, buffer, 0, CHUNK_BYTES, null);
    if (read === 0) break;
    let from = 0;
    for (let lf = buffer.indexOf(10, 0); lf !== -1 && lf < read; lf = buffer.indexOf(10, from)) {
      const tail = buffer.subarray(from, lf);
      const bytes = pieces.length ? Buffer.concat([...pieces, tail]) : tail;
      yield { text: bytes.toString('utf8'), number: number++, complete: true };
      pieces = [];
      pending = 0;
      from = lf + 1;
    }
    if (from < read) {
      pieces.push(Buffer.from(buffer.subarray(from, read)));
      pending += read - from;
      if (pending > MAX_LINE_BYTES) {
        throw new InputError([
          { where: where(number), message: `not a neuron-tui log: line ${number} is longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB; ${EXPECTED}` },
        ]);
      }
    }
  }
  if (pending > 0) yield { text: Buffer.concat(pieces).toString('utf8'), number, complete: false };
}

/** Keeps the lowest- and highest-loss epoch of every four (and the last), halving the list. */
function thin(epochs: EpochEvent[]): EpochEvent[] {
  const last = epochs[epochs.length - 1];
  const kept: EpochEvent[] = [];
  for (let i = 0; i < epochs.length - 1; i += 4) {
    const group = epochs.slice(i, Math.min(i + 4, epochs.length - 1));
    let low = group[0];
    let high = group[0];
    for (const e of group) {
      const loss = monitoredLoss(e);
      if (loss < monitoredLoss(low)) low = e;
      // A non-finite loss (a divergence) is kept as the stretch's high point.
      if (!(loss <= monitoredLoss(high))) high = e;
    }
    kept.push(...group.filter((e) => e === low || e === high));
  }
  kept.push(last);
  return kept;
}

/**
 * Reads a neuron-tui log as a stream. Every line is checked against log.schema.json and the order
 * start, epochs, end; anything else is refused at its line with what was expected. A log cut short
 * (a killed run: no `end`, or a last line cut in the middle) is read up to its last whole line.
 */
export function readRunLog(file: string): RunLog {
  let fd: number;
  try {
    fd = openSync(file, 'r');
    if (fstatSync(fd).isDirectory()) {
      closeSync(fd);
      throw new InputError([{ where: file, message: 'cannot read the log: it is a folder; give a file written by `neuron-tui run --out`' }]);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError([{ where: file, message: `cannot read the log: ${fileErrorCause(error)}` }]);
  }
  try {
    return readLines(file, fd);
  } catch (error) {
    if (error instanceof InputError) throw error;
    if ((error as NodeJS.ErrnoException).code) throw new InputError([{ where: file, message: `cannot read the log: ${fileErrorCause(error)}` }]);
    throw error;
  } finally {
    closeSync(fd);
  }
}

function readLines(file: string, fd: number): RunLog {
  const bad = (line: number, message: string): never => {
    throw new InputError([{ where: `${file}:${line}`, message: `not a neuron-tui log: ${message}` }]);
  };
  let start: StartEvent | null = null;
  let hasValidation = false;
  let epochs: EpochEvent[] = [];
  let epochCount = 0;
  let lastEpoch = 0;
  let best: Best | null = null;
  let end: EndEvent | null = null;
  let cutMidLine = false;

  for (const line of fileLines(fd, (n) => `${file}:${n}`)) {
    const n = line.number;
    const text = n === 1 ? line.text.replace(/^\uFEFF/, '') : line.text;
    if (text.trim() === '') continue;
    if (end) bad(n, 'a line after the `end` event; a log ends with its `end` event');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      if (!line.complete && start) {
        // The writer was killed in the middle of this line: the log is cut short here.
        cutMidLine = true;
        break;
      }
      bad(n, line.complete ? `line ${n} is not JSON; ${EXPECTED}` : `the file ends inside line ${n}, before a whole \`start\` event`);
    }
    if (!isObject(value) || typeof value.type !== 'string') bad(n, `line ${n} is not an event (an object with a \`type\`); ${EXPECTED}`);
    const event = value as Record<string, unknown>;
    const type = event.type as string;
    if (type !== 'start' && type !== 'epoch' && type !== 'end') {
      bad(n, `unexpected event type ${JSON.stringify(type).slice(0, 40)}; expected start, epoch or end`);
    }
    if (start === null && type !== 'start') bad(n, `the first line is ${JSON.stringify(type)}; a log starts with the \`start\` event`);
    if (start !== null && type === 'start') bad(n, 'a second `start` event; a log holds one run (are two logs joined or interleaved?)');
    const validate = eventValidator(type as EventType);
    if (!validate(event)) bad(n, describeEventError(type as EventType, event, validate.errors![0]));

    if (type === 'start') {
      start = event as unknown as StartEvent;
      start.dataset.skipped ??= 0;
      hasValidation = start.dataset.validation > 0;
    } else if (type === 'epoch') {
      const epoch = event.epoch as number;
      if (epoch <= lastEpoch) bad(n, `epoch ${epoch} comes after epoch ${lastEpoch}; expected increasing epochs (are two logs interleaved?)`);
      lastEpoch = epoch;
      const read: EpochEvent = {
        ...(event as unknown as EpochEvent),
        loss: finiteOrNaN(event.loss),
        val_loss: validationValue(event.val_loss, hasValidation),
        active_ratio: finiteOrNaN(event.active_ratio),
        val_active_ratio: validationValue(event.val_active_ratio, hasValidation),
        weight_norm: finiteOrNaN(event.weight_norm),
        bias: finiteOrNaN(event.bias),
        grad_norm: finiteOrNaN(event.grad_norm),
        learning_rate: finiteOrNaN(event.learning_rate),
      };
      epochCount++;
      const monitored = monitoredLoss(read);
      best = bestSoFar(best, epoch, monitored);
      epochs.push(read);
      if (epochs.length >= 2 * KEPT_EPOCHS) epochs = thin(epochs);
    } else {
      end = {
        ...(event as unknown as EndEvent),
        weights: (event.weights as unknown[]).map(finiteOrNaN),
        bias: finiteOrNaN(event.bias),
        loss: finiteOrNaN(event.loss),
        val_loss: validationValue(event.val_loss, hasValidation),
        best_loss: event.best_epoch === null ? null : finiteOrNaN(event.best_loss),
      };
    }
  }
  if (start === null) bad(1, `the file is empty; ${EXPECTED}`);
  return { file, start: start as unknown as StartEvent, epochs, end, epochCount, best, cutMidLine };
}

/** The end of a log, or, for a killed run, what its last epoch says. */
export function logOutcome(log: RunLog): { status: string; epochs: number; loss: number; best: { epoch: number; loss: number } | null } {
  let best = log.best;
  if (best === undefined) {
    best = null;
    for (const e of log.epochs) best = bestSoFar(best, e.epoch, monitoredLoss(e));
  }
  const last = log.epochs[log.epochs.length - 1];
  if (log.end) {
    const endBest = log.end.best_epoch === null || log.end.best_loss === null ? best : { epoch: log.end.best_epoch, loss: log.end.best_loss };
    return { status: log.end.status, epochs: log.end.epochs, loss: log.end.val_loss ?? log.end.loss, best: endBest };
  }
  return { status: 'cut short', epochs: last?.epoch ?? 0, loss: last ? monitoredLoss(last) : NaN, best };
}
