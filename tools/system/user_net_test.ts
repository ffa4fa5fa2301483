import { assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { ConfigError, parseConfig } from "./config.ts";
import { SystemNetworks } from "./networks.ts";

const VMS =
  "vms:\n  - name: a\n    devices:\n      - plugin: builtin:virtio-net\n        net: wan\n";

Deno.test("config: a net: segment's user: entry (subnet, hostfwd, dns)", () => {
  const c = parseConfig(
    `net:\n  - name: wan\n    user:\n      subnet: 10.1.0.0/24\n      hostfwd: [tcp:127.0.0.1:2222-:22]\n      dns: none\n${VMS}`,
    "u.yaml",
  );
  assertEquals(c.net, [{
    name: "wan",
    user: { subnet: "10.1.0.0/24", hostfwd: ["tcp:127.0.0.1:2222-:22"], dns: "none" },
  }]);
  const bare = parseConfig(`net:\n  - name: wan\n    user:\n${VMS}`, "u.yaml");
  assertEquals(bare.net, [{ name: "wan", user: { hostfwd: [] } }]);
});

Deno.test("config: bad user: entries are refused with file, line and key", () => {
  const bad = (user: string) => `net:\n  - name: wan\n    user:\n${user}\n${VMS}`;
  assertThrows(
    () => parseConfig(bad("      hostfwd: [tcp:0.0.0.0:2222-:22]"), "u.yaml"),
    ConfigError,
    "u.yaml:4 net[0].user.hostfwd[0]: expected a loopback port forward",
  );
  assertThrows(
    () => parseConfig(bad("      subnet: 10.0.2.1/24"), "u.yaml"),
    ConfigError,
    "u.yaml:4 net[0].user.subnet",
  );
  assertThrows(
    () => parseConfig(bad("      restrict: yes"), "u.yaml"),
    ConfigError,
    "net[0].user.restrict: expected one of the keys subnet, hostfwd, dns",
  );
});

Deno.test("a user: segment gets a gateway port that listens for its forwards, closed with the networks", async () => {
  const nets = new SystemNetworks([
    { name: "wan", user: { hostfwd: ["tcp:127.0.0.1:0-:22"], dns: "none" } },
    { name: "lan" },
  ]);
  try {
    const gw = nets.gateways.get("wan")!;
    assertEquals(nets.gateways.has("lan"), false);
    assertEquals(nets.segment("wan").ports().map((p) => p.name), ["gateway"]);
    const port = gw.forwardedPorts[0];
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    c.close();
  } finally {
    nets.close();
  }
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    assertThrows(
      () => new SystemNetworks([{ name: "wan", user: { hostfwd: [`tcp:127.0.0.1:${port}-:22`] } }]),
      Error,
      `segment 'wan': hostfwd tcp:127.0.0.1:${port}: cannot listen`,
    );
  } finally {
    taken.close();
  }
});
