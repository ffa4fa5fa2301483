/**
 * Cost of the interrupt paths: raise a line, acknowledge, end of interrupt.
 * Run with `deno bench arch/aarch64/gic/gicv3_bench.ts`.
 */
import { makeGic, write } from "./test_support.ts";
import { GICD_CTLR, GICD_IGROUPR, GICD_IPRIORITYR, GICD_ISENABLER } from "./registers.ts";
import { ICC_EOIR1_EL1, ICC_IAR1_EL1, ICC_IGRPEN1_EL1, ICC_PMR_EL1 } from "./icc_sysregs.ts";

const { gic } = makeGic(4, 256);
write(gic.distributor, GICD_CTLR, 0x12);
for (let w = 1; w <= gic.state.spiWords; w++) {
  write(gic.distributor, GICD_IGROUPR + 4 * w, 0xffffffff);
  write(gic.distributor, GICD_ISENABLER + 4 * w, 0xffffffff);
}
for (let i = 32; i < 32 + 256; i += 4) write(gic.distributor, GICD_IPRIORITYR + i, 0xa0a0a0a0);
const cpu0 = gic.cpus[0];
cpu0.writeSysreg(ICC_PMR_EL1, 0xf0, 0);
cpu0.writeSysreg(ICC_IGRPEN1_EL1, 1, 0);

Deno.bench("level SPI: assert, IAR1, deassert, EOIR1 (4 vCPUs, 256 SPIs)", () => {
  gic.setLine(200, true);
  cpu0.readSysreg(ICC_IAR1_EL1);
  gic.setLine(200, false);
  cpu0.writeSysreg(ICC_EOIR1_EL1, cpu0.dataLo, 0);
});

Deno.bench("unchanged line level (the timer's common case)", () => {
  gic.setLine(27, false, 0);
});
