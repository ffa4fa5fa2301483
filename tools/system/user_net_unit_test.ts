import { assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import type { EthernetEndpoint } from "@gunyah-ts/core/plugin";
import { parseUserNet, startUserGateway, USER_GATEWAY_PORT } from "./user_net.ts";

const fail = (path: (string | number)[], expected: string, got: unknown): never => {
  throw new Error(`${path.join(".")}: expected ${expected}, got ${JSON.stringify(got)}`);
};

Deno.test("user: entries: defaults, QEMU forward text, and refusals naming the key", () => {
  assertEquals(parseUserNet(null, ["u"], fail), { hostfwd: [] });
  assertEquals(
    parseUserNet({ subnet: "10.9.0.0/16", hostfwd: ["tcp::2222-:22"], dns: "127.0.0.1:5353" }, [
      "u",
    ], fail),
    { subnet: "10.9.0.0/16", hostfwd: ["tcp::2222-:22"], dns: "127.0.0.1:5353" },
  );
  assertThrows(
    () => parseUserNet({ hostfwd: "x" }, ["u"], fail),
    Error,
    "u.hostfwd: expected a list",
  );
  assertThrows(
    () => parseUserNet({ hostfwd: ["tcp:192.168.1.2:80-:80"] }, ["u"], fail),
    Error,
    "u.hostfwd.0: expected a loopback port forward",
  );
  assertThrows(() => parseUserNet({ subnet: "10.0.0.0/30" }, ["u"], fail), Error, "u.subnet");
  assertThrows(() => parseUserNet({ dns: "resolver" }, ["u"], fail), Error, "u.dns");
  assertThrows(() => parseUserNet({ mtu: 9000 }, ["u"], fail), Error, "u.mtu: expected one of");
});

Deno.test("startUserGateway attaches the gateway as the segment's 'gateway' port", () => {
  const attached: string[] = [];
  let toSegment = 0;
  const segment = {
    name: "wan",
    attach(port: string, _endpoint: EthernetEndpoint) {
      attached.push(port);
      return { receive: () => (toSegment++, true), detach: () => attached.pop() };
    },
  };
  const gw = startUserGateway(segment, { hostfwd: [], dns: "none" });
  try {
    assertEquals(attached, [USER_GATEWAY_PORT]);
    // An ARP request for the gateway from a guest: the answer goes into the segment.
    const arp = new Uint8Array(42);
    arp.fill(0xff, 0, 6);
    arp.set([0x52, 0x54, 0, 0x12, 0x34, 0x56], 6);
    arp.set([0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1], 12);
    arp.set([0x52, 0x54, 0, 0x12, 0x34, 0x56, 10, 0, 2, 15], 22);
    arp.set([10, 0, 2, 2], 38);
    gw.receive(arp);
    assertEquals(toSegment, 1);
  } finally {
    gw.close();
  }
});
