import { assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { parseNicOption, withUserNics } from "./nic.ts";
import { parseConfig } from "@gunyah-ts/system";

Deno.test("--nic user takes QEMU's hostfwd and net keys", () => {
  assertEquals(parseNicOption("user"), { hostfwd: [] });
  assertEquals(
    parseNicOption("user,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=tcp::8080-:80,net=10.1.0.0/24"),
    { subnet: "10.1.0.0/24", hostfwd: ["tcp:127.0.0.1:2222-:22", "tcp::8080-:80"] },
  );
});

Deno.test("--nic refuses other backends, unknown keys, and forwards off loopback", () => {
  assertThrows(() => parseNicOption("tap,ifname=tap0"), Error, "only user-mode");
  assertThrows(() => parseNicOption("user,model=e1000"), Error, "unknown key 'model'");
  assertThrows(
    () => parseNicOption("user,hostfwd=tcp:0.0.0.0:2222-:22"),
    Error,
    "is not loopback",
  );
  assertThrows(() => parseNicOption("user,net=10.0.2.1/24"), Error, "host bits set");
});

Deno.test("--nic adds a user segment and a virtio-net device on the first VM per option", () => {
  const base = parseConfig(
    "net:\n  - name: nic0\nvms:\n  - name: a\n  - name: b\n",
    "t.yaml",
  );
  const c = withUserNics(base, [
    parseNicOption("user,hostfwd=tcp:127.0.0.1:2222-:22"),
    parseNicOption("user"),
  ]);
  assertEquals(c.net.map((n) => n.name), ["nic0", "nic1", "nic2"]);
  assertEquals(c.net[1].user, { hostfwd: ["tcp:127.0.0.1:2222-:22"] });
  assertEquals(c.vms[0].devices.map((d) => [d.plugin, d.net]), [
    ["builtin:virtio-net", "nic1"],
    ["builtin:virtio-net", "nic2"],
  ]);
  assertEquals(c.vms[1].devices, []);
  assertEquals(withUserNics(base, []), base);
});
