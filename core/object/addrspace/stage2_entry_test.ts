import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { S2_ACCESS_R, S2_ACCESS_W } from "../../plugin/contracts.ts";
import type { Memextent } from "../memextent/memextent.ts";
import { Stage2Entry } from "./stage2_entry.ts";

const RW = S2_ACCESS_R | S2_ACCESS_W;
/** The entry only keeps its owner for bookkeeping; these tests never call it. */
const owner = {} as Memextent;

Deno.test("Stage2Entry: the region's memory is kept by slices and access changes", () => {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
  const buf = memory.buffer;
  const ram = { bytes: new Uint8Array(buf), view: new DataView(buf), offset: 0x4000, memory };
  const e = new Stage2Entry(owner, 0x8000_0000, 0x4000_4000, 0x8000, RW, RW, 0, ram);
  assertEquals([e.memory, e.offset], [memory, 0x4000]);
  const s = e.slice(0x8000_3000, 0x2000);
  assertEquals([s.memory, s.offset, s.view], [memory, 0x7000, e.view]);
  assertEquals(e.withAccess(S2_ACCESS_R, S2_ACCESS_R).memory, memory);
  // RAM held without a WebAssembly memory, and non-RAM entries, have none.
  const plain = new Uint8Array(0x8000);
  const p = new Stage2Entry(owner, 0, 0, 0x8000, RW, RW, 0, {
    bytes: plain,
    view: new DataView(plain.buffer),
    offset: 0,
  });
  assertEquals(p.slice(0x1000, 0x1000).memory, undefined);
  const dev = new Stage2Entry(owner, 0x900_0000, 0x900_0000, 0x1000, RW, RW, 0, null);
  assert(!dev.ram);
  assertEquals(dev.memory, undefined);
});
