/** A stretch of epochs summarised: their mean, extremes, and whether any was not a finite number. */
export interface Bucket {
  /** Mean of the finite values; NaN when there were none. */
  value: number;
  lo: number;
  hi: number;
  /** Some epoch in it was NaN or infinite (drawn as a gap with a marker). */
  broken: boolean;
}

/**
 * A history of one metric that never grows past `capacity` buckets: when full, neighbouring
 * buckets merge pairwise and each bucket then covers twice as many epochs. Each bucket keeps the
 * mean, the minimum and the maximum of its epochs, so a one-epoch spike survives any number of
 * merges. Memory and drawing cost stay the same after ten epochs and after ten million.
 */
export class DecimatingSeries {
  private readonly sums: Float64Array;
  private readonly counts: Uint32Array;
  private readonly los: Float64Array;
  private readonly his: Float64Array;
  private readonly broken: Uint8Array;
  private length = 0;
  /** Epochs per bucket: 1, 2, 4, ... */
  private span = 1;
  /** Epochs pushed into the last bucket so far. */
  private filled = 0;
  /**
   * The Bucket objects handed out by buckets(), reused for the buckets that cannot have changed
   * since: all but the last handed out, until the next halving. A view asked for on every frame then
   * makes a few new objects, not one per bucket (about 8,000 per frame for a store's eight series,
   * and their garbage).
   */
  private handedOut: Bucket[] = [];

  constructor(readonly capacity = 1024) {
    if (capacity < 2 || capacity % 2 !== 0) throw new Error('capacity must be even and at least 2');
    this.sums = new Float64Array(capacity);
    this.counts = new Uint32Array(capacity);
    this.los = new Float64Array(capacity);
    this.his = new Float64Array(capacity);
    this.broken = new Uint8Array(capacity);
  }

  push(value: number | null): void {
    if (this.length === 0 || this.filled === this.span) {
      if (this.length === this.capacity) this.halve();
      const k = this.length++;
      this.sums[k] = 0;
      this.counts[k] = 0;
      this.los[k] = Infinity;
      this.his[k] = -Infinity;
      this.broken[k] = 0;
      this.filled = 0;
    }
    this.filled++;
    const k = this.length - 1;
    if (value === null) return; // no value this epoch (e.g. no validation set): not a break
    if (!Number.isFinite(value)) {
      this.broken[k] = 1;
      return;
    }
    this.sums[k] += value;
    this.counts[k]++;
    if (value < this.los[k]) this.los[k] = value;
    if (value > this.his[k]) this.his[k] = value;
  }

  private halve(): void {
    const half = this.capacity / 2;
    for (let k = 0; k < half; k++) {
      const [a, b] = [2 * k, 2 * k + 1];
      this.sums[k] = this.sums[a] + this.sums[b];
      this.counts[k] = this.counts[a] + this.counts[b];
      this.los[k] = Math.min(this.los[a], this.los[b]);
      this.his[k] = Math.max(this.his[a], this.his[b]);
      this.broken[k] = this.broken[a] | this.broken[b];
    }
    this.length = half;
    this.span *= 2;
    this.handedOut = []; // every bucket changed
    // The last merged bucket is complete (both halves were full), so the next push starts a new one.
    this.filled = this.span;
  }

  get size(): number {
    return this.length;
  }

  /** Epochs each bucket covers (the last one may hold fewer so far). */
  get epochsPerBucket(): number {
    return this.span;
  }

  /** The bucket means, oldest first (NaN where a bucket saw no finite value). */
  values(): number[] {
    const out = new Array<number>(this.length);
    for (let k = 0; k < this.length; k++) out[k] = this.counts[k] ? this.sums[k] / this.counts[k] : NaN;
    return out;
  }

  /**
   * The buckets, oldest first: a new array each call, whose Bucket objects are never changed after
   * (an unchanged bucket is the same object as in the previous call).
   */
  buckets(): Bucket[] {
    const made = this.handedOut;
    // Of the buckets handed out, only the last can have changed since (pushes go to the last
    // bucket, then to new ones); a halving empties `made`.
    made.length = Math.max(0, made.length - 1);
    for (let k = made.length; k < this.length; k++) {
      const some = this.counts[k] > 0;
      made.push({
        value: some ? this.sums[k] / this.counts[k] : NaN,
        lo: some ? this.los[k] : NaN,
        hi: some ? this.his[k] : NaN,
        broken: this.broken[k] === 1,
      });
    }
    return made.slice();
  }
}

/**
 * TensorBoard's smoothing: an exponential moving average debiased for its zero start, so the
 * first points are not pulled towards 0. Non-finite values are skipped (they leave it unchanged).
 */
export class DebiasedEma {
  private last = 0;
  private steps = 0;

  constructor(readonly weight: number) {}

  /** The smoothed value after `value`; a missing or non-finite value passes through, as in TensorBoard. */
  push(value: number | null): number | null {
    if (value === null || !Number.isFinite(value)) return value;
    this.last = this.last * this.weight + (1 - this.weight) * value;
    this.steps++;
    return this.last / (1 - this.weight ** this.steps);
  }
}
