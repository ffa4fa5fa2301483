/**
 * Argument formats of Gunyah hypercalls (bitfields packed into registers).
 *
 * Source: gunyah-abi.md §1.6 — HYP `hyp/interfaces/memextent/memextent.tc`,
 * `hyp/mem/pgtable/armv8/pgtable.tc`, `hyp/interfaces/addrspace/addrspace.tc`,
 * `hyp/ipc/msgqueue/msgqueue.tc`, `hyp/interfaces/vic/vic.tc`,
 * `hyp/interfaces/vpm/vpm.tc` and HYPDOC. Decoders take the raw 64-bit
 * register value (`bigint`, cold path) and return plain numbers; any bit
 * outside the defined fields makes the decoder return `null` so the caller
 * can answer ERROR_ARGUMENT_INVALID.
 *
 * @module
 */

// ---------------------------------------------------------------------------
// virq_t (HYPDOC "Virtual IRQ info")
// ---------------------------------------------------------------------------

/** A decoded `virq_info` argument. */
export interface VirqInfo {
  /** VIRQ number (GIC INTID), bits 23:0. */
  readonly virq: number;
  /** Target vCPU attachment index for private VIRQs, bits 31:24. */
  readonly vcpuIndex: number;
}

/** Decode `virq_info`: bits 23:0 VIRQ, bits 31:24 target vCPU index, bits 63:32 zero. */
export function decodeVirqInfo(raw: bigint): VirqInfo | null {
  if (raw >> 32n !== 0n) return null;
  const v = Number(raw);
  return { virq: v & 0xffffff, vcpuIndex: (v >>> 24) & 0xff };
}

/**
 * `CPU_INDEX_INVALID` (HYP `core/cpulocal/cpulocal.tc`: `cpu_index_t` is
 * uint16, invalid = -1, i.e. 0xffff): "no CPU" in a cpu_index argument. An
 * MPIDR mapping's index mask must stay below it (at most 15 index bits).
 */
export const CPU_INDEX_INVALID = 0xffff;
/** 4 KiB translation granule (`PGTABLE_HYP_PAGE_SIZE`, `PGTABLE_VM_PAGE_SIZE`): memory hypercall arguments are multiples of it. */
export const PAGE_SIZE = 0x1000;

// ---------------------------------------------------------------------------
// Stage-2 access and memory types (`pgtable_access`, `pgtable_hyp_memtype` / vm memtype)
// ---------------------------------------------------------------------------

/** `pgtable_access` values (X=1, W=2, R=4). */
export const enum PgtableAccess {
  NONE = 0,
  X = 1,
  W = 2,
  R = 4,
  RX = 5,
  RW = 6,
  RWX = 7,
}

/** Stage-2 memory types (`pgtable_vm_memtype`, HYP `hyp/mem/pgtable/armv8/pgtable.tc`). */
export const enum S2Memtype {
  DEVICE_nGnRnE = 0,
  DEVICE_nGnRE = 1,
  DEVICE_nGRE = 2,
  DEVICE_GRE = 3,
  NORMAL_NC = 0b0101,
  NORMAL_ONC_IWT = 0b0110,
  NORMAL_ONC_IWB = 0b0111,
  NORMAL_OWT_INC = 0b1001,
  NORMAL_WT = 0b1010,
  NORMAL_OWT_IWB = 0b1011,
  NORMAL_OWB_INC = 0b1101,
  NORMAL_OWB_IWT = 0b1110,
  NORMAL_WB = 0b1111,
}

const VALID_S2_MEMTYPES: ReadonlySet<number> = new Set([
  0,
  1,
  2,
  3,
  0b0101,
  0b0110,
  0b0111,
  0b1001,
  0b1010,
  0b1011,
  0b1101,
  0b1110,
  0b1111,
]);

/** Whether `memtype` is a defined stage-2 memory type. */
export function isValidS2Memtype(memtype: number): boolean {
  return VALID_S2_MEMTYPES.has(memtype);
}

