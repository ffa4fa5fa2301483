import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { HypError } from "../abi/error.ts";
import { PhysicalMemory } from "./physical_memory.ts";
import { PhysicalUserMemory } from "./physical_user_memory.ts";

Deno.test("physical memory: SharedArrayBuffer regions, bounds, overlap refusal", () => {
  const pm = new PhysicalMemory();
  const r = pm.addRegion(0x4000_0000, 0x10000);
  assert(r.buffer instanceof SharedArrayBuffer);
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
