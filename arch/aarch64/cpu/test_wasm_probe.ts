/**
 * Test support: a one-function WebAssembly module that loads from an
 * imported memory, the way a translated block reads a register, a TLB column
 * or a code mark — so tests show the bytes JavaScript writes through the
 * typed-array views are the ones WebAssembly code sees. Built with the
 * translator's own encoder (jit/wasm/encoder.ts).
 *
 * @module
 */
import { assembleModule, Bytes, W } from "../jit/wasm/encoder.ts";

/** What {@link wasmProbeLoad} loads: a 32-bit word or one byte (zero-extended). */
export type WasmProbeWidth = "i32" | "u8";

/**
 * `load(address)` compiled as WebAssembly over `memory` (imported as `m.s`;
 * `shared` must match how the memory was made).
 */
export function wasmProbeLoad(
  memory: WebAssembly.Memory,
  width: WasmProbeWidth,
  shared: boolean,
): (address: number) => number {
  const body = new Bytes();
  // local.get 0; i32.load align=2 offset=0, or i32.load8_u align=0 offset=0
  body.bytes([W.LocalGet, 0, ...(width === "i32" ? [W.I32Load, 2, 0] : [W.I32Load8U, 0, 0])]);
  const bytes = assembleModule(
    [{ name: "s", shared, min: 1, max: shared ? 0x1_0000 : undefined }],
    [],
    1,
    0,
    0,
    body,
  );
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const instance = new WebAssembly.Instance(module, { m: { s: memory } });
  return instance.exports.b as (address: number) => number;
}
