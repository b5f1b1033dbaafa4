/** The config after validation, defaults and `--set`: what a run is made of. Keys as in schema.json. */
export interface SyntheticData {
  samples: number;
  weights: number[];
  bias: number;
  noise: number;
  /** Absent in the file: the config's top-level `seed`. */
  seed?: number;
}

export interface DataConfig {
  path?: string;
  synthetic?: SyntheticData;
  target?: string;
  features?: string[];
  validation_split: number;
  standardize: boolean;
  missing: 'error' | 'skip';
  /** The CSV separator; `auto` (the default, filled by the schema) detects it. */
  delimiter?: 'auto' | ',' | ';' | '\t' | 'tab' | '|';
}

export type InitConfig =
  | { weights: number[]; bias: number }
  | { distribution: 'normal' | 'uniform'; scale: number; bias: number }
  /** A `--save-weights` file (absolute, or relative to the config file): its weights and bias. */
  | { from: string };

export interface EarlyStopping {
  patience: number;
  min_delta: number;
  /** End with the parameters at which the best monitored loss was measured. */
  restore_best?: boolean;
}

/** DESIGN.md, "Optimizers and schedules". */
export type OptimizerConfig =
  { type: 'sgd' } | { type: 'momentum'; momentum: number; nesterov: boolean } | { type: 'adam'; beta1: number; beta2: number; epsilon: number };

export type ScheduleConfig = (
  | { type: 'constant' }
  | { type: 'step'; every: number; factor: number }
  | { type: 'exponential'; factor: number }
  | { type: 'cosine'; min: number }
  | { type: 'plateau'; factor: number; patience: number; min: number }
) & { warmup_epochs: number };

export interface StopWhen {
  grad_norm_below?: number;
  loss_below?: number;
}

export interface RunConfig {
  name: string;
  data: DataConfig;
  learning_rate: number;
  epochs: number;
  batch_size: 'full' | number;
  shuffle: boolean;
  seed: number;
  init: InitConfig;
  early_stopping?: EarlyStopping;
  log_every: number;
  /** Absent (configs built in code): sgd, constant rate, no L2. A loaded config always has them. */
  optimizer?: OptimizerConfig;
  l2?: number;
  schedule?: ScheduleConfig;
  stop_when?: StopWhen;
  /** How full-batch epochs are computed (src/neuron/screened.ts); schema default `auto`. */
  engine?: 'auto' | 'pass' | 'screened';
}
