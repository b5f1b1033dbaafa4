import { KERNEL_WASM_BASE64 } from './kernel-wasm.js';
import type { WasmPlace, WasmRefresh, WasmTest } from './parallel.js';

let bytes: Uint8Array | undefined;
let compiled: WebAssembly.Module | null | undefined;

/** The kernel's WebAssembly bytes (assembled from kernel.wat by scripts/build-wasm.mjs). */
export function kernelWasmBytes(): Uint8Array {
  bytes ??= Uint8Array.from(Buffer.from(KERNEL_WASM_BASE64, 'base64'));
  return bytes;
}

/** The compiled module, or null where this engine lacks WebAssembly SIMD. */
export function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(kernelWasmBytes());
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export interface KernelExports {
  pass: WasmPass;
  refresh: WasmRefresh;
  place: WasmPlace;
  test: WasmTest;
}

export type WasmPass = (x: number, y: number, d: number, start: number, end: number, w: number, b: number, g: number, out: number) => void;

/** The module's exports on `memory`: the fused pass and the screened engine's refresh and placement (see kernel.wat). */
export function instantiate(memory: WebAssembly.Memory): KernelExports | null {
  const module = kernelModule();
  if (!module) return null;
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
}
