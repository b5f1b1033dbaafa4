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
}

export type InitConfig =
  | { weights: number[]; bias: number }
  | { distribution: 'normal' | 'uniform'; scale: number; bias: number };

export interface EarlyStopping {
  patience: number;
  min_delta: number;
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
  /** How full-batch epochs are computed (src/neuron/screened.ts); schema default `auto`. */
  engine?: 'auto' | 'pass' | 'screened';
}
