import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { S2_ACCESS_R, S2_ACCESS_W, S2_ACCESS_X, type Stage2Mapping } from "@gunyah-ts/core/plugin";
import { TestBus, TestCpu, TestMemory } from "../sys/test_support.ts";
import { readMem, writeMem } from "./access.ts";
import { codeMarkMemory, markCodePage } from "./code_pages.ts";
import { Tlb, TLB_ENTRIES, TLB_INVALID, TLB_MASK, TLB_NO_ADDRESS } from "./tlb.ts";
import {
  STATE_MEMORY_BYTES,
  TLB_ASID,
  TLB_MARK_ADDRESS,
  TLB_PERM,
  TLB_TAG_HI,
  TLB_TAG_LO,
  TLB_WASM_OFFSET,
} from "../cpu/state_memory.ts";

const RWX = S2_ACCESS_R | S2_ACCESS_W | S2_ACCESS_X;
const WASM_PAGE = 0x1_0000;

/**
 * A RAM mapping the way the core makes one from a physical region: `bytes`
 * and `view` over the whole buffer of a shared WebAssembly memory, the
 * mapping starting `offset` bytes into it.
 */
function regionMapping(
  memory: WebAssembly.Memory,
  ipaBase: number,
  offset: number,
  size: number,
): Stage2Mapping {
  const buf = memory.buffer;
  return {
    ipaBase,
    size,
    bytes: new Uint8Array(buf),
    view: new DataView(buf),
    offset,
    access: RWX,
    memory,
  };
}

function sharedMemory(pages: number): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

/** The TLB slot a page with MMU off (VA = IPA) lands in. */
const slot = (ipa: number) => (ipa >>> 12) & TLB_MASK;

Deno.test("TLB columns are views on the vCPU's state memory at the layout's offsets", () => {
  const cpu = new TestCpu();
  const tlb = cpu.sys.tlb;
  const buf = cpu.stateMemory.buffer;
  const cols: [ArrayBufferView, number, number][] = [
    [tlb.tagLo, TLB_TAG_LO, 4],
    [tlb.tagHi, TLB_TAG_HI, 4],
    [tlb.asid, TLB_ASID, 4],
    [tlb.wasmOffset, TLB_WASM_OFFSET, 4],
    [tlb.markAddress, TLB_MARK_ADDRESS, 4],
    [tlb.perm, TLB_PERM, 1],
  ];
  for (const [a, at, bytes] of cols) {
    assertEquals([a.buffer === buf, a.byteOffset, a.byteLength], [true, at, TLB_ENTRIES * bytes]);
  }
  const words = new Int32Array(buf);
  assertEquals(words[TLB_TAG_LO / 4 + 7], TLB_INVALID);
  assertEquals(words[TLB_WASM_OFFSET / 4 + 7], TLB_NO_ADDRESS);
  tlb.tagLo[7] = 0x12345;
  assertEquals(words[TLB_TAG_LO / 4 + 7], 0x12345);
});

Deno.test("a TLB without a state buffer has one of its own; a short buffer is refused", () => {
  const a = new Tlb(), b = new Tlb();
  assert(a.tagLo.buffer !== b.tagLo.buffer);
  assertEquals(a.tagLo.buffer.byteLength, STATE_MEMORY_BYTES);
  assertEquals(a.tagLo.buffer, a.perm.buffer);
  assertThrows(() => new Tlb(new ArrayBuffer(4096)), RangeError, "state memory");
});

