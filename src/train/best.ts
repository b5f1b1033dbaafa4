/** The lowest monitored loss so far and the epoch it was measured at. */
export interface Best {
  epoch: number;
  loss: number;
}

/**
 * The "best so far" rule, in one place for the trainer, the dashboard and the log reader: a finite
 * monitored loss strictly below the best so far replaces it (the first finite one starts it).
 */
export function bestSoFar(best: Best | null, epoch: number, monitored: number): Best | null {
  if (!Number.isFinite(monitored)) return best;
  return best === null || monitored < best.loss ? { epoch, loss: monitored } : best;
}

/** The loss a run watches: validation loss when there is a validation set, else the training loss. */
export function monitoredLoss(event: { loss: number; val_loss: number | null }): number {
  return event.val_loss ?? event.loss;
}
