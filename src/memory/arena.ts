/**
 * Where dataset rows live: one shared WebAssembly memory, handed out by a bump allocator. Shared,
 * so worker threads read the rows without a copy; WebAssembly memory, so the SIMD kernel reads
 * them too. Nothing is freed (a run loads its rows once). Past 4 GiB, the wasm32 limit, rows go to
 * plain SharedArrayBuffers and the JavaScript kernels.
 */
const PAGE = 65536;
const MAX_PAGES = 65536;
const ALIGN = 16; // v128 loads

let memory: WebAssembly.Memory | null | undefined;
let top = 0;
/**
 * Every buffer object the memory has handed out: growing a shared memory gives a new, longer
 * SharedArrayBuffer object over the same bytes, and views made before keep the old one. Any view
 * into one of these (a subarray of rows, a CSV's trimmed rows, a mini-batch buffer) is arena memory.
 */
const arenaBuffers = new WeakSet<ArrayBufferLike>();

function arenaMemory(): WebAssembly.Memory | null {
  if (memory === undefined) {
    try {
      memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    } catch {
      memory = null; // no shared WebAssembly memory here: plain shared buffers still work
    }
  }
  return memory;
}

/** A zeroed Float64Array on shared memory: in the arena when it fits, else on its own buffer. */
export function rowArray(length: number): Float64Array {
  const bytes = Math.ceil((length * 8) / ALIGN) * ALIGN;
  const mem = arenaMemory();
  if (mem && top + bytes <= MAX_PAGES * PAGE) {
    const pages = mem.buffer.byteLength / PAGE;
    const needed = Math.ceil((top + bytes) / PAGE);
    try {
      if (needed > pages) mem.grow(needed - pages);
      const view = new Float64Array(mem.buffer, top, length);
      top += bytes;
      arenaBuffers.add(view.buffer);
      return view;
    } catch {
      // the system refused to grow the memory: fall through
    }
  }
  return new Float64Array(new SharedArrayBuffer(length * 8));
}

/**
 * A zeroed typed array of `length` elements in the arena (16-byte aligned), where the WebAssembly
 * kernels and the worker threads read it: the screened engine's per-row keys, the permutation's buckets.
 */
export function arenaArray<T>(make: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number }, length: number): T {
  const raw = rowArray(Math.max(1, Math.ceil((length * make.BYTES_PER_ELEMENT) / 8)));
  return new make(raw.buffer, raw.byteOffset, length);
}

/** The arena's memory, when `views` all live in it (any view into its buffers): then the wasm kernel can read them. */
export function arenaOf(...views: ArrayBufferView[]): WebAssembly.Memory | null {
  return memory && views.every((v) => arenaBuffers.has(v.buffer)) ? memory : null;
}

/**
 * The arena of another thread, adopted by this one (a worker that trains on rows the main thread
 * loaded): the SIMD kernel may then read `views`, and new arrays go above `top`, never over them.
 */
export function adoptArena(shared: WebAssembly.Memory, sharedTop: number, views: Float64Array[]): void {
  memory = shared;
  top = Math.max(top, sharedTop);
  arenaBuffers.add(shared.buffer);
  for (const view of views) arenaBuffers.add(view.buffer);
}

/** What a worker needs to adopt this thread's arena. */
export function arenaState(): { memory: WebAssembly.Memory | null; top: number } {
  return { memory: memory ?? null, top };
}
