/**
 * The CPACR_EL1.FPEN trap on SIMD and floating-point instructions and
 * registers (FPCR, FPSR, V registers).
 *
 * Source: DDI 0487, D17.2.30 CPACR_EL1 (FPEN, bits 21:20: 0b01 traps EL0
 * only, 0b11 traps nothing, 0b00/0b10 trap EL0 and EL1) and the EC 0x07
 * syndrome.
 *
 * @module
 */
import { EC_FP_ACCESS } from "./esr.ts";
import { raiseSync } from "./exception.ts";
import type { SystemCpu } from "./system_cpu.ts";

/**
 * ISS reported for a trapped AArch64 FP/SIMD access: CV = 1, COND = 0b1110
 * (the values Arm permits for AArch64 traps and QEMU reports).
 */
export const FP_TRAP_ISS = (1 << 24) | (0xe << 20);

/** Bit mask of exception levels whose FP/SIMD use traps, for a CPACR_EL1 value (bit n = ELn). */
export function fpTrapMask(cpacr: number): number {
  switch ((cpacr >>> 20) & 3) {
    case 0b01:
      return 0b01;
    case 0b11:
      return 0b00;
    default:
      return 0b11;
  }
}

/**
 * Check that FP/AdvSIMD may be used at the current EL; if CPACR_EL1.FPEN
 * traps it, take the EC 0x07 exception and throw GUEST_EXCEPTION. Every
 * FP/SIMD instruction calls this first. One load and a test when allowed.
 */
export function checkFpAccess(cpu: SystemCpu): void {
  if ((cpu.sys.fpTrapEls & (1 << cpu.el)) !== 0) raiseSync(cpu, EC_FP_ACCESS, FP_TRAP_ISS);
}
