/**
 * The SMCCC side of hypercall dispatch: `hvc #0` and `smc #0` with a
 * function ID in W0 (Arm DEN 0028 SMCCC 1.3; HYP `hyp/vm/smccc/*`,
 * gunyah-abi.md §1.2).
 *
 * - Function ID bits 23:17 must be zero, else SMCCC_UNKNOWN (-1).
 * - Owner ARCH: SMCCC_VERSION (fast32) → 0x10003; SMCCC_ARCH_FEATURES
 *   (fast32) → 0 for the ARCH and STANDARD_HYP fast32 functions implemented
 *   here, -1 otherwise.
 * - Owner STANDARD_HYP: CALL_UID → the Gunyah UUID words, REVISION → 1.0.
 * - Owner VENDOR_HYP: class HYPERCALL (fast + SMC64 only) → the Gunyah
 *   hypercall table with arguments X1..X7; class SERVICE (fast + SMC32
 *   only) → CALL_UID, REVISION (= `hyp_api_info`); CALL_COUNT is deprecated
 *   and answers -1.
 * - Other owners (STANDARD = PSCI, SIP, OEM, CPU) go to services registered
 *   at run time; none registered or not handled → -1.
 * - Any other immediate → -1 (`smccc_handle_vcpu_trap_default`).
 *
 * @example
 * ```ts
 * import { createTestCore } from "./test_fixture.ts";
 * const core = createTestCore();
 * // hypervisor_identify through SMCCC: X0 = 0xC6008000 | 0.
 * const regs = new BigUint64Array(8);
 * regs[0] = 0xc6008000n;
 * core.dispatcher.dispatchHvc(core.ctx, 0, regs);
 * // regs[0] is now hyp_api_info (0x5100000000008001), regs[1] api_flags_0.
 * ```
 *
 * @module
 */
import { hypApiInfo } from "../abi/identify.ts";
import {
  decodeSmcccFunctionId,
  SMCCC_GUNYAH_UID,
  SMCCC_STANDARD_HYP_REVISION,
  SMCCC_VERSION_1_3,
  SmcccArchFunction,
  SmcccOwner,
  SmcccServiceFunction,
  VENDOR_HYP_FUNCTION_MASK,
  VendorHypCallClass,
} from "../abi/smccc.ts";
import type { HypercallContext } from "./context.ts";
import { HypercallTable, REGISTER_MINUS_ONE } from "./table.ts";

/** Which instruction made an SMCCC call. */
export type SmcccConduit = "hvc" | "smc";

/**
 * An SMCCC service for one owner (e.g. PSCI for STANDARD). It reads its
 * arguments from `regs[1..]` (X1..) and writes results to `regs[0..]`.
 * Returns false if it does not implement `functionId` (the caller answers -1).
 */
export type SmcccServiceHandler = (
  ctx: HypercallContext,
  functionId: number,
  regs: BigUint64Array,
  conduit: SmcccConduit,
) => boolean;

/** Per-owner-and-width function numbers that ARCH_FEATURES reports as implemented. */
const ARCH_FEATURES_FAST32: ReadonlyMap<number, ReadonlySet<number>> = new Map([
  [SmcccOwner.ARCH, new Set<number>([SmcccArchFunction.VERSION, SmcccArchFunction.ARCH_FEATURES])],
  [
    SmcccOwner.STANDARD_HYP,
    new Set<number>([SmcccServiceFunction.CALL_UID, SmcccServiceFunction.REVISION]),
  ],
]);

/** The whole `hvc`/`smc` entry of one hypervisor: native calls, SMCCC, and registered services. */
export class HypercallDispatcher {
  /** The Gunyah hypercall table. */
  readonly table: HypercallTable;
  #services = new Map<number, SmcccServiceHandler>();
  /** `hyp_api_info` returned by the vendor-hyp REVISION call. */
  apiInfo: bigint = hypApiInfo();

  constructor(table: HypercallTable = new HypercallTable()) {
    this.table = table;
  }

