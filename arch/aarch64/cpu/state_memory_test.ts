import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { Harness } from "./test_asm.ts";
import { GPR_SLOTS } from "./state.ts";
import {
  STATE_END,
  STATE_MEMORY_BYTES,
  STATE_X_HI,
  STATE_X_LO,
  TLB_ASID,
  TLB_MARK_ADDRESS,
  TLB_PERM,
  TLB_TAG_HI,
  TLB_TAG_LO,
  TLB_WASM_OFFSET,
} from "./state_memory.ts";
import { TLB_ENTRIES } from "../mmu/tlb.ts";
import { wasmProbeLoad } from "./test_wasm_probe.ts";

Deno.test("state memory: a Cpu's registers live at STATE_X_LO/STATE_X_HI of its state memory", () => {
  const h = new Harness();
  const cpu = h.cpu;
  const mem = cpu.stateMemory;
  assertEquals(mem.buffer.byteLength, STATE_MEMORY_BYTES);
  cpu.xlo[5] = 7;
  cpu.xhi[5] = 0x8000_0001;
  const dv = new DataView(mem.buffer);
  assertEquals(dv.getUint32(STATE_X_LO + 20, true), 7);
  assertEquals(dv.getUint32(STATE_X_HI + 20, true), 0x8000_0001);
  // Through the vCPU's register interface, and back from the memory.
  h.x(9, 0x1122_3344_5566_7788n);
  assertEquals([dv.getUint32(STATE_X_LO + 36, true), dv.getUint32(STATE_X_HI + 36, true)], [
    0x5566_7788,
    0x1122_3344,
  ]);
  dv.setUint32(STATE_X_LO + 12, 0xdead_beef, true);
  assertEquals(h.getX(3), 0xdead_beefn);
  // A WebAssembly function over the memory reads the same word.
  const load = wasmProbeLoad(mem, "i32", false);
  assertEquals(load(STATE_X_LO + 20), 7);
  // The TLB's probed columns are in the same memory.
  assertEquals(cpu.sys.tlb.tagLo.buffer, mem.buffer);
  // Every vCPU has its own.
  assert(new Harness().cpu.stateMemory !== mem);
});

Deno.test("state memory: the layout holds GPR_SLOTS registers and TLB_ENTRIES per column", () => {
  assert(GPR_SLOTS * 4 <= STATE_X_HI - STATE_X_LO);
  const cols: [number, number][] = [
    [TLB_TAG_LO, 4],
    [TLB_TAG_HI, 4],
    [TLB_ASID, 4],
    [TLB_WASM_OFFSET, 4],
    [TLB_MARK_ADDRESS, 4],
    [TLB_PERM, 1],
  ];
  const ranges = [[STATE_X_LO, GPR_SLOTS * 4], [STATE_X_HI, GPR_SLOTS * 4]].concat(
    cols.map(([at, bytes]) => [at, TLB_ENTRIES * bytes]),
  ).sort((a, b) => a[0] - b[0]);
  for (let k = 1; k < ranges.length; k++) {
    assert(ranges[k - 1][0] + ranges[k - 1][1] <= ranges[k][0], `overlap at ${ranges[k][0]}`);
  }
  const last = ranges[ranges.length - 1];
  assert(last[0] + last[1] <= STATE_END && STATE_END <= STATE_MEMORY_BYTES);
});
