/**
 * `hypervisor_identify` (call 0x00) result words.
 *
 * Source: HYP `hyp/interfaces/api/api.tc` and the `extend hyp_api_flags0`
 * blocks of each module's `.tc`; HYPDOC "Hypervisor Identification"
 * (gunyah-abi.md §1.3).
 *
 * @module
 */

/** API version in `hyp_api_info` bits 13:0. */
export const HYP_API_VERSION = 1;
/** `hyp_api_info` bit 14: big-endian hypervisor. */
export const HYP_API_INFO_BIG_ENDIAN = 1n << 14n;
/** `hyp_api_info` bit 15: 64-bit hypervisor. */
export const HYP_API_INFO_IS_64BIT = 1n << 15n;
/** `hyp_api_info` bits 63:56: variant. */
export const HYP_API_INFO_VARIANT_SHIFT = 56n;

/** Hypervisor variants (`hyp_variant`). */
export const enum HypVariant {
  /** 'H' — HYPDOC calls it "Haven". */
  GUNYAH = 0x48,
  /** 'Q' — the open-source build's default (`HYP_VARIANT_QUALCOMM`). */
  QUALCOMM = 0x51,
}

/** Bits of `api_flags_0`. */
export const enum ApiFlags0 {
  PARTITION_CSPACE = 1 << 0,
  DOORBELL = 1 << 1,
  MSGQUEUE = 1 << 2,
  VIC = 1 << 3,
  VPM = 1 << 4,
  VCPU = 1 << 5,
  MEMEXTENT = 1 << 6,
  TRACE_CTRL = 1 << 7,
  WATCHDOG = 1 << 8,
  VIRTIO_MMIO = 1 << 9,
  PRNG = 1 << 10,
  VCPU_RUN = 1 << 11,
}

/** `api_flags_0` bits 31:28: scheduler variant. */
export const API_FLAGS0_SCHEDULER_SHIFT = 28;

/** Scheduler variants (`scheduler_variant`). */
export const enum SchedulerVariant {
  TRIVIAL = 0,
  FPRR = 1,
}

/** Compose `hyp_api_info` for a little-endian 64-bit hypervisor of `variant`. */
export function hypApiInfo(variant: HypVariant = HypVariant.QUALCOMM): bigint {
  return (BigInt(variant) << HYP_API_INFO_VARIANT_SHIFT) | HYP_API_INFO_IS_64BIT |
    BigInt(HYP_API_VERSION);
}
