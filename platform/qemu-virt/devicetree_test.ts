import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { buildVirtDeviceTreeNodes, PHANDLE_GIC, virtioMmioNode } from "./devicetree.ts";
import { encodeFdt } from "./fdt/writer.ts";
import { decodeFdt } from "./fdt/reader.ts";
import { findNode, propCells, propInteger, propStrings } from "./fdt/tree.ts";
import { dtcAvailable, runDtc } from "./fdt/dtc_testing.ts";
import type { DtNode, PlatformVmOptions } from "@gunyah-ts/core/plugin";

const vm: PlatformVmOptions = {
  ramBase: 0x40000000,
  ramSize: 512 * 1024 * 1024,
  vcpus: 2,
  bootargs: "console=ttyAMA0 earlycon",
  initrd: { start: 0x48000000, end: 0x48123456 },
};

/** The shape of the node the RM overlays (gunyah-abi.md §6). */
const hypervisorNode: DtNode = {
  name: "hypervisor",
  props: {
    "#address-cells": [2],
    "#size-cells": [0],
    compatible: ["gunyah-hypervisor", "simple-bus"],
  },
  children: [{
    name: "gunyah-resource-mgr@0",
    props: {
      compatible: ["gunyah-resource-manager-1-0", "gunyah-resource-manager"],
      interrupts: [0, 3, 1, 0, 4, 1],
      reg: [0, 0, 0, 1],
    },
  }],
};

Deno.test("the virt devicetree has every node Linux and the test guests look for", () => {
  const root = buildVirtDeviceTreeNodes(vm, [virtioMmioNode(0), hypervisorNode]);
  assertEquals(propStrings(root, "compatible"), ["linux,dummy-virt"]);
  assertEquals(propCells(root, "interrupt-parent"), [PHANDLE_GIC]);
  assertEquals(propStrings(findNode(root, "/psci")!, "method"), ["hvc"]);
  assertEquals(propCells(findNode(root, "/memory@40000000")!, "reg"), [
    0,
    0x40000000,
    0,
    0x20000000,
  ]);
  assertEquals(propCells(findNode(root, "/cpus/cpu@1")!, "reg"), [1]);
  assertEquals(propStrings(findNode(root, "/cpus/cpu@0")!, "enable-method"), ["psci"]);
  assertEquals(
    propCells(findNode(root, "/timer")!, "interrupts"),
    [1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4],
  );
  assertEquals(propCells(findNode(root, "/pl011@9000000")!, "interrupts"), [0, 1, 4]);
  assertEquals(propCells(findNode(root, "/pl031@9010000")!, "interrupts"), [0, 2, 4]);
  const gic = findNode(root, "/intc@8000000")!;
  assertEquals(propCells(gic, "reg"), [0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0, 0x40000]);
  assertEquals(propCells(gic, "phandle"), [PHANDLE_GIC]);
  const chosen = findNode(root, "/chosen")!;
  assertEquals(propStrings(chosen, "stdout-path"), ["/pl011@9000000"]);
  assertEquals(propInteger(chosen, "linux,initrd-start"), 0x48000000n);
  assertEquals(propInteger(chosen, "linux,initrd-end"), 0x48123456n);
  assertEquals(propCells(findNode(root, "/virtio_mmio@a000000")!, "interrupts"), [0, 16, 1]);
  assert(findNode(root, "/hypervisor/gunyah-resource-mgr@0"));
});

Deno.test("dtc accepts the virt devicetree without warnings and prints the expected nodes", async () => {
  if (!(await dtcAvailable())) return;
  const blob = encodeFdt(
    buildVirtDeviceTreeNodes(vm, [virtioMmioNode(0), virtioMmioNode(31), hypervisorNode]),
  );
  const r = await runDtc(blob);
  assert(r.ok, r.warnings);
  assertEquals(r.warnings, "");
  for (
    const needle of [
      'compatible = "linux,dummy-virt";',
      "psci {",
      'compatible = "arm,psci-1.0\\0arm,psci-0.2\\0arm,psci";',
      "memory@40000000 {",
      "cpu@0 {",
      "cpu@1 {",
      'compatible = "arm,armv8-timer\\0arm,armv7-timer";',
      "always-on;",
      "apb-pclk {",
      "clock-frequency = <0x16e3600>;",
      "pl011@9000000 {",
      'clock-names = "uartclk\\0apb_pclk";',
      "pl031@9010000 {",
      "intc@8000000 {",
      'compatible = "arm,gic-v3";',
      "#redistributor-regions = <0x01>;",
      'bootargs = "console=ttyAMA0 earlycon";',
      'stdout-path = "/pl011@9000000";',
      "linux,initrd-start = <0x00 0x48000000>;",
      "virtio_mmio@a003e00 {",
      "hypervisor {",
    ]
  ) {
    assert(r.dts.includes(needle), `missing ${needle} in\n${r.dts}`);
  }
});

Deno.test("the devicetree round-trips through the reader", () => {
  const root = buildVirtDeviceTreeNodes(vm, [virtioMmioNode(2)]);
  assertEquals(decodeFdt(encodeFdt(root)).root, JSON.parse(JSON.stringify(root)));
});

Deno.test("extra nodes named like built-in ones are merged; bad VM shapes are refused", () => {
  const root = buildVirtDeviceTreeNodes({ ...vm, initrd: undefined, bootargs: "" }, [
    { name: "chosen", props: { "rng-seed": [1, 2] } },
  ]);
  const chosen = findNode(root, "/chosen")!;
  assertEquals(propCells(chosen, "rng-seed"), [1, 2]);
  assertEquals(chosen.props.bootargs, undefined);
  assertEquals(chosen.props["linux,initrd-start"], undefined);
  assertThrows(() => buildVirtDeviceTreeNodes({ ...vm, vcpus: 0 }), RangeError, "1..123");
  assertThrows(
    () => buildVirtDeviceTreeNodes({ ...vm, ramBase: 0x09000000 }),
    RangeError,
    "overlaps the pl011",
  );
  assertThrows(
    () => buildVirtDeviceTreeNodes({ ...vm, ramSize: 1000 }),
    RangeError,
    "multiple of 4 KiB",
  );
});

Deno.test("cpu nodes past 16 vCPUs use Aff1 and stay dtc-clean", async () => {
  const root = buildVirtDeviceTreeNodes({ ...vm, vcpus: 20 });
  assertEquals(propCells(findNode(root, "/cpus/cpu@103")!, "reg"), [0x103]);
  if (!(await dtcAvailable())) return;
  const r = await runDtc(encodeFdt(root));
  assertEquals(r.warnings, "");
});