Deno.test("a page of a region mapping: wasmOffset is its offset in the memory, markAddress its mark", () => {
  const mem = new TestMemory();
  const memory = sharedMemory(4);
  const m = regionMapping(memory, 0x4000_0000, 0x1_0000, 0x2_0000);
  mem.mappings.push(m);
  const cpu = new TestCpu(mem);
  const tlb = cpu.sys.tlb;
  assertEquals(tlb.wasmRam, null);
  const ipa = 0x4000_5000;
  writeMem(cpu, ipa + 8, 0, 4, 0xcafe, 0, 0);
  const i = slot(ipa);
  assertEquals(tlb.wasmRam, memory);
  assertEquals(tlb.wasmOffset[i], 0x1_5000);
  assertEquals(tlb.wasmOffset[i], tlb.off[i]);
  // The Wasm memory holds the guest's bytes at that offset.
  assertEquals(new DataView(memory.buffer).getUint32(tlb.wasmOffset[i] + 8, true), 0xcafe);
  // markCodePage sets the byte the TLB gives the address of.
  const at = tlb.markAddress[i];
  assert(at >= 0);
  assertEquals(new Uint8Array(codeMarkMemory().buffer)[at], 0);
  markCodePage(m, ipa + 0x10);
  assertEquals(new Uint8Array(codeMarkMemory().buffer)[at], 1);
  // ... and a store through the interpreter's path clears it (the page's code is dropped).
  writeMem(cpu, ipa, 0, 4, 1, 0, 0);
  assertEquals(new Uint8Array(codeMarkMemory().buffer)[at], 0);
  assertEquals(cpu.codeWrites, [ipa]);
  // The neighbouring page's mark is the next byte.
  readMem(cpu, ipa + 0x1000, 0, 4, 0);
  assertEquals(tlb.markAddress[slot(ipa + 0x1000)], at + 1);
  assertEquals(tlb.wasmOffset[slot(ipa + 0x1000)], 0x1_6000);
});

Deno.test("pages of another memory, of a plain buffer, of an offset view and MMIO get -1", () => {
  const mem = new TestMemory();
  const first = sharedMemory(1), second = sharedMemory(1);
  const a = regionMapping(first, 0x4000_0000, 0, WASM_PAGE);
  const b = regionMapping(second, 0x5000_0000, 0, WASM_PAGE);
  // A view that does not start at byte 0 of the memory: its offsets are not the memory's.
  const c: Stage2Mapping = {
    ...regionMapping(first, 0x6000_0000, 0, 0x8000),
    view: new DataView(first.buffer, 0x8000),
    bytes: new Uint8Array(first.buffer, 0x8000),
  };
  mem.mappings.push(a, b, c);
  const plain = mem.addRam(0x7000_0000, 0x4000); // no WebAssembly memory behind it
  const bus = new TestBus(0x0900_0000, 0x1000);
  const cpu = new TestCpu(mem, bus);
  const tlb = cpu.sys.tlb;
  readMem(cpu, 0x4000_2000, 0, 4, 0);
  assertEquals(tlb.wasmOffset[slot(0x4000_2000)], 0x2000);
  readMem(cpu, 0x5000_3000, 0, 4, 0);
  assertEquals(tlb.wasmRam, first); // fixed by the first fill
  assertEquals(tlb.wasmOffset[slot(0x5000_3000)], TLB_NO_ADDRESS);
  assert(tlb.markAddress[slot(0x5000_3000)] >= 0); // its marks are still in the mark memory
  readMem(cpu, 0x6000_1000, 0, 4, 0);
  assertEquals(tlb.wasmOffset[slot(0x6000_1000)], TLB_NO_ADDRESS);
  readMem(cpu, 0x7000_1000, 0, 4, 0);
  assertEquals(tlb.wasmOffset[slot(0x7000_1000)], TLB_NO_ADDRESS);
  markCodePage(plain, 0x7000_1000);
  assertEquals(new Uint8Array(codeMarkMemory().buffer)[tlb.markAddress[slot(0x7000_1000)]], 1);
  readMem(cpu, 0x0900_0010, 0, 4, 0);
  const io = slot(0x0900_0010);
  assertEquals(tlb.map[io], null);
  assertEquals([tlb.wasmOffset[io], tlb.markAddress[io]], [TLB_NO_ADDRESS, TLB_NO_ADDRESS]);
});
