import { assertEquals } from "@gunyah-ts/tests/assert";
import { MmioResult } from "@gunyah-ts/core/plugin";
import { makeGic, read, read64, write, write64 } from "./test_support.ts";
import {
  GIC_PIDR2,
  GICD_CTLR,
  GICD_ICENABLER,
  GICD_ICFGR,
  GICD_ICPENDR,
  GICD_IGROUPR,
  GICD_IGRPMODR,
  GICD_IIDR,
  GICD_IPRIORITYR,
  GICD_IROUTER,
  GICD_ISACTIVER,
  GICD_ISENABLER,
  GICD_ISPENDR,
  GICD_NSACR,
  GICD_TYPER,
} from "./registers.ts";

Deno.test("GICD_CTLR: ARE and DS read as one, group enables writable, RWP 0", () => {
  const { gic } = makeGic();
  const d = gic.distributor;
  assertEquals(read(d, GICD_CTLR), 0x50);
  write(d, GICD_CTLR, 0x80000003); // RWP, EnableGrp0, EnableGrp1
  assertEquals(read(d, GICD_CTLR), 0x53);
  write(d, GICD_CTLR, 0);
  assertEquals(read(d, GICD_CTLR), 0x50, "ARE/DS are RAO/WI");
});

Deno.test("GICD_TYPER: ITLinesNumber, CPUNumber 0, IDbits, A3V, No1N 0, no LPIs/MBIS", () => {
  const { gic } = makeGic(4, 64);
  const typer = read(gic.distributor, GICD_TYPER);
  assertEquals(typer & 0x1f, 2, "96 INTIDs -> ITLinesNumber 2");
  assertEquals((typer >>> 5) & 7, 0, "CPUNumber is 000 when ARE cannot be cleared");
  assertEquals((typer >>> 19) & 0x1f, 15, "16 INTID bits");
  assertEquals((typer >>> 24) & 1, 1, "A3V");
  assertEquals((typer >>> 16) & 3, 0, "MBIS = LPIS = 0");
  assertEquals((typer >>> 25) & 1, 0, "No1N = 0: 1-of-N routing supported");
  const { gic: big } = makeGic(1, 988);
  assertEquals(read(big.distributor, GICD_TYPER) & 0x1f, 31);
});

Deno.test("GICD identification: IIDR, PIDR2.ArchRev = 3", () => {
  const { gic } = makeGic();
  assertEquals(read(gic.distributor, GICD_IIDR), 0x43b);
  assertEquals((read(gic.distributor, GIC_PIDR2) >>> 4) & 0xf, 3);
});

Deno.test("GICD_IPRIORITYR: byte, halfword and word access; 5 bits kept; SGI/PPI bytes RAZ/WI", () => {
  const { gic } = makeGic();
  const d = gic.distributor;
  write(d, GICD_IPRIORITYR + 33, 0xa7, 1);
  assertEquals(read(d, GICD_IPRIORITYR + 33, 1), 0xa0);
  write(d, GICD_IPRIORITYR + 34, 0x4080, 2);
  assertEquals(read(d, GICD_IPRIORITYR + 32), 0x4080a000);
  write(d, GICD_IPRIORITYR + 36, 0x11223344);
  assertEquals(read(d, GICD_IPRIORITYR + 36), 0x10203040);
  write(d, GICD_IPRIORITYR + 16, 0xffffffff);
  assertEquals(read(d, GICD_IPRIORITYR + 16), 0, "PPI priorities live in the redistributor");
  assertEquals(read(d, GICD_IPRIORITYR + 32 + 64), 0, "beyond the last SPI");
});

Deno.test("GICD bitmaps: set/clear enable and pending, word 0 RAZ/WI, unimplemented SPIs RAZ/WI", () => {
  const { gic } = makeGic(2, 40); // SPIs 32..71: word 2 has 8 valid bits
  const d = gic.distributor;
  write(d, GICD_ISENABLER, 0xffffffff);
  assertEquals(read(d, GICD_ISENABLER), 0);
  write(d, GICD_ISENABLER + 4, 0x00000012);
  write(d, GICD_ISENABLER + 4, 0x00000100);
  assertEquals(read(d, GICD_ISENABLER + 4), 0x112);
  write(d, GICD_ICENABLER + 4, 0x2);
  assertEquals(read(d, GICD_ICENABLER + 4), 0x110);
  write(d, GICD_ISPENDR + 8, 0xffffffff);
  assertEquals(read(d, GICD_ISPENDR + 8), 0xff);
  write(d, GICD_ICPENDR + 8, 0x0f);
  assertEquals(read(d, GICD_ISPENDR + 8), 0xf0);
  write(d, GICD_IGROUPR + 4, 0xffffffff);
  assertEquals(read(d, GICD_IGROUPR + 4), 0xffffffff);
  write(d, GICD_ISACTIVER + 4, 1);
  assertEquals(read(d, GICD_ISACTIVER + 4), 1);
  assertEquals(read(d, GICD_ISENABLER + 12), 0, "beyond ITLinesNumber");
});

Deno.test("GICD_ICFGR: SPI edge/level bits; SGI/PPI words RAZ/WI", () => {
  const { gic } = makeGic();
  const d = gic.distributor;
  write(d, GICD_ICFGR + 8, 0x0000000a); // INTIDs 32, 33 edge
  assertEquals(read(d, GICD_ICFGR + 8), 0x0000000a);
  write(d, GICD_ICFGR + 12, 0x80000000); // INTID 63 edge
  assertEquals(read(d, GICD_ICFGR + 12), 0x80000000);
  assertEquals(read(d, GICD_ICFGR), 0);
  write(d, GICD_ICFGR + 4, 0xffffffff);
  assertEquals(read(d, GICD_ICFGR + 4), 0);
});

Deno.test("GICD_IROUTER: 64-bit and 32-bit access, writable fields only, SPIs only", () => {
  const { gic } = makeGic();
  const d = gic.distributor;
  write64(d, GICD_IROUTER + 8 * 40, 0xffff_ffff_ffff_ffffn);
  assertEquals(read64(d, GICD_IROUTER + 8 * 40), 0xff_80ff_ffffn);
  write(d, GICD_IROUTER + 8 * 41, 0x00000001);
  write(d, GICD_IROUTER + 8 * 41 + 4, 0x2);
  assertEquals(read(d, GICD_IROUTER + 8 * 41), 1);
  assertEquals(read(d, GICD_IROUTER + 8 * 41 + 4), 2);
  write64(d, GICD_IROUTER + 8 * 20, 0x1n);
  assertEquals(read64(d, GICD_IROUTER + 8 * 20), 0n, "INTID 20 has no IROUTER");
});

Deno.test("GICD: IGRPMODR, NSACR and reserved offsets are RAZ/WI; every access is handled", () => {
  const { gic } = makeGic();
  const d = gic.distributor;
  for (const off of [GICD_IGRPMODR + 4, GICD_NSACR + 8, 0x0020, 0x5000, 0xf00, 0xc000]) {
    assertEquals(d.write(off, 4, 0xffffffff, 0, 0), MmioResult.Handled);
    assertEquals(read(d, off), 0, `offset 0x${off.toString(16)}`);
  }
  assertEquals(read(d, GICD_CTLR, 1), 0, "sub-word access to a word register reads zero");
});