/** Whether a stage-2 memory type is one of the Device types. */
export function isDeviceS2Memtype(memtype: number): boolean {
  return memtype <= S2Memtype.DEVICE_GRE;
}

/** Whether a stage-2 memory type is fully cacheable (write-back or write-through both levels). */
export function isCachedS2Memtype(memtype: number): boolean {
  // Stage-2 MemAttr[3:2] is the outer, MemAttr[1:0] the inner attribute:
  // 0b01 Non-cacheable, 0b10 Write-Through, 0b11 Write-Back (Arm ARM D8.5.5).
  const outer = (memtype >> 2) & 3;
  const inner = memtype & 3;
  return outer >= 2 && inner >= 2;
}

// ---------------------------------------------------------------------------
// memextent_mapping_attrs (addrspace_map) and access attrs (update_access)
// ---------------------------------------------------------------------------

/** Decoded `memextent_mapping_attrs`. */
export interface MappingAttrs {
  /** Bits 2:0: EL0 (user) access. */
  readonly userAccess: number;
  /** Bits 6:4: EL1 (kernel) access. */
  readonly kernelAccess: number;
  /** Bits 23:16: stage-2 memory type. */
  readonly memtype: number;
}

/** Decode `memextent_mapping_attrs`; other bits are res0 (non-zero → `null`). */
export function decodeMappingAttrs(raw: bigint): MappingAttrs | null {
  if ((raw & ~0xff0077n) !== 0n) return null;
  const v = Number(raw);
  return { userAccess: v & 7, kernelAccess: (v >> 4) & 7, memtype: (v >> 16) & 0xff };
}

/** Encode `memextent_mapping_attrs`. */
export function encodeMappingAttrs(a: MappingAttrs): bigint {
  return BigInt((a.userAccess & 7) | ((a.kernelAccess & 7) << 4) | ((a.memtype & 0xff) << 16));
}

/** Decoded `memextent_access_attrs` (addrspace_update_access). */
export interface AccessAttrs {
  /** EL0 access rights (`pgtable_access`: X=1, W=2, R=4). */
  readonly userAccess: number;
  /** EL1 access rights (`pgtable_access`). */
  readonly kernelAccess: number;
}

/** Decode `memextent_access_attrs`: bits 2:0 user, bits 6:4 kernel; other bits res0. */
export function decodeAccessAttrs(raw: bigint): AccessAttrs | null {
  if ((raw & ~0x77n) !== 0n) return null;
  const v = Number(raw);
  return { userAccess: v & 7, kernelAccess: (v >> 4) & 7 };
}

/** addrspace_map / unmap / update_access flags (`addrspace_map_flags`). */
export const ADDRSPACE_MAP_FLAG_PARTIAL = 0x1;
/** Skip the TLB synchronisation (bit 31). */
export const ADDRSPACE_MAP_FLAG_NO_SYNC = 0x80000000;
/** Every defined addrspace map flag. */
export const ADDRSPACE_MAP_FLAGS_VALID = ADDRSPACE_MAP_FLAG_PARTIAL | ADDRSPACE_MAP_FLAG_NO_SYNC;

// ---------------------------------------------------------------------------
// memextent attrs (memextent_configure / configure_derive)
// ---------------------------------------------------------------------------

/** `memextent_memtype`: what a memextent may be mapped as. */
export const enum MemextentMemtype {
  ANY = 0,
  DEVICE = 1,
  UNCACHED = 2,
  CACHED = 3,
}

/** `memextent_type`. */
export const enum MemextentType {
  BASIC = 0,
  SPARSE = 1,
}

/** Decoded `memextent_attrs`. */
export interface MemextentAttrs {
  /** Bits 2:0: maximum access of mappings. */
  readonly access: number;
  /** Bits 9:8: memtype restriction. */
  readonly memtype: MemextentMemtype;
  /** Bits 17:16: BASIC or SPARSE. */
  readonly type: MemextentType;
  /** Bit 31: append to the parent's list (derive). */
  readonly append: boolean;
}

