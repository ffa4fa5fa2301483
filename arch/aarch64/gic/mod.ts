/**
 * The GICv3 virtual interrupt controller: distributor, redistributors and
 * the ICC_* CPU interface, as one {@link GicV3} per VM.
 *
 * @module
 */
export * from "./registers.ts";
export * from "./icc_sysregs.ts";
export { InterruptState, ROUTE_ANY, ROUTE_NONE } from "./interrupt_state.ts";
export { GicCpuInterface } from "./cpu_interface.ts";
export { GicDistributor } from "./distributor.ts";
export { GicRedistributors } from "./redistributor.ts";
export { type GicLink, SgiKind } from "./gic_link.ts";
export { createGicV3, type GicCpuPort, type GicPlacement, GicV3 } from "./gicv3.ts";
