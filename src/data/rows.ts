/**
 * Row storage for datasets: Float64Arrays on a SharedArrayBuffer, so the training kernel's worker
 * threads read the rows where they are, without a copy.
 */
export function rowArray(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}
