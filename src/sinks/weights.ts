import { writeWholeFile } from '../files/write.js';

export interface SavedWeights {
  weights: number[];
  bias: number;
  features: string[];
  target: string;
  /** Present when the features were z-scored: apply them to new rows before w·x + b. */
  standardization?: { mean: number[]; std: number[] };
}

/**
 * Writes the weights file atomically (the file is the old one or the whole new one), through
 * symbolic links; a pipe or `/dev/stdout` is written directly (see writeWholeFile).
 */
export function saveWeights(path: string, saved: SavedWeights): void {
  writeWholeFile(path, `${JSON.stringify(saved, null, 2)}\n`, `--save-weights ${path}`, 'write the weights');
}
