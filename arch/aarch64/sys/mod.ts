/**
 * The AArch64 system level of one vCPU: system registers (./registers.ts,
 * ./sysregs.ts, ./id_registers.ts), exception entry and return
 * (./exception.ts, ./esr.ts), the FP/SIMD access trap (./fp_access.ts), the
 * generic timer (./timer.ts) and the run-slice hooks (./slice.ts). The CPU
 * object this layer needs is described by {@link SystemCpu}.
 *
 * @module
 */
export * from "./esr.ts";
export * from "./exception.ts";
export { checkFpAccess, FP_TRAP_ISS, fpTrapMask } from "./fp_access.ts";
export * from "./id_registers.ts";
export * from "./registers.ts";
export { beginSlice, nextTimerDeadline, updateTimers } from "./slice.ts";
export { keyName, keyOf, sysregKey, sysregTrapIss } from "./sysreg_key.ts";
export {
  EL0_OK,
  EL0_TRAP,
  EL0_UNDEFINED,
  type El0Rule,
  isGicKey,
  isReservedIdKey,
  SYSREG_TABLE,
  type SysregDef,
  type SysregRead,
  type SysregWrite,
} from "./sysregs.ts";
export type { GicSysregInterface, SystemCpu } from "./system_cpu.ts";
export * from "./timer.ts";
