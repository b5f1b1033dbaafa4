import type { RunConfig } from '../config/types.js';

/** How a run ended; DESIGN.md maps each to an exit code. */
export type Status = 'completed' | 'early_stopped' | 'converged' | 'diverged' | 'dead' | 'interrupted';

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
  /** 1 − SSE/SST over the rows of `loss` (null when the targets are constant: SST = 0). */
  r2: number | null;
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

export function exitCodeFor(status: Status, signal?: 'SIGINT' | 'SIGTERM'): number {
  switch (status) {
    case 'completed':
    case 'early_stopped':
    case 'converged':
      return 0;
    case 'diverged':
    case 'dead':
      return 1;
    case 'interrupted':
      return signal === 'SIGTERM' ? 143 : 130;
  }
}
