import type { RunConfig } from '../config/types.js';

/**
 * How a run ends: the one vocabulary. The JSON `status`, the exit code, the word the dashboard
 * shows and the help text all derive from this list (DESIGN.md, "Exit codes").
 */
export const STATUSES = [
  { status: 'completed', exitCode: 0, label: 'completed', failed: false },
  { status: 'early_stopped', exitCode: 0, label: 'early_stopped', failed: false },
  { status: 'converged', exitCode: 0, label: 'converged', failed: false },
  { status: 'diverged', exitCode: 1, label: 'diverged', failed: true },
  { status: 'dead', exitCode: 1, label: 'dead', failed: true },
  { status: 'interrupted', exitCode: 130, label: 'interrupted', failed: false },
] as const;

export type Status = (typeof STATUSES)[number]['status'];

/** The signals a run stops cleanly on (writing its `end` event), with their shell exit codes. */
export const SIGNALS = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNALS;

/** Exit codes that are not a run's status. */
/** `stdoutClosed`: the reader of stdout went away (`| head`), as for a process ended by SIGPIPE (128 + 13). */
export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 70, stdoutClosed: 141 } as const;

const BY_STATUS = new Map<string, (typeof STATUSES)[number]>(STATUSES.map((s) => [s.status, s]));

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && BY_STATUS.has(value);
}

/** The word the screens show for a status: the JSON's own, so the dashboard, logs and exit codes agree. */
export function statusLabel(status: Status): string {
  return BY_STATUS.get(status)?.label ?? status;
}

export function exitCodeFor(status: Status, signal?: StopSignal): number {
  if (status === 'interrupted' && signal) return SIGNALS[signal];
  return BY_STATUS.get(status)?.exitCode ?? EXIT.internal;
}

/** The exit codes paragraph of `--help`, written from the vocabulary above. */
export function exitCodesHelp(): string {
  const words = (exitCode: number): string =>
    STATUSES.filter((s) => s.exitCode === exitCode)
      .map((s) => s.status.replace('_', '-'))
      .join(', ');
  const signals = Object.entries(SIGNALS)
    .map(([name, code]) => `${code} ${name}${name === 'SIGINT' ? ' or q' : ''}`)
    .join(', ');
  return (
    `Exit codes: ${EXIT.ok} ${words(0)}, ${EXIT.failed} training failed (${words(1)}), gradcheck failed or inconclusive,\n` +
    `--assert-loss exceeded, or a sweep with a failed run; ` +
    `${EXIT.usage} usage, config, data or file error,\n${signals} (each still writes the end event), ${EXIT.stdoutClosed} the reader of stdout went away,\n` +
    `${EXIT.internal} an internal error (a bug; never for bad input).\n`
  );
}

export interface StartEvent {
  type: 'start';
  config: RunConfig;
  dataset: {
    train: number;
    validation: number;
    features: string[];
    target: string;
    source: string;
    /** Rows dropped under `data.missing: skip`. */
    skipped: number;
    /** The CSV's separator as read (`,` `;` tab `|`); absent for synthetic data. */
    delimiter?: string;
  };
}

export interface EpochEvent {
  type: 'epoch';
  epoch: number;
  loss: number;
  val_loss: number | null;
  active_ratio: number;
  val_active_ratio: number | null;
  weight_norm: number;
  bias: number;
  grad_norm: number;
  learning_rate: number;
  /** 1 − SSE/SST over the rows of `loss`; null when the targets are constant. */
  r2: number | null;
  /** The same over the validation rows; null without validation or with constant targets. */
  val_r2: number | null;
  elapsed_ms: number;
}

export interface EndEvent {
  type: 'end';
  status: Status;
  epochs: number;
  weights: number[];
  bias: number;
  loss: number;
  /** Validation loss at the final parameters; null without a validation set. */
  val_loss: number | null;
  best_epoch: number | null;
  best_loss: number | null;
  elapsed_ms: number;
}

export type TrainingEvent = StartEvent | EpochEvent | EndEvent;
