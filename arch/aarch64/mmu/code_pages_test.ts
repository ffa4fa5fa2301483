import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { S2_ACCESS_R, S2_ACCESS_W, type Stage2Mapping } from "@gunyah-ts/core/plugin";
import {
  CODE_MARK_MEMORY_MAX_PAGES,
  CODE_PAGE_SHIFT,
  codeMarkAddress,
  codeMarkMemory,
  codePageMarks,
  markCodePage,
  unmarkCodePage,
} from "./code_pages.ts";
import { wasmProbeLoad } from "../cpu/test_wasm_probe.ts";

const bytes = new Uint8Array(0x1000);

/** A mapping of `size` bytes at `ipaBase` (only its size matters to the marks). */
function mapping(ipaBase: number, size: number): Stage2Mapping {
  return {
    ipaBase,
    size,
    bytes,
    view: new DataView(bytes.buffer),
    offset: 0,
    access: S2_ACCESS_R | S2_ACCESS_W,
  };
}

Deno.test("code marks: one byte per page of each mapping, in disjoint ranges of one memory", () => {
  const a = mapping(0x4000_0000, 0x10_0000), b = mapping(0x8000_0000, 0x3000);
  const ma = codePageMarks(a), mb = codePageMarks(b);
  assertEquals([ma.length, mb.length], [0x100, 3]);
  assertEquals(codePageMarks(a), ma); // the same array every time
  const mem = codeMarkMemory();
  assert(codeMarkAddress(ma, 0) >= 0 && codeMarkAddress(mb, 0) >= 0);
  const [lo, hi] = ma.byteOffset < mb.byteOffset ? [ma, mb] : [mb, ma];
  assert(lo.byteOffset + lo.length <= hi.byteOffset);
  markCodePage(b, 0x8000_2abc);
  assertEquals([...mb], [0, 0, 1]);
  const at = codeMarkAddress(mb, 2);
  assertEquals(new Uint8Array(mem.buffer)[at], 1);
  // A WebAssembly function importing the shared memory sees the mark.
  const load = wasmProbeLoad(mem, "u8", true);
  assertEquals(load(at), 1);
  unmarkCodePage(b, 0x8000_2000);
  assertEquals(load(at), 0);
  assertEquals(codeMarkAddress(new Uint8Array(4), 0), -1);
});

Deno.test("code marks: growing the memory keeps earlier marks and views valid", () => {
  const mem = codeMarkMemory();
  const small = mapping(0x4000_0000, 0x4000);
  const early = codePageMarks(small);
  markCodePage(small, 0x4000_1000);
  const before = mem.buffer.byteLength;
  // More marks than the memory has room for: it grows.
  const big = mapping(0x1_0000_0000, before * (1 << CODE_PAGE_SHIFT) * 2);
  const late = codePageMarks(big);
  assert(mem.buffer.byteLength > before);
  assert(mem.buffer.byteLength <= CODE_MARK_MEMORY_MAX_PAGES * 0x1_0000);
  assert(codeMarkAddress(late, 0) >= 0);
  assertEquals(new Uint8Array(mem.buffer)[codeMarkAddress(early, 1)], 1);
  early[2] = 1; // a view made on the smaller buffer still writes the memory
  assertEquals(new Uint8Array(mem.buffer)[codeMarkAddress(early, 2)], 1);
  markCodePage(big, big.ipaBase + big.size - 1);
  assertEquals(new Uint8Array(mem.buffer)[codeMarkAddress(late, late.length - 1)], 1);
});

Deno.test("code marks: VMs created and destroyed repeatedly reuse the memory (no unbounded growth)", async () => {
  // 300 VMs of 4 GiB: 1 MiB of marks each, 300 MiB in all, more than the memory's
  // maximum (256 MiB), so only reuse of collected mappings' ranges lets every VM fit.
  const rounds = 300, gib = 4;
  const script = new URL("./code_pages_churn.ts", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--v8-flags=--expose-gc", script.href, `${rounds}`, `${gib}`],
    cwd: new URL("../../../", import.meta.url), // the workspace root (its deno.json resolves imports)
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert(out.success, err);
  const r = JSON.parse(new TextDecoder().decode(out.stdout).trim());
  assert(rounds * r.marksPerVm > CODE_MARK_MEMORY_MAX_PAGES * 0x1_0000);
  assertEquals(r.outside, 0);
  assert(r.memoryBytes <= 8 * r.marksPerVm, `memory grew to ${r.memoryBytes} bytes`);
  assert(r.bytesInUse <= 2 * r.marksPerVm, `${r.bytesInUse} bytes still in use`);
});