  /**
   * Serve SMCCC owner `owner` (e.g. 4 = STANDARD for PSCI) with `handler`.
   * ARCH, STANDARD_HYP and VENDOR_HYP are the hypervisor's own.
   */
  registerSmcccService(owner: number, handler: SmcccServiceHandler): void {
    if (
      owner === SmcccOwner.ARCH || owner === SmcccOwner.STANDARD_HYP ||
      owner === SmcccOwner.VENDOR_HYP
    ) {
      throw new Error(`SMCCC owner ${owner} is served by the hypervisor itself`);
    }
    if (!Number.isInteger(owner) || owner < 0 || owner > 0x3f) {
      throw new RangeError(`SMCCC owner ${owner} not in 0..63`);
    }
    if (this.#services.has(owner)) throw new Error(`SMCCC owner ${owner} already has a service`);
    this.#services.set(owner, handler);
  }

  /** `hvc #imm` from a guest: SMCCC for imm 0, native Gunyah call for 0x6000..0x61ff, else -1. */
  dispatchHvc(ctx: HypercallContext, imm: number, regs: BigUint64Array): void {
    if (imm === 0) this.dispatchSmccc(ctx, regs, "hvc");
    else this.table.dispatchNative(ctx, imm, regs);
  }

  /** `smc #imm` from a guest: SMCCC for imm 0, else -1. */
  dispatchSmc(ctx: HypercallContext, imm: number, regs: BigUint64Array): void {
    if (imm === 0) this.dispatchSmccc(ctx, regs, "smc");
    else regs[0] = REGISTER_MINUS_ONE;
  }

  /** An SMCCC call: function ID in W0, arguments X1..X7, results X0... */
  dispatchSmccc(ctx: HypercallContext, regs: BigUint64Array, conduit: SmcccConduit): void {
    const functionId = Number(regs[0] & 0xffffffffn);
    const id = decodeSmcccFunctionId(functionId);
    if (id.res0 !== 0) {
      regs[0] = REGISTER_MINUS_ONE;
      return;
    }
    switch (id.owner) {
      case SmcccOwner.ARCH:
        this.#arch(id.fast, id.smc64, id.fn, regs);
        return;
      case SmcccOwner.STANDARD_HYP:
        this.#standardHyp(id.fast, id.smc64, id.fn, regs);
        return;
      case SmcccOwner.VENDOR_HYP:
        this.#vendorHyp(ctx, id.fast, id.smc64, id.fn, regs);
        return;
      default: {
        const service = this.#services.get(id.owner);
        if (!service || !service(ctx, functionId, regs, conduit)) regs[0] = REGISTER_MINUS_ONE;
      }
    }
  }

  #arch(fast: boolean, smc64: boolean, fn: number, regs: BigUint64Array): void {
    if (!fast || smc64) {
      regs[0] = REGISTER_MINUS_ONE;
      return;
    }
    if (fn === SmcccArchFunction.VERSION) {
      regs[0] = BigInt(SMCCC_VERSION_1_3);
    } else if (fn === SmcccArchFunction.ARCH_FEATURES) {
      const queried = decodeSmcccFunctionId(Number(regs[1] & 0xffffffffn));
      const known = queried.fast && !queried.smc64 && queried.res0 === 0 &&
        ARCH_FEATURES_FAST32.get(queried.owner)?.has(queried.fn) === true;
      regs[0] = known ? 0n : REGISTER_MINUS_ONE;
    } else {
      regs[0] = REGISTER_MINUS_ONE;
    }
  }

  #standardHyp(fast: boolean, smc64: boolean, fn: number, regs: BigUint64Array): void {
    if (!fast || smc64) {
      regs[0] = REGISTER_MINUS_ONE;
    } else if (fn === SmcccServiceFunction.CALL_UID) {
      for (let i = 0; i < 4; i++) regs[i] = BigInt(SMCCC_GUNYAH_UID[i]);
    } else if (fn === SmcccServiceFunction.REVISION) {
      regs[0] = BigInt(SMCCC_STANDARD_HYP_REVISION[0]);
      regs[1] = BigInt(SMCCC_STANDARD_HYP_REVISION[1]);
    } else {
      regs[0] = REGISTER_MINUS_ONE;
    }
  }

  #vendorHyp(
    ctx: HypercallContext,
    fast: boolean,
    smc64: boolean,
    fn: number,
    regs: BigUint64Array,
  ): void {
    const callClass = fn >>> 14;
    const number = fn & VENDOR_HYP_FUNCTION_MASK;
    if (callClass === VendorHypCallClass.HYPERCALL) {
      if (fast && smc64) this.table.invoke(ctx, number, regs, 1);
      else regs[0] = REGISTER_MINUS_ONE;
    } else if (callClass === VendorHypCallClass.SERVICE && fast && !smc64) {
      const service = fn | 0xc000;
      if (service === SmcccServiceFunction.CALL_UID) {
        for (let i = 0; i < 4; i++) regs[i] = BigInt(SMCCC_GUNYAH_UID[i]);
      } else if (service === SmcccServiceFunction.REVISION) {
        regs[0] = this.apiInfo;
      } else {
        // CALL_COUNT is deprecated; other service numbers are unknown.
        regs[0] = REGISTER_MINUS_ONE;
      }
    } else {
      // PLATFORM_CALL (no platform pass-through on this platform), class 0b01,
      // or a SERVICE call that is not fast SMC32.
      regs[0] = REGISTER_MINUS_ONE;
    }
  }
}
