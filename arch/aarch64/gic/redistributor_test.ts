import { assertEquals } from "@gunyah-ts/tests/assert";
import { createGicV3 } from "./gicv3.ts";
import { FakeCpu, makeGic, read, read64, VIRT_PLACEMENT, write } from "./test_support.ts";
import {
  GIC_PIDR2,
  GICR_ICENABLER0,
  GICR_ICFGR0,
  GICR_ICFGR1,
  GICR_IGROUPR0,
  GICR_IGRPMODR0,
  GICR_IIDR,
  GICR_IPRIORITYR0,
  GICR_ISENABLER0,
  GICR_ISPENDR0,
  GICR_SGI_BASE,
  GICR_STRIDE,
  GICR_TYPER,
  GICR_WAKER,
} from "./registers.ts";

Deno.test("GICR region: 128 KiB per vCPU at the configured base", () => {
  const { gic } = makeGic(3);
  assertEquals(gic.redistributors.base, 0x080a0000);
  assertEquals(gic.redistributors.size, 3 * 0x20000);
  assertEquals(gic.regions.length, 2);
});

Deno.test("GICR_TYPER: Processor_Number, Affinity_Value, Last only on the final redistributor", () => {
  const gic = createGicV3({ vcpus: 3, spis: 32 }, VIRT_PLACEMENT);
  // MPIDR affinity: Aff3 at bits 39:32. The last is Aff3=1 Aff2=2 Aff1=3 Aff0=4.
  const mpidrs = [0x0, 0x1, 0x01_0002_0304];
  mpidrs.forEach((mpidr, i) => {
    const c = new FakeCpu();
    gic.connectCpu(i, c, mpidr, c.wake);
  });
  const r = gic.redistributors;
  assertEquals(read64(r, GICR_TYPER), 0x0000_0000_0000_0000n);
  assertEquals(read64(r, GICR_STRIDE + GICR_TYPER), 0x0000_0001_0000_0100n);
  assertEquals(read64(r, 2 * GICR_STRIDE + GICR_TYPER), 0x0102_0304_0000_0210n);
  // 32-bit halves read the same value.
  assertEquals(read(r, 2 * GICR_STRIDE + GICR_TYPER), 0x210);
  assertEquals(read(r, 2 * GICR_STRIDE + GICR_TYPER + 4), 0x01020304);
});

Deno.test("GICR_WAKER: ProcessorSleep -> ChildrenAsleep handshake as Linux polls it", () => {
  const { gic } = makeGic(2);
  const r = gic.redistributors;
  assertEquals(read(r, GICR_WAKER), 0x6, "reset: asleep");
  write(r, GICR_WAKER, read(r, GICR_WAKER) & ~0x2);
  assertEquals(read(r, GICR_WAKER) & 0x4, 0, "ChildrenAsleep clears at once");
  assertEquals(read(r, GICR_STRIDE + GICR_WAKER), 0x6, "other redistributor untouched");
  write(r, GICR_WAKER, 0x2);
  assertEquals(read(r, GICR_WAKER), 0x6);
});

Deno.test("GICR identification: PIDR2.ArchRev = 3 in every frame, IIDR", () => {
  const { gic } = makeGic(2);
  const r = gic.redistributors;
  for (const v of [0, 1]) {
    assertEquals(read(r, v * GICR_STRIDE + GIC_PIDR2) & 0xf0, 0x30);
    assertEquals(read(r, v * GICR_STRIDE + GICR_IIDR), 0x43b);
  }
});

Deno.test("GICR SGI_base: per-vCPU bitmaps, byte-wide IPRIORITYR, ICFGR0 fixed edge, ICFGR1 programmable", () => {
  const { gic } = makeGic(2);
  const r = gic.redistributors;
  const sgi0 = GICR_SGI_BASE, sgi1 = GICR_STRIDE + GICR_SGI_BASE;
  write(r, sgi0 + GICR_ISENABLER0, 0x08000001);
  assertEquals(read(r, sgi0 + GICR_ISENABLER0), 0x08000001);
  assertEquals(read(r, sgi1 + GICR_ISENABLER0), 0, "banked per vCPU");
  write(r, sgi0 + GICR_ICENABLER0, 1);
  assertEquals(read(r, sgi0 + GICR_ISENABLER0), 0x08000000);
  write(r, sgi1 + GICR_IGROUPR0, 0xffffffff);
  assertEquals(read(r, sgi1 + GICR_IGROUPR0), 0xffffffff);
  write(r, sgi0 + GICR_IPRIORITYR0 + 27, 0xa5, 1);
  assertEquals(read(r, sgi0 + GICR_IPRIORITYR0 + 27, 1), 0xa0);
  assertEquals(read(r, sgi0 + GICR_IPRIORITYR0 + 24), 0xa0000000);
  assertEquals(read(r, sgi1 + GICR_IPRIORITYR0 + 24), 0);
  assertEquals(read(r, sgi0 + GICR_ICFGR0), 0xaaaaaaaa);
  write(r, sgi0 + GICR_ICFGR0, 0);
  assertEquals(read(r, sgi0 + GICR_ICFGR0), 0xaaaaaaaa, "SGIs are always edge");
  assertEquals(read(r, sgi0 + GICR_ICFGR1), 0);
  write(r, sgi0 + GICR_ICFGR1, 0x00800000); // PPI 27 edge
  assertEquals(read(r, sgi0 + GICR_ICFGR1), 0x00800000);
  write(r, sgi0 + GICR_ISPENDR0, 1 << 5);
  assertEquals(read(r, sgi0 + GICR_ISPENDR0), 1 << 5);
  write(r, sgi0 + GICR_IGRPMODR0, 0xffffffff);
  assertEquals(read(r, sgi0 + GICR_IGRPMODR0), 0, "RAZ/WI with one Security state");
});
