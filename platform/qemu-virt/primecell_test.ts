import { assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { type DeviceHost, MmioResult } from "@gunyah-ts/core/plugin";
import {
  PRIMECELL_BLOCK_SIZE,
  PRIMECELL_DESIGNER_ARM,
  PRIMECELL_ID_OFFSET,
  PrimeCellDevice,
  primeCellIdRegisters,
} from "./primecell.ts";
import { FakeDeviceHost } from "./testing/fake_host.ts";

/** A PrimeCell with one read-only word register at 0 and an interrupt bit written at 4. */
class ProbeCell extends PrimeCellDevice {
  readonly name = "probe";
  word = 0x8877_6655;
  writes = 0;
  constructor(host: DeviceHost) {
    super(
      host,
      0x1000_0000,
      40,
      primeCellIdRegisters({ part: 0xabc, designer: 0x5d, revision: 7, configuration: 0x3c }),
    );
  }
  reset(): void {
    this.lowerIrq();
  }
  describe(): Record<string, string | number | boolean> {
    return { irq: this.irqAsserted };
  }
  protected readRegister(reg: number): number {
    return reg === 0 ? this.word : 0;
  }
  protected mmioWrite(offset: number, _size: number, lo: number): MmioResult {
    this.writes++;
    if (offset === 4) this.setIrqLevel((lo & 1) !== 0);
    return MmioResult.Handled;
  }
}

Deno.test("primeCellIdRegisters packs part, designer, revision and configuration, then 0xB105F00D", () => {
  assertEquals(
    primeCellIdRegisters({
      part: 0x011,
      designer: PRIMECELL_DESIGNER_ARM,
      revision: 1,
      configuration: 0,
    }),
    [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1],
  );
  assertEquals(
    primeCellIdRegisters({ part: 0xabc, designer: 0x5d, revision: 7, configuration: 0x3c }),
    [0xbc, 0xda, 0x75, 0x3c, 0x0d, 0xf0, 0x05, 0xb1],
  );
  assertThrows(
    () => primeCellIdRegisters({ part: 0x1000, designer: 0x41, revision: 1, configuration: 0 }),
    RangeError,
    "part 4096 (12 bits)",
  );
  assertThrows(
    () => primeCellIdRegisters({ part: 0x11, designer: 0x41, revision: 16, configuration: 0 }),
    RangeError,
    "revision 16 (4 bits)",
  );
});

Deno.test("PrimeCellDevice serves the ID window, sub-word reads and writes through one 4 KiB region", () => {
  const cell = new ProbeCell(new FakeDeviceHost());
  const region = cell.regions[0];
  assertEquals([region.base, region.size, cell.intid], [0x1000_0000, PRIMECELL_BLOCK_SIZE, 40]);
  const out = { lo: -1, hi: -1 };
  const rd = (offset: number, size: number): number => {
    assertEquals(region.read(offset, size, 0, out), MmioResult.Handled);
    assertEquals(out.hi, 0);
    return out.lo;
  };
  const ids = [];
  for (let o = PRIMECELL_ID_OFFSET; o < PRIMECELL_BLOCK_SIZE; o += 4) ids.push(rd(o, 4));
  assertEquals(ids, [0xbc, 0xda, 0x75, 0x3c, 0x0d, 0xf0, 0x05, 0xb1]);
  assertEquals(rd(PRIMECELL_ID_OFFSET + 1, 1), 0, "unaligned ID byte reads as zero");
  assertEquals(rd(0, 4), 0x8877_6655);
  assertEquals([rd(0, 1), rd(1, 1), rd(2, 2), rd(3, 1)], [0x55, 0x66, 0x8877, 0x88]);
  assertEquals(region.write(8, 4, 1, 0, 0), MmioResult.Handled);
  assertEquals(cell.writes, 1);
});

Deno.test("PrimeCellDevice tells the host only of interrupt level changes; reset lowers the line", () => {
  const host = new FakeDeviceHost();
  const cell = new ProbeCell(host);
  const region = cell.regions[0];
  region.write(4, 4, 1, 0, 0);
  region.write(4, 4, 1, 0, 0);
  assertEquals(cell.describe().irq, true);
  region.write(4, 4, 0, 0, 0);
  cell.reset();
  assertEquals(host.irqLog, [[40, true], [40, false], [40, false]]);
  assertEquals(cell.describe().irq, false);
});
