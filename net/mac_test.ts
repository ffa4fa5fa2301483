import { assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { formatMac, isGroupMac, isUnicastMac, MAC_BROADCAST, macKey, parseMac } from "./mac.ts";

Deno.test("a MAC address round-trips through text", () => {
  const m = parseMac("52:54:00:AB:cd:0f");
  assertEquals([...m], [0x52, 0x54, 0x00, 0xab, 0xcd, 0x0f]);
  assertEquals(formatMac(m), "52:54:00:ab:cd:0f");
  assertEquals(macKey(m), 0x525400abcd0f);
});

Deno.test("malformed MAC text is refused with the text in the message", () => {
  for (
    const bad of [
      "",
      "52:54:00:12:34",
      "52-54-00-12-34-56",
      "52:54:00:12:34:5g",
      "152:54:00:12:34:56",
    ]
  ) {
    const e = assertThrows(() => parseMac(bad), RangeError);
    assertEquals(e.message.includes(`'${bad}'`), true);
  }
});

Deno.test("group and unicast addresses are told apart", () => {
  assertEquals(isGroupMac(MAC_BROADCAST), true);
  assertEquals(isGroupMac(parseMac("01:00:5e:00:00:01")), true);
  assertEquals(isUnicastMac(parseMac("52:54:00:12:34:56")), true);
  assertEquals(isUnicastMac(new Uint8Array(6)), false);
  assertEquals(isUnicastMac(MAC_BROADCAST), false);
});
