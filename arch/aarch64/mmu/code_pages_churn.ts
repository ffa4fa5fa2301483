/**
 * Creates and drops the RAM mappings of many short-lived VMs and reports how
 * large the code-mark memory grew: run by code_pages_test.ts in a process of
 * its own with `--v8-flags=--expose-gc`, so that it can collect the dropped
 * mappings between rounds and the range of each is reused.
 *
 * Run: `deno run --v8-flags=--expose-gc arch/aarch64/mmu/code_pages_churn.ts [rounds] [GiB]`
 * (prints one JSON line: rounds, marks per VM, bytes of the memory, bytes in
 * use at the end, rounds whose marks were not in the memory).
 *
 * @module
 */
import { S2_ACCESS_R, S2_ACCESS_W, type Stage2Mapping } from "@gunyah-ts/core/plugin";
import {
  CODE_PAGE_SHIFT,
  codeMarkAddress,
  codeMarkBytesInUse,
  codeMarkMemory,
  codePageMarks,
  markCodePage,
} from "./code_pages.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");

const rounds = Number(Deno.args[0] ?? 400);
const gib = Number(Deno.args[1] ?? 4);
const bytes = new Uint8Array(0x1000);

/** One VM's RAM: two mappings splitting `gib` GiB (the size is what the marks cost). */
function vmMappings(): Stage2Mapping[] {
  const half = gib * 2 ** 29;
  return [0, 1].map((k) => ({
    ipaBase: 0x4000_0000 + k * half,
    size: half,
    bytes,
    view: new DataView(bytes.buffer),
    offset: 0,
    access: S2_ACCESS_R | S2_ACCESS_W,
  }));
}

let outside = 0;
for (let r = 0; r < rounds; r++) {
  const ms = vmMappings();
  for (const m of ms) {
    const marks = codePageMarks(m);
    if (codeMarkAddress(marks, 0) < 0) outside++;
    // A reused range starts clear.
    if (marks.some((b) => b !== 0)) throw new Error(`round ${r}: marks not cleared`);
    markCodePage(m, m.ipaBase);
    markCodePage(m, m.ipaBase + m.size - (1 << CODE_PAGE_SHIFT));
  }
  gc();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
console.log(JSON.stringify({
  rounds,
  marksPerVm: gib * 2 ** (30 - CODE_PAGE_SHIFT),
  memoryBytes: codeMarkMemory().buffer.byteLength,
  bytesInUse: codeMarkBytesInUse(),
  outside,
}));
