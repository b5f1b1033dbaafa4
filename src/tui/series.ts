/**
 * A history of one metric that never grows past `capacity` buckets: when full, neighbouring
 * buckets merge pairwise and each bucket then covers twice as many epochs. Memory and drawing cost
 * stay the same after ten epochs and after ten million. Non-finite values are not averaged in.
 */
export class DecimatingSeries {
  private readonly sums: Float64Array;
  private readonly counts: Uint32Array;
  private length = 0;
  /** Epochs per bucket: 1, 2, 4, ... */
  private span = 1;
  /** Epochs pushed into the last bucket so far. */
  private filled = 0;

  constructor(readonly capacity = 1024) {
    if (capacity < 2 || capacity % 2 !== 0) throw new Error('capacity must be even and at least 2');
    this.sums = new Float64Array(capacity);
    this.counts = new Uint32Array(capacity);
  }

  push(value: number | null): void {
    if (this.length === 0 || this.filled === this.span) {
      if (this.length === this.capacity) this.halve();
      this.sums[this.length] = 0;
      this.counts[this.length] = 0;
      this.length++;
      this.filled = 0;
    }
    this.filled++;
    if (value !== null && Number.isFinite(value)) {
      this.sums[this.length - 1] += value;
      this.counts[this.length - 1]++;
    }
  }

  private halve(): void {
    const half = this.capacity / 2;
    for (let k = 0; k < half; k++) {
      this.sums[k] = this.sums[2 * k] + this.sums[2 * k + 1];
      this.counts[k] = this.counts[2 * k] + this.counts[2 * k + 1];
    }
    this.length = half;
    this.span *= 2;
    // The last merged bucket is complete (both halves were full), so the next push starts a new one.
    this.filled = this.span;
  }

  get size(): number {
    return this.length;
  }

  /** The bucket means, oldest first (NaN where a bucket saw no finite value). */
  values(): number[] {
    const out = new Array<number>(this.length);
    for (let k = 0; k < this.length; k++) out[k] = this.counts[k] ? this.sums[k] / this.counts[k] : NaN;
    return out;
  }
}
