/**
 * The hypercall table and its two entry conventions.
 *
 * - Native: `hvc #(0x6000 + N)`, arguments X0..X7, results X0..X7
 *   (gunyah-abi.md §1.1; HYP `hypercall_decode_native`).
 * - SMCCC: `hvc #0` / `smc #0` with X0 = function ID; Gunyah hypercall N is
 *   `0xC6008000 | N` (fast, SMC64, VENDOR_HYP, class HYPERCALL), arguments
 *   X1..X7, results X0.. (HYP `smccc_hypercalls.c`, `hyp_wrapper.c.tmpl`).
 *   The SMCCC rules themselves live in `smccc.ts`.
 *
 * A number in the table range without a handler answers ERROR_UNIMPLEMENTED
 * (-1), as HYP's generated table does; that covers the calls the open-source
 * hypervisor declares but does not implement (object_reset*,
 * partition_create_partition, cspace_revoke_cap_from, ...).
 *
 * Handlers are cold path: they read `bigint` arguments and write `bigint`
 * results. A handler reports an error by throwing {@link HypErrorException}
 * (or writing `results[0]`); everything else it throws is a hypervisor bug
 * and propagates.
 *
 * @module
 */
import { errorToRegister, HypError, HypErrorException } from "../abi/error.ts";
import { HVC_NATIVE_BASE, HVC_NATIVE_RANGE, hypercallInfo } from "../abi/hypercall_numbers.ts";
import type { HypercallContext } from "./context.ts";

/**
 * A hypercall implementation. `args[i]` is argument i of the call (zero past
 * the registers the convention provides); `results` arrives zeroed and
 * `results[0]` is the error word (OK = 0) for every call except
 * hypervisor_identify.
 */
export type HypercallHandler = (
  ctx: HypercallContext,
  args: BigUint64Array,
  results: BigUint64Array,
) => void;

/** A registered hypercall. */
export interface HypercallEntry {
  readonly n: number;
  readonly name: string;
  /** How many result registers the call defines (written back to X0..). */
  readonly resultCount: number;
  readonly handler: HypercallHandler;
}

/** Called after each dispatched hypercall (for tracing and the event bus). */
export type HypercallObserver = (
  ctx: HypercallContext,
  entry: HypercallEntry | null,
  n: number,
  results: BigUint64Array,
) => void;

/** ERROR_UNIMPLEMENTED / SMCCC_UNKNOWN as a 64-bit register value. */
export const REGISTER_MINUS_ONE = 0xffffffffffffffffn;

/** The table of one hypervisor instance. */
export class HypercallTable {
  #entries: (HypercallEntry | undefined)[] = new Array(HVC_NATIVE_RANGE);
  readonly #unimplemented = new BigUint64Array(8);
  /** Optional observer of every dispatched call. */
  observer: HypercallObserver | null = null;

  /**
   * Register the implementation of call `n`. `name` must be the HYP name
   * of that number (checked against the ABI table, to catch wrong numbers);
   * the result count defaults to the ABI table's.
   */
  registerHypercall(
    n: number,
    name: string,
    handler: HypercallHandler,
    resultCount?: number,
  ): void {
    if (!Number.isInteger(n) || n < 0 || n >= HVC_NATIVE_RANGE) {
      throw new RangeError(`hypercall number 0x${n.toString(16)} outside the table`);
    }
    const info = hypercallInfo(n);
    if (info && info.name !== name) {
      throw new Error(`hypercall 0x${n.toString(16)} is ${info.name}, not ${name}`);
    }
    const count = resultCount ?? info?.results.length ?? 1;
    if (count < 1 || count > 8) throw new RangeError(`result count ${count} not in 1..8`);
    if (this.#entries[n]) {
      throw new Error(`hypercall 0x${n.toString(16)} (${name}) already registered`);
    }
    this.#entries[n] = { n, name, resultCount: count, handler };
  }

  /** The entry for call `n`, if implemented. */
  entry(n: number): HypercallEntry | undefined {
    return n >= 0 && n < HVC_NATIVE_RANGE ? this.#entries[n] : undefined;
  }

  /** Whether call `n` has an implementation. */
  isImplemented(n: number): boolean {
    return this.entry(n) !== undefined;
  }

  /**
   * Run call `n` with `argCount` arguments taken from `regs[argBase ..]`,
   * writing the results to `regs[0 ..]`. Unimplemented → X0 = -1.
   */
  invoke(ctx: HypercallContext, n: number, regs: BigUint64Array, argBase: number): void {
    const entry = this.entry(n);
    if (!entry) {
      regs[0] = REGISTER_MINUS_ONE;
      if (this.observer) {
        this.#unimplemented.fill(0n);
        this.#unimplemented[0] = REGISTER_MINUS_ONE;
        this.observer(ctx, null, n, this.#unimplemented);
      }
      return;
    }
    // Copy the arguments first: a nested dispatch (a handler that calls
    // back into the table) must not see them overwritten.
    const args = new BigUint64Array(8);
    for (let i = 0; i + argBase < 8; i++) args[i] = regs[i + argBase];
    const out = new BigUint64Array(8);
    try {
      entry.handler(ctx, args, out);
    } catch (e) {
      if (!(e instanceof HypErrorException)) throw e;
      out.fill(0n);
      out[0] = errorToRegister(e.code);
    }
    for (let i = 0; i < entry.resultCount; i++) regs[i] = out[i];
    this.observer?.(ctx, entry, n, out);
  }

  /**
   * Native entry: `hvc #imm` with the immediate already known not to be an
   * SMCCC call. Immediates 0x6000..0x61ff are Gunyah calls; anything else
   * answers -1 in X0 (HYP's default trap handler).
   */
  dispatchNative(ctx: HypercallContext, imm: number, regs: BigUint64Array): void {
    if (imm >= HVC_NATIVE_BASE && imm < HVC_NATIVE_BASE + HVC_NATIVE_RANGE) {
      this.invoke(ctx, imm - HVC_NATIVE_BASE, regs, 0);
    } else {
      regs[0] = REGISTER_MINUS_ONE;
    }
  }

  /**
   * Native call for components and tests: call `n` with `args` (up to 8)
   * in X0.., returning the call's result registers.
   */
  call(ctx: HypercallContext, n: number, ...args: bigint[]): bigint[] {
    if (args.length > 8) throw new RangeError("at most 8 hypercall arguments");
    const regs = new BigUint64Array(8);
    args.forEach((a, i) => (regs[i] = BigInt.asUintN(64, a)));
    this.invoke(ctx, n, regs, 0);
    const count = this.entry(n)?.resultCount ?? 1;
    return Array.from(regs.subarray(0, count));
  }
}

/** Read argument `i` as a JS number, failing with ERROR_ARGUMENT_INVALID if it exceeds 2^53. */
export function argNumber(args: BigUint64Array, i: number): number {
  const v = args[i];
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new HypErrorException(HypError.ERROR_ARGUMENT_INVALID, `argument ${i} too large`);
  }
  return Number(v);
}

/** Read argument `i` as an unsigned 32-bit value (HYP `uint32_t` / `count_t` parameters take the low 32 bits). */
export function argU32(args: BigUint64Array, i: number): number {
  return Number(args[i] & 0xffffffffn);
}
