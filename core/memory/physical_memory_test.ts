import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { HypError } from "../abi/error.ts";
import { PhysicalMemory } from "./physical_memory.ts";
import { PhysicalUserMemory } from "./physical_user_memory.ts";

Deno.test("physical memory: WebAssembly.Memory regions, bounds, overlap refusal", () => {
  const pm = new PhysicalMemory();
  const r = pm.addRegion(0x4000_0000, 0x10000);
  assert(r.buffer instanceof SharedArrayBuffer);
  assert(r.memory instanceof WebAssembly.Memory);
  assert(r.memory.buffer === r.buffer, "the region's bytes are the Wasm memory's bytes");
  assertThrows(() => pm.addRegion(0x4000_8000, 0x10000), RangeError, "overlaps");
  assertThrows(() => pm.addRegion(0x123, 0x1000), RangeError, "page aligned");
  pm.write(0x4000_0ffe, new Uint8Array([1, 2, 3, 4]));
  assertEquals(Array.from(pm.read(0x4000_0ffe, 4)), [1, 2, 3, 4]);
  assertEquals(r.view.getUint16(0x1000, true), 0x0403);
  assertThrows(() => pm.read(0x4000_fffe, 4), RangeError, "not RAM");
  pm.zero(0x4000_0000, 0x2000);
  assertEquals(Array.from(pm.read(0x4000_0ffe, 4)), [0, 0, 0, 0]);
  const um = new PhysicalUserMemory(pm);
  assertEquals(um.writeUser(0x4000_fffcn, new Uint8Array(8)), HypError.ERROR_ADDR_INVALID);
  assertEquals(um.readUser(0x10n, 4), HypError.ERROR_ADDR_INVALID);
  assertEquals(um.writeUser(0x4000_0010n, new Uint8Array([7])), HypError.OK);
  assertEquals(um.readUser(0x4000_0010n, 1), new Uint8Array([7]));
});

Deno.test("physical memory: a region removed at run time is no longer RAM; its range can be added again", () => {
  const pm = new PhysicalMemory();
  pm.addRegion(0x4000_0000, 0x2000);
  pm.addRegion(0x5000_0000, 0x1000);
  const gone = pm.removeRegion(0x4000_0000);
  assertEquals(gone.size, 0x2000);
  assertEquals(pm.regionFor(0x4000_0000), null);
  assertThrows(() => pm.read(0x4000_0000, 1), RangeError, "not RAM");
  assertThrows(() => pm.removeRegion(0x4000_0000), RangeError, "no physical RAM region");
  assertEquals(pm.addRegion(0x4000_0000, 0x1000).size, 0x1000);
  assertEquals(pm.regions.map((r) => r.base), [0x4000_0000, 0x5000_0000]);
});

Deno.test("physical memory: a region that is not a whole number of Wasm pages", () => {
  const pm = new PhysicalMemory();
  const r = pm.addRegion(0x8000_0000, 0x3000);
  assertEquals(r.buffer.byteLength, 0x10000);
  assertEquals(r.bytes.length, 0x3000);
  assertEquals(r.view.byteLength, 0x3000);
  assertThrows(() => pm.write(0x8000_2ffe, new Uint8Array(4)), RangeError, "not RAM");
  new Uint8Array(r.memory.buffer)[0x10] = 0x5a;
  assertEquals(pm.read(0x8000_0010, 1)[0], 0x5a);
  assertThrows(
    () =>
      pm.addRegion(
        0x1_0000_0000,
        0x1000,
        new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true }),
      ),
    RangeError,
    "1 pages",
  );
  assertThrows(() => pm.addRegion(0x2_0000_0000, 0x1_0000_1000), RangeError, "4 GiB");
});
