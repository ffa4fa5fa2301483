/**
 * PSCI 1.1 as an SMCCC service of the STANDARD owner (4): decodes the
 * function ID, validates arguments, and hands the work to a
 * {@link PsciHost}.
 *
 * The handler has the shape the core's hypercall dispatcher accepts for
 * `registerSmcccService(owner, handler)`: `(caller, functionId, regs,
 * conduit) => boolean`, where `regs` holds X0..X7 (arguments in X1.., results
 * written to X0..) and `false` means "not a function of this service" (the
 * dispatcher then answers NOT_SUPPORTED / SMCCC_UNKNOWN, -1).
 *
 * Calling-convention rules (DEN 0022 §5.1, SMCCC DEN 0028 §2): SMC32 forms
 * take 32-bit arguments (the upper halves of X1..X3 are ignored); functions
 * defined only as SMC32 answer NOT_SUPPORTED when called with the SMC64 bit;
 * yielding (non-fast) IDs are not PSCI. Results are written sign-extended to
 * 64 bits.
 *
 * Implemented: PSCI_VERSION (1.1), CPU_SUSPEND, CPU_OFF, CPU_ON,
 * AFFINITY_INFO, MIGRATE_INFO_TYPE (2: no migration needed), SYSTEM_OFF,
 * SYSTEM_RESET, PSCI_FEATURES. MIGRATE and MIGRATE_INFO_UP_CPU, and the
 * optional PSCI 1.x functions (CPU_FREEZE, SYSTEM_SUSPEND, SYSTEM_RESET2,
 * ...), answer NOT_SUPPORTED, and PSCI_FEATURES says so.
 *
 * @module
 */
import {
  POWER_STATE_RESERVED,
  PSCI_CPU_SUSPEND_FEATURES,
  PSCI_MIGRATE_INFO_TYPE_NONE,
  PSCI_VERSION_1_1,
  PsciFunction,
  PsciReturn,
} from "../abi/psci.ts";
import {
  SMCCC_FAST_CALL,
  SMCCC_OWNER_SHIFT,
  SMCCC_SMC64,
  SMCCC_VERSION_FUNCTION_ID,
  SmcccOwner,
} from "../abi/smccc.ts";
import { MPIDR_AFFINITY_MASK } from "../abi/mpidr.ts";
import type { PsciHost } from "./host.ts";

/** Function-ID bits 23:16 must be zero for PSCI (bit 16 is the SVE hint, 23:17 res0). */
const PSCI_RESERVED_BITS = 0x00ff0000;
/**
 * Last function number of the PSCI range of the STANDARD owner (SMCCC DEN 0028
 * §6, "Standard Secure Service Calls": 0x00-0x1F are PSCI). Numbers above it
 * (e.g. TRNG at 0x50) belong to other standard services.
 */
const PSCI_FUNCTION_LAST = 0x1f;

/** The service handler registered with the SMCCC dispatcher. */
export type PsciServiceHandler<Caller> = (
  caller: Caller,
  functionId: number,
  regs: BigUint64Array,
  conduit: string,
) => boolean;

/** Which function numbers are implemented, and in which widths. */
const IMPLEMENTED_SMC32 = new Set<number>([
  PsciFunction.VERSION,
  PsciFunction.CPU_SUSPEND,
  PsciFunction.CPU_OFF,
  PsciFunction.CPU_ON,
  PsciFunction.AFFINITY_INFO,
  PsciFunction.MIGRATE_INFO_TYPE,
  PsciFunction.SYSTEM_OFF,
  PsciFunction.SYSTEM_RESET,
  PsciFunction.PSCI_FEATURES,
]);
const IMPLEMENTED_SMC64 = new Set<number>([
  PsciFunction.CPU_SUSPEND,
  PsciFunction.CPU_ON,
  PsciFunction.AFFINITY_INFO,
]);

/** Whether `functionId` is a PSCI function this service implements (PSCI_FEATURES). */
export function psciImplements(functionId: number): boolean {
  const id = functionId >>> 0;
  if ((id & SMCCC_FAST_CALL) === 0 || (id & PSCI_RESERVED_BITS) !== 0) return false;
  if (((id >>> SMCCC_OWNER_SHIFT) & 0x3f) !== SmcccOwner.STANDARD) return false;
  const fn = id & 0xffff;
  return (id & SMCCC_SMC64) !== 0 ? IMPLEMENTED_SMC64.has(fn) : IMPLEMENTED_SMC32.has(fn);
}

