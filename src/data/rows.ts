/**
 * Row storage for datasets: shared memory (see src/memory/arena.ts), so the training kernel's
 * worker threads, and its WebAssembly SIMD code, read the rows where they are.
 */
export { rowArray } from '../memory/arena.js';
