/**
 * trace_update_class_flags (0x3f): set and clear bits of the hypervisor's
 * enabled trace classes, returning the new word.
 *
 * Facts from HYP 12/2023 (`hyp/misc/trace_standard`, built for QEMU by
 * `config/featureset/gunyah-rm-qemu.conf`):
 * - any caller may use the call; it answers ERROR_DENIED only when the
 *   platform reports debug disabled, which `soc_qemu` never does, so on
 *   this platform it always succeeds;
 * - the ERROR and TRACE_LOG_BUFFER classes are internal: a caller cannot
 *   set or clear them (`trace_public_class_flags` masks both requests);
 * - the new value is `(old & ~clear) | set`, so a bit in both masks ends
 *   set; X1 returns the whole word, internal bits included;
 * - the reserved third argument is ignored.
 *
 * The flags live for one hypervisor instance (the table's owner). Nothing
 * in this emulator writes a binary trace buffer; the word is what the
 * hypervisor's own diagnostics consult through {@link TraceClassFlags.enabled}.
 *
 * @module
 */
import { HypError, throwHypError } from "../abi/error.ts";
import { Hypercall } from "../abi/hypercall_numbers.ts";
import type { HypercallTable } from "./table.ts";

/**
 * Trace class bit numbers (HYP `trace_class` enumeration: `interfaces/trace/trace.tc`,
 * `core/api/api.tc`, `misc/trace_standard/trace.tc`, `misc/log_standard/log.tc`,
 * `interfaces/memdb/memdb.tc`, `vm/psci/psci.tc`, `vm/vgic/vgic.tc`).
 */
export const enum TraceClass {
  ERROR = 0,
  DEBUG = 1,
  USER = 2,
  TRACE_LOG_BUFFER = 4,
  LOG_BUFFER = 5,
  INFO = 6,
  MEMDB = 7,
  PSCI = 16,
  VGIC = 17,
  VGIC_DEBUG = 18,
}

/** The mask bit of trace class `c`. */
export function traceClassBit(c: TraceClass): bigint {
  return 1n << BigInt(c);
}

/**
 * Classes the hypercall may change: everything except ERROR and
 * LOG_BUFFER (HYP `trace_boot_init` clears exactly these two from
 * `trace_public_class_flags`).
 */
export const TRACE_PUBLIC_CLASS_FLAGS: bigint = 0xffff_ffff_ffff_ffffn &
  ~(traceClassBit(TraceClass.ERROR) | traceClassBit(TraceClass.LOG_BUFFER));

/**
 * Enabled classes at boot of a debug-quality build (HYP `trace_boot_init`
 * with `config/quality/debug.conf`: NDEBUG undefined, VERBOSE_TRACE=1):
 * ERROR, INFO, USER and DEBUG.
 */
export const TRACE_BOOT_CLASS_FLAGS_DEBUG: bigint = traceClassBit(TraceClass.ERROR) |
  traceClassBit(TraceClass.INFO) | traceClassBit(TraceClass.USER) |
  traceClassBit(TraceClass.DEBUG);

/** Enabled classes at boot of a production build (NDEBUG): ERROR only. */
export const TRACE_BOOT_CLASS_FLAGS_PRODUCTION: bigint = traceClassBit(TraceClass.ERROR);

/** The enabled-trace-class word of one hypervisor instance. */
export class TraceClassFlags {
  #flags: bigint;

  /**
   * Start with `initial` (default: a debug build's boot flags).
   * `debugDisabled` models `platform_security_state_debug_disabled()`
   * (false on QEMU); when true the hypercall answers ERROR_DENIED.
   */
  constructor(
    initial: bigint = TRACE_BOOT_CLASS_FLAGS_DEBUG,
    readonly debugDisabled: boolean = false,
  ) {
    this.#flags = BigInt.asUintN(64, initial);
  }

  /** The current word. */
  get flags(): bigint {
    return this.#flags;
  }

  /** Whether class `c` is enabled. */
  enabled(c: TraceClass): boolean {
    return (this.#flags & traceClassBit(c)) !== 0n;
  }

  /** Hypervisor-internal update (no public mask): `(old & ~clear) | set`. */
  update(set: bigint, clear: bigint): bigint {
    this.#flags = BigInt.asUintN(64, (this.#flags & ~clear) | set);
    return this.#flags;
  }
}

/** Register trace_update_class_flags over `flags` (one word per hypervisor instance). */
export function registerTraceHypercalls(
  table: HypercallTable,
  flags: TraceClassFlags = new TraceClassFlags(),
): TraceClassFlags {
  table.registerHypercall(
    Hypercall.TRACE_UPDATE_CLASS_FLAGS,
    "trace_update_class_flags",
    (_ctx, a, r) => {
      if (flags.debugDisabled) {
        throwHypError(HypError.ERROR_DENIED, "debug is disabled on this platform");
      }
      r[1] = flags.update(a[0] & TRACE_PUBLIC_CLASS_FLAGS, a[1] & TRACE_PUBLIC_CLASS_FLAGS);
    },
  );
  return flags;
}
