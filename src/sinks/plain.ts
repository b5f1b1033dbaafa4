import { formatDuration, formatNumber, formatPercent, formatVector } from '../format.js';
import type { RunConfig } from '../config/types.js';
import type { EndEvent, EpochEvent, StartEvent } from '../train/events.js';

/**
 * The words around the learning rate in trainingText: `adam, learning rate ` and ` (cosine, 10
 * warm-up epochs)`. The dashboard puts the rate in use between them, coloured when `+`/`-` changed it.
 */
export function trainingWords(config: RunConfig): { before: string; after: string } {
  const optimizer = config.optimizer?.type ?? 'sgd';
  const schedule = config.schedule;
  const l2 = config.l2 ? `, l2 ${config.l2}` : '';
  const warmup = schedule?.warmup_epochs ? `, ${schedule.warmup_epochs} warm-up epochs` : '';
  const scheduled = schedule && (schedule.type !== 'constant' || warmup) ? ` (${schedule.type}${warmup})` : '';
  return { before: `${optimizer}, learning rate `, after: `${scheduled}${l2}` };
}

/** The optimizer, rate and schedule in a few words: `adam, learning rate 0.5 (cosine, 10 warm-up epochs)`. */
export function trainingText(config: RunConfig): string {
  const { before, after } = trainingWords(config);
  return `${before}${config.learning_rate}${after}`;
}

/** Plain progress for logs and pipes: no cursor movement, about twenty lines per run. */
export class PlainProgress {
  private every = 1;
  private total = 1;
  private last: EpochEvent | null = null;
  private printed = 0;

  constructor(private readonly write: (text: string) => void) {}

  start(event: StartEvent): void {
    const { config, dataset } = event;
    this.total = config.epochs;
    this.every = Math.max(1, Math.ceil(config.epochs / 20));
    const validation = dataset.validation ? ` + ${dataset.validation} validation` : '';
    const skipped = dataset.skipped ? ` (${dataset.skipped} rows skipped)` : '';
    this.write(
      `${config.name}: ${dataset.source}, ${dataset.train} training${validation} rows${skipped} × ${dataset.features.length} features → ${dataset.target}\n` +
        `${trainingText(config)}, batch ${config.batch_size}, up to ${config.epochs} epochs, seed ${config.seed}\n`,
    );
  }

  /** Every epoch passes through; roughly one in twenty is printed, and the last. */
  epoch(event: EpochEvent, last: boolean): void {
    this.last = event;
    if (!last && event.epoch % this.every !== 0) return;
    this.printed = event.epoch;
    const width = String(this.total).length;
    const validation = event.val_loss === null ? '' : `  val_loss ${formatNumber(event.val_loss)}`;
    const r2 = event.r2 === null || event.r2 === undefined ? '' : `  R² ${formatNumber(event.r2)}`;
    this.write(
      `epoch ${String(event.epoch).padStart(width)}/${this.total}  loss ${formatNumber(event.loss)}${r2}${validation}` +
        `  active ${formatPercent(event.active_ratio)}  |w| ${formatNumber(event.weight_norm)}  bias ${formatNumber(event.bias)}\n`,
    );
  }

  end(event: EndEvent, features: string[]): void {
    // An interrupted run ends between epochs: show where it stopped.
    if (this.last && this.printed !== this.last.epoch) this.epoch(this.last, true);
    const best = event.best_epoch === null ? '' : ` (best ${formatNumber(event.best_loss)} at epoch ${event.best_epoch})`;
    this.write(
      `${event.status} after ${event.epochs} epochs in ${formatDuration(event.elapsed_ms)}: loss ${formatNumber(event.loss)}${best}\n` +
        `weights ${formatVector(event.weights)} (${features.slice(0, 8).join(', ')}${features.length > 8 ? ', …' : ''}), bias ${formatNumber(event.bias)}\n`,
    );
  }
}
