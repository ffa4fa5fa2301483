import { assertEquals } from "../../tests/assert.ts";
import { EscapeDecoder } from "./console.ts";

const b = (...x: number[]) => Uint8Array.from(x);

Deno.test("Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A, other bytes pass", () => {
  const d = new EscapeDecoder();
  assertEquals(d.feed(b(0x6c, 0x73, 0x0d)), { bytes: b(0x6c, 0x73, 0x0d), actions: [] });
  assertEquals(d.feed(b(0x01, 0x01, 0x61)), { bytes: b(0x01, 0x61), actions: [] });
  assertEquals(d.feed(b(0x01, 0x68)), { bytes: b(), actions: ["help"] });
  // an escape split across two reads
  assertEquals(d.feed(b(0x41, 0x01)), { bytes: b(0x41), actions: [] });
  assertEquals(d.feed(b(0x78, 0x42)), { bytes: b(0x42), actions: ["quit"] });
});
