/** Σv² in [TINY, HUGE]: no square overflowed, and the ones that underflowed are below its last bit. */
const TINY = 2 ** -900;
const HUGE = 2 ** 1000;

/**
 * The Euclidean norm ‖(v, extra)‖ without overflow or underflow: finite entries always give a finite
 * norm, as Math.hypot does. The plain √Σv² when the sum is safely inside the range of doubles (every
 * ordinary case, and the cheap one); otherwise every entry is scaled by the largest magnitude first.
 */
export function norm(v: ArrayLike<number>, extra = 0): number {
  let sum = extra * extra;
  for (let j = 0; j < v.length; j++) sum += v[j] * v[j];
  if (sum > TINY && sum < HUGE) return Math.sqrt(sum);
  let largest = Math.abs(extra);
  for (let j = 0; j < v.length; j++) largest = Math.max(largest, Math.abs(v[j])); // NaN wins
  if (largest === 0 || !Number.isFinite(largest)) return largest;
  const e = extra / largest;
  let scaled = e * e;
  for (let j = 0; j < v.length; j++) {
    const s = v[j] / largest;
    scaled += s * s;
  }
  return largest * Math.sqrt(scaled);
}
