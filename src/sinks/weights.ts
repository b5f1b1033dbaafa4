import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface SavedWeights {
  weights: number[];
  bias: number;
  features: string[];
  target: string;
  /** Present when the features were z-scored: apply them to new rows before w·x + b. */
  standardization?: { mean: number[]; std: number[] };
}

/** Writes to a temporary file beside the target and renames it: the file is the old one or the whole new one. */
export function saveWeights(path: string, saved: SavedWeights): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, `${JSON.stringify(saved, null, 2)}\n`);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
