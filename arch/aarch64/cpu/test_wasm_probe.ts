/**
 * Test support: a one-function WebAssembly module that loads from an
 * imported memory, the way a translated block reads a register, a TLB column
 * or a code mark — so tests show the bytes JavaScript writes through the
 * typed-array views are the ones WebAssembly code sees.
 *
 * @module
 */

/** What {@link wasmProbeLoad} loads: a 32-bit word or one byte (zero-extended). */
export type WasmProbeWidth = "i32" | "u8";

/**
 * `load(address)` compiled as WebAssembly over `memory` (imported as `s.m`;
 * `shared` must match how the memory was made). Hand-encoded per the
 * WebAssembly Core Specification 2.0, §5 "Binary Format".
 */
export function wasmProbeLoad(
  memory: WebAssembly.Memory,
  width: WasmProbeWidth,
  shared: boolean,
): (address: number) => number {
  const pages = memory.buffer.byteLength / 0x1_0000;
  // memtype limits: flag 0x01 = min and max, 0x03 = shared with min and max (threads proposal).
  const limits = [shared ? 0x03 : 0x01, ...uleb(1), ...uleb(shared ? 0x1_0000 : pages)];
  const importEntry = [0x01, 0x01, 0x73, 0x01, 0x6d, 0x02, ...limits]; // "s" "m" memory
  // i32.load align=2 offset=0, or i32.load8_u align=0 offset=0.
  const load = width === "i32" ? [0x28, 0x02, 0x00] : [0x2d, 0x00, 0x00];
  const body = [0x00, 0x20, 0x00, ...load, 0x0b]; // no locals; local.get 0; load; end
  const bytes = new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // magic, version 1
    ...[0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f], // type: (i32) -> i32
    ...[0x02, ...uleb(importEntry.length), ...importEntry],
    ...[0x03, 0x02, 0x01, 0x00], // function 0 has type 0
    ...[0x07, 0x08, 0x01, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x00], // export "load"
    ...[0x0a, ...uleb(body.length + 2), 0x01, body.length, ...body],
  ]);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { s: { m: memory } });
  return instance.exports.load as (address: number) => number;
}

/** Unsigned LEB128 of `n`. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