/** Decode `memextent_attrs`; undefined bits or an undefined type → `null`. */
export function decodeMemextentAttrs(raw: bigint): MemextentAttrs | null {
  if ((raw & ~0x80030307n) !== 0n) return null;
  const v = Number(raw);
  const type = (v >>> 16) & 3;
  if (type > MemextentType.SPARSE) return null;
  return {
    access: v & 7,
    memtype: ((v >>> 8) & 3) as MemextentMemtype,
    type: type as MemextentType,
    append: (v >>> 31) === 1,
  };
}

/** Encode `memextent_attrs`. */
export function encodeMemextentAttrs(a: MemextentAttrs): bigint {
  return BigInt(
    ((a.access & 7) | ((a.memtype & 3) << 8) | ((a.type & 3) << 16) |
      (a.append ? 0x80000000 : 0)) >>>
      0,
  );
}

/** `memextent_modify` operations (bits 7:0 of modify_flags). */
export const enum MemextentModifyOp {
  UNMAP_ALL = 0,
  ZERO_RANGE = 1,
  CACHE_CLEAN_RANGE = 2,
  CACHE_FLUSH_RANGE = 3,
  SYNC_ALL = 255,
}

/** memextent_modify flag bit 31: no TLB sync. */
export const MEMEXTENT_MODIFY_NO_SYNC = 0x80000000;

/** `memextent_donate` types (bits 7:0 of options). */
export const enum MemextentDonateType {
  TO_CHILD = 0,
  TO_PARENT = 1,
  TO_SIBLING = 2,
}

/** memextent_donate option bit 31: no TLB sync. */
export const MEMEXTENT_DONATE_NO_SYNC = 0x80000000;

// ---------------------------------------------------------------------------
// msgqueue (`hyp/ipc/msgqueue/msgqueue.tc`)
// ---------------------------------------------------------------------------

/** Decoded `msgqueue_create_info`. */
export interface MsgqueueCreateInfo {
  /** Bits 15:0. */
  readonly queueDepth: number;
  /** Bits 31:16. */
  readonly maxMsgSize: number;
}

/** Decode `msgqueue_create_info` (bits 15:0 depth, bits 31:16 max message size). */
export function decodeMsgqueueCreateInfo(raw: bigint): MsgqueueCreateInfo {
  const v = Number(raw & 0xffffffffn);
  return { queueDepth: v & 0xffff, maxMsgSize: v >>> 16 };
}

/** Encode `msgqueue_create_info`. */
export function encodeMsgqueueCreateInfo(queueDepth: number, maxMsgSize: number): bigint {
  return BigInt(((queueDepth & 0xffff) | ((maxMsgSize & 0xffff) << 16)) >>> 0);
}

/** msgqueue_send flag bit 0: PUSH (notify the receiver now). */
export const MSGQUEUE_SEND_FLAG_PUSH = 0x1;

// ---------------------------------------------------------------------------
// vic / vpm_group
// ---------------------------------------------------------------------------

/** vic_configure option bit 0: `max_msis` is valid. */
export const VIC_OPTION_MAX_MSIS_VALID = 0x1;
/** vic_configure option bit 1: do not map the vGIC at its default addresses. */
export const VIC_OPTION_DISABLE_DEFAULT_ADDR = 0x2;

/** vpm_group_configure option bit 0: no aggregation of vCPU suspend states. */
export const VPM_GROUP_OPTION_NO_AGGREGATION = 0x1;

/** vpm_group_get_state results (HYPDOC). */
export const enum VpmState {
  NO_STATE = 0,
  RUNNING = 1,
  CPUS_SUSPENDED = 2,
  SYSTEM_SUSPENDED = 3,
}
