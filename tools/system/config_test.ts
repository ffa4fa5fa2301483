import { assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { ConfigError, DEFAULT_CONFIG_YAML, parseConfig, parseSize } from "./config.ts";

Deno.test("the default configuration parses to the default system", () => {
  const c = parseConfig(DEFAULT_CONFIG_YAML, "default");
  assertEquals(c.vms.length, 1);
  assertEquals(c.vms[0].name, "primary");
  assertEquals(c.vms[0].memory, 512 * 1024 * 1024);
  assertEquals(c.vms[0].vcpus, 2);
  assertEquals(c.vms[0].append, "console=ttyAMA0");
  assertEquals(c.hypervisor, {
    physicalCpus: 2,
    time: "realtime",
    nsPerInstruction: 1,
  });
  assertEquals(c.dashboard, "127.0.0.1:8418");
});

Deno.test("errors name the file, line, key and what was expected", () => {
  const bad = "vms:\n  - name: primary\n    vcpus: two\n";
  assertThrows(
    () => parseConfig(bad, "boot.yaml"),
    ConfigError,
    'boot.yaml:3 vms[0].vcpus: expected an integer from 1 to 8, got "two"',
  );
  assertThrows(
    () => parseConfig("vms: []\n", "c.yaml"),
    ConfigError,
    "c.yaml:1 vms: expected a list of at least one VM",
  );
  assertThrows(
    () => parseConfig("vms:\n  - name: a\n    memory: 3T\n", "c.yaml"),
    ConfigError,
    "vms[0].memory: expected a size from 16M to 3G",
  );
  assertThrows(
    () => parseConfig("vms:\n  - name: a\n    memory: 100G\n", "c.yaml"),
    ConfigError,
    "c.yaml:3 vms[0].memory: expected a size from 16M to 3G (one VM's RAM is one WebAssembly memory",
  );
  assertThrows(
    () => parseConfig("vms:\n  - name: a\n    memory: 100000001\n", "c.yaml"),
    ConfigError,
    "whole 4 KiB pages",
  );
  assertThrows(
    () => parseConfig("vmz: 1\n", "c.yaml"),
    ConfigError,
    "vmz: expected one of the keys",
  );
  assertThrows(() => parseConfig("vms: [\n", "c.yaml"), ConfigError, "not valid YAML");
  // An alias before its anchor (found by tools/fuzz, parsers seed 1189700943): a ConfigError too.
  assertThrows(() => parseConfig("vms: *a\n", "c.yaml"), ConfigError, "not valid YAML");
  assertThrows(
    () => parseConfig("hypervisor:\n  cpu-mode: fast\nvms:\n  - name: a\n", "c.yaml"),
    ConfigError,
    'c.yaml:2 hypervisor.cpu-mode: expected "interp" or "jit", got "fast"',
  );
  assertEquals(
    parseConfig("hypervisor:\n  cpu-mode: jit\nvms:\n  - name: a\n", "c.yaml").hypervisor.cpuMode,
    "jit",
  );
  assertThrows(
    () => parseConfig("vms:\n  - name: a\n  - name: a\n", "c.yaml"),
    ConfigError,
    "vms[1].name: expected a name no other VM has",
  );
  assertThrows(
    () => parseConfig("vms:\n  - name: a\ndashboard: 0.0.0.0:80\n", "c.yaml"),
    ConfigError,
    "dashboard: expected a loopback host:port",
  );
});

Deno.test("device plugin entries default to isolated with no permissions", () => {
  const c = parseConfig(
    "vms:\n  - name: a\n    devices:\n      - plugin: ./rng.ts\n        options: {seed: 3}\n",
    "c.yaml",
  );
  assertEquals(c.vms[0].devices[0], {
    plugin: "./rng.ts",
    isolate: true,
    permissions: { read: [], write: [] },
    options: { seed: 3 },
  });
  const processMode = parseConfig(
    "vms:\n  - name: a\n    devices:\n      - plugin: ./rng.ts\n        isolate: process\n",
    "c.yaml",
  );
  assertEquals(processMode.vms[0].devices[0].isolate, "process");
  assertThrows(
    () =>
      parseConfig(
        "vms:\n  - name: a\n    devices:\n      - plugin: ./rng.ts\n        isolate: thread\n",
        "c.yaml",
      ),
    ConfigError,
    "vms[0].devices[0].isolate: expected true, false or process",
  );
  assertEquals(parseSize("1G"), 1024 ** 3);
  assertEquals(parseSize("12x"), null);
});

Deno.test("hypervisor.gdb and wait-gdb: a loopback address, waiting only with one", () => {
  const parse = (hv: string) => parseConfig(`hypervisor:\n${hv}vms:\n  - name: a\n`, "c.yaml");
  assertEquals(parse("  gdb: 127.0.0.1:1234\n  wait-gdb: true\n").hypervisor.gdb, "127.0.0.1:1234");
  assertEquals(parse("  gdb: 127.0.0.1:1234\n  wait-gdb: true\n").hypervisor.waitGdb, true);
  assertEquals(parse("  gdb: 1234\n").hypervisor, {
    physicalCpus: 2,
    time: "realtime",
    nsPerInstruction: 1,
    gdb: "1234",
    waitGdb: false,
  });
  assertEquals(parse("  gdb: false\n").hypervisor.gdb, undefined);
  assertThrows(
    () => parse("  gdb: 0.0.0.0:1234\n"),
    ConfigError,
    'c.yaml:2 hypervisor.gdb: expected a loopback host:port such as 127.0.0.1:1234, or false, got "0.0.0.0:1234"',
  );
  assertThrows(
    () => parse("  wait-gdb: true\n"),
    ConfigError,
    "hypervisor.wait-gdb: expected false unless",
  );
  assertThrows(() => parse("  gdb: 1234\n  wait-gdb: yes please\n"), ConfigError, "true or false");
});

Deno.test("net: segments, devices on them, and line-numbered refusals", () => {
  const ok = [
    "net:",
    "  - name: lan",
    "vms:",
    "  - name: a",
    "    devices:",
    "      - plugin: builtin:virtio-net",
    "        net: lan",
    "  - name: b",
    "    devices:",
    "      - plugin: builtin:virtio-rng",
  ].join("\n");
  const c = parseConfig(ok, "n.yaml");
  assertEquals(c.net, [{ name: "lan" }]);
  assertEquals(c.vms[0].devices[0].net, "lan");
  assertEquals("net" in c.vms[1].devices[0], false);
  assertEquals(parseConfig("vms:\n  - name: a\n", "n.yaml").net, []);
  assertThrows(
    () => parseConfig(ok.replace("net: lan", "net: wan"), "n.yaml"),
    ConfigError,
    'n.yaml:7 vms[0].devices[0].net: expected the name of a segment of net: (lan), got "wan"',
  );
  assertThrows(
    () => parseConfig(ok.replace("net:\n  - name: lan\n", ""), "n.yaml"),
    ConfigError,
    'vms[0].devices[0].net: expected a segment declared in a net: section, got "lan"',
  );
  assertThrows(
    () => parseConfig(ok.replace("  - name: lan", "  - name: lan\n    mtu: 9000"), "n.yaml"),
    ConfigError,
    'n.yaml:3 net[0].mtu: expected one of the keys name, user, got "mtu"',
  );
  assertThrows(
    () => parseConfig(ok.replace("  - name: lan", "  - name: lan\n  - name: lan"), "n.yaml"),
    ConfigError,
    'n.yaml:3 net[1].name: expected a name no other segment has, got "lan"',
  );
  assertThrows(
    () => parseConfig(ok.replace("  - name: lan", "  - name: LAN"), "n.yaml"),
    ConfigError,
    "net[0].name: expected a lowercase segment name",
  );
  assertThrows(
    () => parseConfig("net: lan\nvms:\n  - name: a\n", "n.yaml"),
    ConfigError,
    "n.yaml:1 net:",
  );
});

Deno.test("examples/net.yaml parses: two VMs with virtio-net on one segment", async () => {
  const path = new URL("../../examples/net.yaml", import.meta.url).pathname;
  const c = parseConfig(await Deno.readTextFile(path), path);
  assertEquals(c.net, [{ name: "lan" }]);
  assertEquals(c.vms.map((v) => v.devices[0].net), ["lan", "lan"]);
});
