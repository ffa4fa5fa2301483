import { assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { type MmioData, type MmioRegion, MmioResult } from "../plugin/contracts.ts";
import { VmMmioBus } from "./vm_mmio_bus.ts";

function region(base: number, size: number, log: string[]): MmioRegion {
  return {
    base,
    size,
    read(offset: number, size: number, _vcpu: number, out: MmioData): MmioResult {
      log.push(`r${offset}/${size}`);
      out.lo = base + offset;
      out.hi = 7;
      return MmioResult.Handled;
    },
    write(offset: number, _size: number, lo: number): MmioResult {
      log.push(`w${offset}=${lo}`);
      return MmioResult.Handled;
    },
  };
}

Deno.test("VmMmioBus routes accesses to regions by address (offset-relative)", () => {
  const log: string[] = [];
  const bus = new VmMmioBus();
  bus.addRegion(region(0x9000000, 0x1000, log));
  bus.addRegion(region(0x8000000, 0x10000, log));
  assertEquals(bus.read(0x9000018, 4, 0), MmioResult.Handled);
  assertEquals(bus.dataLo, 0x9000018);
  assertEquals(bus.read(0x8000004, 8, 0), MmioResult.Handled);
  assertEquals([bus.dataLo, bus.dataHi], [0x8000004, 7]);
  assertEquals(bus.write(0x9000000, 1, 65, 0, 0), MmioResult.Handled);
  assertEquals(bus.read(0x7000000, 4, 0), MmioResult.Unclaimed);
  assertEquals(log, ["r24/4", "r4/8", "w0=65"]);
  assertThrows(() => bus.addRegion(region(0x9000800, 0x1000, log)), Error, "overlaps");
});

Deno.test("VmMmioBus VMMIO: exit, complete, re-executed access gets the resume value", () => {
  const bus = new VmMmioBus();
  bus.addVmmioRange(0x10000000, 0x1000);
  assertEquals(bus.read(0x10000010, 4, 1), MmioResult.Exit);
  bus.complete(1, 0xcafe, 0);
  // Another vCPU does not see vCPU 1's completion.
  assertEquals(bus.read(0x10000010, 4, 0), MmioResult.Exit);
  assertEquals(bus.read(0x10000010, 4, 1), MmioResult.Handled);
  assertEquals(bus.dataLo, 0xcafe);
  // Completion is consumed once.
  assertEquals(bus.read(0x10000010, 4, 1), MmioResult.Exit);
  assertEquals(bus.write(0x10000020, 4, 5, 0, 2), MmioResult.Exit);
  bus.complete(2, 0, 0);
  assertEquals(bus.write(0x10000020, 4, 5, 0, 2), MmioResult.Handled);
  assertThrows(() => bus.complete(3, 0, 0), Error, "no MMIO access");
  assertEquals(bus.removeVmmioRange(0x10000000, 0x1000), true);
  assertEquals(bus.read(0x10000010, 4, 1), MmioResult.Unclaimed);
});
