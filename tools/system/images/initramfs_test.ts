import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { readCpio } from "./cpio.ts";
import {
  buildInitramfs,
  buildInitramfsCpio,
  DEFAULT_INIT,
  moduleDepends,
  modulesDep,
} from "./initramfs.ts";

const enc = new TextEncoder();
const ko = (depends: string) =>
  enc.encode(`\x7fELF....\0license=GPL\0depends=${depends}\0name=x\0`);

Deno.test("module dependencies come from the .modinfo depends= record", () => {
  assertEquals(moduleDepends(ko("failover,net_failover")), ["failover", "net_failover"]);
  assertEquals(moduleDepends(ko("")), []);
  const mods = [
    { path: "kernel/net/core/failover.ko", data: ko("") },
    { path: "kernel/drivers/net/net_failover.ko", data: ko("failover") },
    { path: "kernel/drivers/net/virtio_net.ko", data: ko("net_failover") },
  ];
  assertEquals(
    modulesDep(mods).trim().split("\n"),
    [
      "kernel/net/core/failover.ko:",
      "kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko",
      "kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko",
    ],
  );
  assertThrows(() => modulesDep([mods[2]]), Error, "not included");
});

Deno.test("initramfs has /init, busybox, console node and modules", async () => {
  const spec = {
    busybox: enc.encode("BUSYBOX"),
    init: DEFAULT_INIT,
    kernelRelease: "6.1.0-test",
    modules: [{ path: "kernel/drivers/virtio/virtio_mmio.ko", data: ko("") }],
  };
  const members = readCpio(buildInitramfsCpio(spec));
  const paths = members.map((m) => m.path);
  for (
    const p of [
      "init",
      "bin/busybox",
      "bin/sh",
      "dev/console",
      "lib/modules/6.1.0-test/modules.dep",
    ]
  ) {
    assert(paths.includes(p), `missing ${p}`);
  }
  assert(paths.includes("lib/modules/6.1.0-test/kernel/drivers/virtio/virtio_mmio.ko"));
  const gz = await buildInitramfs(spec);
  assertEquals([gz[0], gz[1]], [0x1f, 0x8b]);
});
