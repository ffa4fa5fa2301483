import { assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import {
  mpidrForVcpu,
  redistributorRegionSize,
  VIRT_MAX_VCPUS,
  VIRT_MEMORY_MAP,
  virtioMmioBase,
  virtioMmioIntid,
} from "./memory_map.ts";

Deno.test("memory map matches QEMU virt: GIC, UART, RTC, virtio slots, RAM", () => {
  const byName = new Map(VIRT_MEMORY_MAP.map((e) => [e.name, e]));
  assertEquals(byName.get("gic-dist"), { name: "gic-dist", base: 0x08000000, size: 0x10000 });
  assertEquals(byName.get("gic-redist")!.base, 0x080a0000);
  assertEquals(byName.get("pl011"), { name: "pl011", base: 0x09000000, size: 0x1000, intid: 33 });
  assertEquals(byName.get("pl031"), { name: "pl031", base: 0x09010000, size: 0x1000, intid: 34 });
  assertEquals(byName.get("virtio-mmio-3"), {
    name: "virtio-mmio-3",
    base: 0x0a000600,
    size: 0x200,
    intid: 51,
  });
  assertEquals(byName.get("ram")!.base, 0x40000000);
  // no two regions overlap
  const sorted = [...VIRT_MEMORY_MAP].sort((a, b) => a.base - b.base);
  for (let i = 1; i < sorted.length; i++) {
    assertEquals(sorted[i - 1].base + sorted[i - 1].size <= sorted[i].base, true, sorted[i].name);
  }
});

Deno.test("virtio slots, redistributor sizing and MPIDRs follow QEMU's rules", () => {
  assertEquals(virtioMmioBase(31), 0x0a003e00);
  assertEquals(virtioMmioIntid(0), 48);
  assertThrows(() => virtioMmioBase(32), RangeError, "0..31");
  assertEquals(VIRT_MAX_VCPUS, 123);
  assertEquals(redistributorRegionSize(4), 0x80000);
  assertThrows(() => redistributorRegionSize(124), RangeError);
  assertEquals(mpidrForVcpu(0), 0);
  assertEquals(mpidrForVcpu(15), 15);
  assertEquals(mpidrForVcpu(17), 0x101);
});
