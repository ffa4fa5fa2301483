import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { S2_ACCESS_R, S2_ACCESS_W, S2_ACCESS_X } from "@gunyah-ts/core/plugin";
import { FlatRam } from "./flat_ram.ts";

Deno.test("FlatRam: one RWX mapping over a SharedArrayBuffer, found only inside its range", () => {
  const ram = new FlatRam(0x4000_0000, 0x10_000);
  const m = ram.lookup(0x4000_0000)!;
  assert(m.bytes.buffer instanceof SharedArrayBuffer);
  assertEquals(m.access, S2_ACCESS_R | S2_ACCESS_W | S2_ACCESS_X);
  assertEquals(ram.lookup(0x4000_ffff), m);
  assertEquals(ram.lookup(0x4001_0000), null);
  assertEquals(ram.lookup(0x3fff_ffff), null);
  assertEquals(ram.generation, 0);
});

Deno.test("FlatRam: write copies into the mapping and rejects out-of-range data", () => {
  const ram = new FlatRam(0x4000_0000, 0x2000);
  ram.write(0x4000_1ffe, new Uint8Array([0xaa, 0xbb]));
  assertEquals(ram.mapping.view.getUint16(0x1ffe, true), 0xbbaa);
  assertThrows(() => ram.write(0x4000_1fff, new Uint8Array(2)), RangeError, "outside RAM");
});

Deno.test("FlatRam: sizes and bases must be whole 4 KiB pages", () => {
  assertThrows(() => new FlatRam(0x4000_0000, 0x1800), RangeError, "4 KiB");
  assertThrows(() => new FlatRam(0x4000_0800, 0x1000), RangeError, "4 KiB");
});
