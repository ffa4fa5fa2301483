import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { contractProblems, PLUGIN_API_VERSION } from "@gunyah-ts/core/plugin";
import platform, { createQemuVirtPlatform, isPl011, Pl011, Pl031 } from "./mod.ts";
import { FakeDeviceHost } from "./testing/fake_host.ts";
import { craftArm64Image } from "./boot/testing_images.ts";
import { dtcAvailable, runDtc } from "./fdt/dtc_testing.ts";

const vm = { ramBase: 0x40000000, ramSize: 256 << 20, vcpus: 4, bootargs: "console=ttyAMA0" };

Deno.test("mod.ts exports the qemu-virt PlatformPlugin", () => {
  assertEquals(platform.kind, "platform");
  assertEquals(platform.apiVersion, PLUGIN_API_VERSION);
  assertEquals(platform.name, "qemu-virt");
  assert(platform.memoryMap.some((e) => e.name === "pl011" && e.base === 0x09000000));
  // the core's plugin loader accepts it
  assertEquals(contractProblems(platform, "platform"), []);
});

Deno.test("createDevices gives a PL011 and a PL031 at the virt addresses", () => {
  const host = new FakeDeviceHost();
  const [uart, rtc] = createQemuVirtPlatform({ rtcEpochSeconds: 42 }).createDevices(host, vm);
  assert(uart instanceof Pl011 && isPl011(uart));
  assert(rtc instanceof Pl031);
  assertEquals(uart.regions[0].base, 0x09000000);
  assertEquals(rtc.regions[0].base, 0x09010000);
  assertEquals(rtc.count(), 42);
  assertThrows(() => platform.createDevices(host, { ...vm, vcpus: 500 }), RangeError);
});

Deno.test("buildDeviceTree + planBoot: a bootable plan with a dtc-clean DTB", async () => {
  const p = createQemuVirtPlatform({ rtcEpochSeconds: 0 });
  const dtb = p.buildDeviceTree(vm, []);
  const plan = p.planBoot(
    { kernel: craftArm64Image(0x4000), initrd: new Uint8Array(100) },
    vm,
    dtb,
  );
  assertEquals(plan.entry, 0x40200000n);
  assertEquals(plan.x0, 0x48200000n);
  if (!(await dtcAvailable())) return;
  const r = await runDtc(plan.blobs.find((b) => b.name === "dtb")!.data);
  assertEquals(r.warnings, "");
  assert(r.dts.includes("linux,initrd-end = <0x00 0x48000064>;"), r.dts);
  assert(r.dts.includes("cpu@3 {"), r.dts);
});
