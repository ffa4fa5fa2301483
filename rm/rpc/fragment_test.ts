import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { fragment, Reassembler, RPC_MAX_PAYLOAD } from "./fragment.ts";
import { readHeader, RPC_MAX_CONTENT, RpcType } from "./header.ts";

function payload(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
}

Deno.test("header bytes match the RM wire format", () => {
  const [m] = fragment({
    type: RpcType.REQUEST,
    seq: 0x1234,
    msgId: 0x56000024,
    payload: new Uint8Array(),
  });
  assertEquals([...m], [0x21, 0x01, 0x34, 0x12, 0x24, 0x00, 0x00, 0x56]);
});

Deno.test("payloads split at 232 bytes and reassemble; fragment count in every message", () => {
  for (const n of [0, 1, 232, 233, 464, 1000, RPC_MAX_PAYLOAD]) {
    const msgs = fragment({ type: RpcType.REPLY, seq: 9, msgId: 0x56000020, payload: payload(n) });
    assertEquals(msgs.length, Math.max(1, Math.ceil(n / RPC_MAX_CONTENT)));
    for (const [i, m] of msgs.entries()) {
      assert(m.length <= 240);
      const h = readHeader(m);
      assert(typeof h !== "string");
      assertEquals(h.fragments, msgs.length - 1);
      assertEquals(h.type, i === 0 ? RpcType.REPLY : RpcType.CONTINUATION);
    }
    const r = new Reassembler();
    const done = msgs.map((m) => r.push(m));
    assertEquals(done.slice(0, -1).every((d) => d === null), true);
    assertEquals(done.at(-1)?.payload, payload(n));
  }
  assertThrows(
    () => fragment({ type: 1, seq: 0, msgId: 1, payload: payload(RPC_MAX_PAYLOAD + 1) }),
    RangeError,
  );
});

Deno.test("malformed and mismatched messages are dropped with a reason", () => {
  const drops: string[] = [];
  const r = new Reassembler((why) => drops.push(why));
  assertEquals(r.push(new Uint8Array([0x21, 1, 0])), null);
  assertEquals(r.push(new Uint8Array([0x11, 1, 0, 0, 1, 0, 0, 0])), null);
  const a = fragment({ type: 1, seq: 1, msgId: 0x10, payload: payload(300) });
  const b = fragment({ type: 1, seq: 2, msgId: 0x10, payload: payload(10) });
  r.push(a[0]);
  assertEquals(r.push(fragment({ type: 1, seq: 5, msgId: 0x10, payload: payload(300) })[1]), null);
  assertEquals(r.push(b[0])?.payload, payload(10)); // aborts the partial a
  assertEquals(r.push(a[1]), null); // continuation with nothing in progress
  assertEquals(drops.length, 5);
  assert(drops[0].includes("shorter than the header"));
  assert(drops[1].includes("api byte"));
  assert(drops[2].includes("does not match"));
  assert(drops[3].includes("aborted"));
  assert(drops[4].includes("no message in progress"));
});
