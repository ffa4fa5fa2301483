import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { ExitKind, PLUGIN_API_VERSION } from "@gunyah-ts/core/plugin";
import { aarch64Plugin } from "./plugin.ts";
import { testInit, TestRam } from "./cpu/test_support.ts";
import { Aarch64Vcpu } from "./vcpu.ts";

Deno.test("aarch64Plugin: identity, vCPU creation, GICv3 with its frames, vCPU attach", () => {
  assertEquals([aarch64Plugin.kind, aarch64Plugin.name, aarch64Plugin.apiVersion], [
    "arch",
    "aarch64",
    PLUGIN_API_VERSION,
  ]);
  const gic = aarch64Plugin.createInterruptController({ vcpus: 1, spis: 64 }, {
    distributorBase: 0x08000000,
    redistributorBase: 0x080a0000,
  });
  assertEquals(gic.regions.map((r) => r.base), [0x08000000, 0x080a0000]);
  const ram = new TestRam(0x40000000, 0x10000);
  ram.writeWords(0x40000000, [0xd4000002 | (0x6000 << 5)]); // hvc #0x6000
  const vcpu = aarch64Plugin.createVcpu({ ...testInit(ram), irq: gic });
  assert(vcpu instanceof Aarch64Vcpu);
  gic.attachVcpu(0, vcpu);
  assert(vcpu.cpu.gic !== null);
  vcpu.reset(0x40000000n, 0n);
  assertEquals(vcpu.run(10), ExitKind.Hvc);
  assertEquals(vcpu.exit.imm, 0x6000);
});
