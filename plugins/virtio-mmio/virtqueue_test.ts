import { assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { FakeDeviceHost } from "@gunyah-ts/plugin-testkit";
import { GuestMemory, VirtioError } from "./guest_memory.ts";
import { SplitVirtqueue } from "./virtqueue.ts";

function ring(size: number) {
  const host = new FakeDeviceHost({ ramSize: 0x1_0000 });
  const mem = new GuestMemory(host.memory);
  const q = new SplitVirtqueue(size);
  q.descAddr = host.ramBase + 0x1000;
  q.availAddr = host.ramBase + 0x2000;
  q.usedAddr = host.ramBase + 0x3000;
  q.ready = true;
  const dv = new DataView(host.ram.buffer);
  const at = (ipa: number) => ipa - host.ramBase;
  for (let i = 0; i < size; i++) {
    const d = at(q.descAddr + 16 * i);
    dv.setUint32(d, host.ramBase + 0x8000 + 16 * i, true);
    dv.setUint32(d + 8, 16, true);
    dv.setUint16(d + 12, 2, true); // WRITE, no NEXT
  }
  return { host, mem, q, dv, at };
}

Deno.test("split virtqueue: 16-bit available and used indices wrap", () => {
  const { mem, q, dv, at } = ring(4);
  q.lastAvailIdx = 0xfffe;
  q.usedIdx = 0xfffe;
  for (let k = 0; k < 3; k++) {
    const slot = (0xfffe + k) & 3;
    dv.setUint16(at(q.availAddr + 4 + 2 * slot), k, true);
  }
  dv.setUint16(at(q.availAddr + 2), (0xfffe + 3) & 0xffff, true); // = 1
  const heads: number[] = [];
  for (let c = q.pop(mem); c !== null; c = q.pop(mem)) {
    heads.push(c.head);
    assertEquals(c.writableLength, 16);
    q.pushUsed(mem, c.head, 16);
  }
  assertEquals(heads, [0, 1, 2]);
  assertEquals(q.lastAvailIdx, 1);
  assertEquals(dv.getUint16(at(q.usedAddr + 2), true), 1);
  // Used element for index 0xffff sits in slot 3, for 0x0000 in slot 0.
  assertEquals(dv.getUint32(at(q.usedAddr + 4 + 8 * 3), true), 1);
  assertEquals(dv.getUint32(at(q.usedAddr + 4 + 8 * 0), true), 2);
});

Deno.test("split virtqueue: chain copy helpers split across buffers", () => {
  const { mem, q, dv, at, host } = ring(4);
  // 0 (readable, 3 bytes) -> 1 (readable, 2 bytes) -> 2 (writable, 4 bytes)
  const d = (i: number) => at(q.descAddr + 16 * i);
  dv.setUint32(d(0) + 8, 3, true);
  dv.setUint16(d(0) + 12, 1, true);
  dv.setUint16(d(0) + 14, 1, true);
  dv.setUint32(d(1) + 8, 2, true);
  dv.setUint16(d(1) + 12, 1, true);
  dv.setUint16(d(1) + 14, 2, true);
  dv.setUint32(d(2) + 8, 4, true);
  host.ram.set([1, 2, 3], 0x8000);
  host.ram.set([4, 5], 0x8010);
  dv.setUint16(at(q.availAddr + 2), 1, true);
  const c = q.pop(mem)!;
  assertEquals([c.readableLength, c.writableLength], [5, 4]);
  const buf = new Uint8Array(4);
  assertEquals(c.readInto(mem, buf, 1), 4);
  assertEquals([...buf], [2, 3, 4, 5]);
  assertEquals(c.writeFrom(mem, new Uint8Array([9, 9, 9, 9, 9]), 1), 3);
  assertEquals([...host.ram.subarray(0x8020, 0x8024)], [0, 9, 9, 9]);
});

Deno.test("split virtqueue: empty ring pops null; runaway index throws VirtioError", () => {
  const { mem, q, dv, at } = ring(4);
  assertEquals(q.pop(mem), null);
  dv.setUint16(at(q.availAddr + 2), 5, true);
  assertThrows(() => q.pop(mem), VirtioError);
});