/** Write a (possibly negative) 32-bit result to X0, sign-extended. */
function result(regs: BigUint64Array, value: number): void {
  regs[0] = BigInt.asUintN(64, BigInt(value | 0));
}

/**
 * Build the PSCI service over `host`. Register it with the dispatcher as
 * owner {@link SmcccOwner.STANDARD}.
 *
 * @example
 * ```ts
 * dispatcher.registerSmcccService(SmcccOwner.STANDARD, createPsciService(host));
 * ```
 */
export function createPsciService<Caller>(host: PsciHost<Caller>): PsciServiceHandler<Caller> {
  return (caller, functionId, regs) => {
    const id = functionId >>> 0;
    if (
      (id & SMCCC_FAST_CALL) === 0 || ((id >>> SMCCC_OWNER_SHIFT) & 0x3f) !== SmcccOwner.STANDARD
    ) {
      return false;
    }
    const fn = id & 0xffff;
    if (fn > PSCI_FUNCTION_LAST) return false;
    if (!psciImplements(id)) {
      result(regs, PsciReturn.NOT_SUPPORTED);
      return true;
    }
    const smc64 = (id & SMCCC_SMC64) !== 0;
    const arg = (i: number): bigint => smc64 ? regs[i] : regs[i] & 0xffffffffn;
    switch (fn) {
      case PsciFunction.VERSION:
        result(regs, PSCI_VERSION_1_1);
        break;
      case PsciFunction.CPU_SUSPEND: {
        const powerState = Number(regs[1] & 0xffffffffn);
        if ((powerState & POWER_STATE_RESERVED) !== 0) {
          result(regs, PsciReturn.INVALID_PARAMETERS);
        } else {
          result(regs, host.cpuSuspend(caller, powerState, arg(2), arg(3)));
        }
        break;
      }
      case PsciFunction.CPU_OFF:
        result(regs, host.cpuOff(caller));
        break;
      case PsciFunction.CPU_ON: {
        const target = arg(1);
        if ((target & ~MPIDR_AFFINITY_MASK) !== 0n) {
          result(regs, PsciReturn.INVALID_PARAMETERS);
        } else {
          result(regs, host.cpuOn(caller, target, arg(2), arg(3)));
        }
        break;
      }
      case PsciFunction.AFFINITY_INFO: {
        const target = arg(1);
        const level = regs[2] & 0xffffffffn;
        if ((target & ~MPIDR_AFFINITY_MASK) !== 0n || level > 3n) {
          result(regs, PsciReturn.INVALID_PARAMETERS);
        } else {
          result(regs, host.affinityInfo(caller, target, Number(level)));
        }
        break;
      }
      case PsciFunction.MIGRATE_INFO_TYPE:
        result(regs, PSCI_MIGRATE_INFO_TYPE_NONE);
        break;
      case PsciFunction.SYSTEM_OFF:
        host.systemOff(caller);
        // SYSTEM_OFF does not return; if the caller ever runs again, it failed.
        result(regs, PsciReturn.INTERNAL_FAILURE);
        break;
      case PsciFunction.SYSTEM_RESET:
        host.systemReset(caller);
        result(regs, PsciReturn.INTERNAL_FAILURE);
        break;
      case PsciFunction.PSCI_FEATURES: {
        const queried = Number(regs[1] & 0xffffffffn) >>> 0;
        if (queried === SMCCC_VERSION_FUNCTION_ID) {
          result(regs, PsciReturn.SUCCESS);
        } else if (!psciImplements(queried)) {
          result(regs, PsciReturn.NOT_SUPPORTED);
        } else if ((queried & 0xffff) === PsciFunction.CPU_SUSPEND) {
          result(regs, PSCI_CPU_SUSPEND_FEATURES);
        } else {
          result(regs, PsciReturn.SUCCESS);
        }
        break;
      }
    }
    return true;
  };
}
