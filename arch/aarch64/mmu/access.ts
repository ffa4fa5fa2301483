/**
 * Guest memory access by virtual address: data reads and writes of 1, 2, 4
 * or 8 bytes (little-endian; 64-bit values as lo/hi halves) and instruction
 * fetch, through the software TLB, the stage-1 walk on a miss, then the VM's
 * stage-2 RAM view or its MMIO bus.
 *
 * The common case (TLB hit, permitted, within one page, aligned or allowed
 * unaligned, RAM) is one TLB probe and one DataView access, and allocates
 * nothing. Everything else takes the slow path here, which raises the
 * architecturally correct exception (and throws GUEST_EXCEPTION) or leaves
 * the vCPU for an MMIO exit (throws CPU_EXIT).
 *
 * Alignment: exclusive and acquire/release accesses must be aligned
 * (ACC_EXCLUSIVE, ACC_ORDERED), every access when SCTLR_EL1.A is set, and
 * every access to Device memory — which, per the Arm ARM, includes all data
 * accesses while SCTLR_EL1.M is 0 (QEMU 7.2 does not check this last case;
 * real cores and later QEMU do).
 *
 * Stage-2 outcomes: an IPA with no RAM goes to the MMIO bus (an access no
 * device claims gets a synchronous external abort, DFSC 0b010000); RAM whose
 * stage-2 rights forbid the access also gets a synchronous external abort,
 * since EL2 (the core) has no stage-2 fault handling that would fix it up.
 *
 * @module
 */
import {
  MmioResult,
  S2_ACCESS_R,
  S2_ACCESS_W,
  S2_ACCESS_X,
  type Stage2Mapping,
} from "@gunyah-ts/core/plugin";
import { FSC_ALIGNMENT, FSC_PERMISSION, FSC_SEA } from "../sys/esr.ts";
import { dataAbort, exitMmio, instructionAbort, pcAlignmentFault } from "../sys/exception.ts";
import { SCTLR_A, SCTLR_M } from "../sys/registers.ts";
import type { SystemCpu } from "../sys/system_cpu.ts";
import { codePageMarks } from "./code_pages.ts";
import {
  ASID_GLOBAL,
  P_EL0_R,
  P_EL0_W,
  P_EL0_X,
  P_EL1_R,
  P_EL1_W,
  P_EL1_X,
  P_UNALIGNED_OK,
  type Tlb,
  TLB_MASK,
} from "./tlb.ts";
import { translateStage1, walkResult } from "./walk.ts";
import { checkWatchpoints, stripWatchedPage } from "../sys/debug.ts";

/** Access flag: unprivileged access (LDTR/STTR family): checked against EL0 permissions at EL1. */
export const ACC_UNPRIV = 1;
/** Access flag: exclusive access (LDXR/STXR family): alignment required; IPA left in `sys.lastIpa`. */
export const ACC_EXCLUSIVE = 2;
/** Access flag: load-acquire/store-release: alignment required. */
export const ACC_ORDERED = 4;
/** Internal: the access is a cache-maintenance or DC ZVA style operation (CM syndrome). */
export const ACC_CACHE_MAINT = 8;
/**
 * Internal: watchpoints were already checked for the whole access (the byte
 * pieces of a page-crossing access, the stores of DC ZVA).
 */
export const ACC_WATCH_CHECKED = 16;

const ACC_ALIGNED = ACC_EXCLUSIVE | ACC_ORDERED;

const KIND_READ = 0;
const KIND_WRITE = 1;
const KIND_FETCH = 2;

/** Permission bit needed for an access kind at EL0 (index = kind). */
const NEED_EL0 = [P_EL0_R, P_EL0_W, P_EL0_X];
/** Permission bit needed for an access kind at EL1 (index = kind). */
const NEED_EL1 = [P_EL1_R, P_EL1_W, P_EL1_X];

/**
 * Read `size` (1, 2, 4, 8) bytes at virtual address `vaLo/vaHi`. Returns the
 * low 32 bits (zero-extended, as an unsigned number); for 8-byte reads the
 * high 32 bits are left in `cpu.memHi`. May throw GUEST_EXCEPTION (a fault
 * was taken) or CPU_EXIT (MMIO exit).
 */
export function readMem(
  cpu: SystemCpu,
  vaLo: number,
  vaHi: number,
  size: number,
  flags: number,
): number {
  const t = cpu.sys.tlb;
  const vpn = vaLo >>> 12;
  const i = vpn & TLB_MASK;
  const m = t.map[i];
  if (
    m !== null && t.tagLo[i] === vpn && t.tagHi[i] === (vaHi | 0) &&
    (t.asid[i] === t.curAsid || t.asid[i] === ASID_GLOBAL)
  ) {
    const p = t.perm[i];
    const page = vaLo & 0xfff;
    if (
      (p & (cpu.el === 0 || (flags & ACC_UNPRIV) !== 0 ? P_EL0_R : P_EL1_R)) !== 0 &&
      page <= 4096 - size &&
      ((vaLo & (size - 1)) === 0 || ((p & P_UNALIGNED_OK) !== 0 && (flags & ACC_ALIGNED) === 0))
    ) {
      if ((flags & ACC_EXCLUSIVE) !== 0) cpu.sys.lastIpa = t.ipa[i] + page;
      // The RAM access, written out here (not a call) for the hot path.
      const view = m.view, off = t.off[i] + page;
      if (size === 8) {
        cpu.memHi = view.getUint32(off + 4, true);
        return view.getUint32(off, true);
      }
      if (size === 4) return view.getUint32(off, true);
      return size === 1 ? view.getUint8(off) : view.getUint16(off, true);
    }
  }
  return readSlow(cpu, vaLo, vaHi, size, flags);
}

/**
 * Write `size` (1, 2, 4, 8) bytes at `vaLo/vaHi`; the value is `lo` (and
 * `hi` for 8 bytes). May throw GUEST_EXCEPTION or CPU_EXIT. A store into a
 * page marked as holding decoded code calls `cpu.codePageWritten`.
 */
export function writeMem(
  cpu: SystemCpu,
  vaLo: number,
  vaHi: number,
  size: number,
  lo: number,
  hi: number,
  flags: number,
): void {
  const t = cpu.sys.tlb;
  const vpn = vaLo >>> 12;
  const i = vpn & TLB_MASK;
  const m = t.map[i];
  if (
    m !== null && t.tagLo[i] === vpn && t.tagHi[i] === (vaHi | 0) &&
    (t.asid[i] === t.curAsid || t.asid[i] === ASID_GLOBAL)
  ) {
    const p = t.perm[i];
    const page = vaLo & 0xfff;
    if (
      (p & (cpu.el === 0 || (flags & ACC_UNPRIV) !== 0 ? P_EL0_W : P_EL1_W)) !== 0 &&
      page <= 4096 - size && (flags & ACC_EXCLUSIVE) === 0 &&
      ((vaLo & (size - 1)) === 0 || ((p & P_UNALIGNED_OK) !== 0 && (flags & ACC_ALIGNED) === 0))
    ) {
      // Kept small enough for V8 to inline into every store handler: exclusives (which
      // record their IPA) take the slow path, and a store into decoded code is noted out of line.
      const view = m.view, off = t.off[i] + page;
      if (size === 8) {
        view.setUint32(off, lo, true);
        view.setUint32(off + 4, hi, true);
      } else if (size === 4) view.setUint32(off, lo, true);
      else if (size === 1) view.setUint8(off, lo);
      else view.setUint16(off, lo, true);
      if (t.marks[i][t.markIndex[i]] !== 0) noteCodeWrite(cpu, i);
      return;
    }
  }
  writeSlow(cpu, vaLo, vaHi, size, lo, hi, flags);
}

/** A store hit a page holding decoded code: clear its mark and tell the decode cache. */
function noteCodeWrite(cpu: SystemCpu, i: number): void {
  const t = cpu.sys.tlb;
  t.marks[i][t.markIndex[i]] = 0;
  cpu.codePageWritten(t.ipa[i]);
}

/**
 * Translate the instruction address `vaLo/vaHi` for execution at the current
 * EL and return the RAM mapping holding it; the byte offset of the
 * instruction within `mapping.view` is left in `cpu.sys.fetchOffset` and its
 * IPA in `cpu.sys.fetchIpa`. Raises (and throws) a PC alignment fault, an
 * Instruction Abort (translation/access flag/permission fault), or a
 * synchronous external abort for code outside RAM.
 */
export function translateFetch(cpu: SystemCpu, vaLo: number, vaHi: number): Stage2Mapping {
  if ((vaLo & 3) !== 0) pcAlignmentFault(cpu);
  const s = cpu.sys;
  const t = s.tlb;
  const page = vaLo & 0xfff;
  let i = probe(t, vaLo, vaHi);
  const need = cpu.el === 0 ? P_EL0_X : P_EL1_X;
  if (i < 0 || t.map[i] === null || (t.perm[i] & need) === 0) {
    i = walkAndFill(cpu, vaLo, vaHi, KIND_FETCH, 0);
  }
  let m = t.map[i];
  if (m === null && s.memory.lookup(t.ipa[i]) !== null) {
    // RAM mapped at this IPA since the entry was made: translate again.
    i = walkAndFill(cpu, vaLo, vaHi, KIND_FETCH, 0);
    m = t.map[i];
  }
  if (m === null) instructionAbort(cpu, FSC_SEA, vaLo, vaHi);
  s.fetchOffset = t.off[i] + page;
  s.fetchIpa = t.ipa[i] + page;
  return m;
}

/** Fetch the 32-bit instruction word at `vaLo/vaHi` (see {@link translateFetch}). */
export function fetchWord(cpu: SystemCpu, vaLo: number, vaHi: number): number {
  const m = translateFetch(cpu, vaLo, vaHi);
  return m.view.getUint32(cpu.sys.fetchOffset, true);
}

/**
 * Translate a data address for an access of `size` bytes without performing
 * it (DC ZVA, DC maintenance by VA, exclusives' physical address): checks
 * permission for a write (`write`) or read, raises the fault otherwise.
 * Returns the TLB index of the page; `cpu.sys.lastIpa` receives the IPA.
 */
export function translateData(
  cpu: SystemCpu,
  vaLo: number,
  vaHi: number,
  write: boolean,
  flags: number,
): number {
  const t = cpu.sys.tlb;
  const kind = write ? KIND_WRITE : KIND_READ;
  const need = cpu.el === 0 || (flags & ACC_UNPRIV) !== 0 ? NEED_EL0[kind] : NEED_EL1[kind];
  let i = probe(t, vaLo, vaHi);
  if (i < 0 || (t.perm[i] & need) === 0) i = walkAndFill(cpu, vaLo, vaHi, kind, flags);
  cpu.sys.lastIpa = t.ipa[i] + (vaLo & 0xfff);
  return i;
}

// ---------------------------------------------------------------------------
// Slow paths
// ---------------------------------------------------------------------------

function ramRead(cpu: SystemCpu, view: DataView, off: number, size: number): number {
  switch (size) {
    case 1:
      return view.getUint8(off);
    case 2:
      return view.getUint16(off, true);
    case 4:
      return view.getUint32(off, true);
    default:
      cpu.memHi = view.getUint32(off + 4, true);
      return view.getUint32(off, true);
  }
}

function ramWrite(view: DataView, off: number, size: number, lo: number, hi: number): void {
  switch (size) {
    case 1:
      view.setUint8(off, lo);
      return;
    case 2:
      view.setUint16(off, lo, true);
      return;
    case 4:
      view.setUint32(off, lo, true);
      return;
    default:
      view.setUint32(off, lo, true);
      view.setUint32(off + 4, hi, true);
  }
}

/** The TLB index holding a valid entry for this VA page under the current ASID, or -1. */
function probe(t: Tlb, vaLo: number, vaHi: number): number {
  const vpn = vaLo >>> 12;
  const i = vpn & TLB_MASK;
  if (
    t.tagLo[i] === vpn && t.tagHi[i] === (vaHi | 0) &&
    (t.asid[i] === t.curAsid || t.asid[i] === ASID_GLOBAL)
  ) return i;
  return -1;
}

/** Drop the TLB if the VM's stage-2 view changed since it was filled. */
export function checkGeneration(cpu: SystemCpu): void {
  const s = cpu.sys;
  const g = s.memory.generation;
  if (s.tlb.generation !== g) {
    s.tlb.flushAll();
    s.tlb.generation = g;
  }
}

/**
 * Walk stage 1 for `vaLo/vaHi`, combine with stage 2, install the TLB entry
 * and check the access `kind` at the current EL (or EL0 with ACC_UNPRIV).
 * Raises the fault (throws) when the walk faults or permission is missing.
 */
function walkAndFill(
  cpu: SystemCpu,
  vaLo: number,
  vaHi: number,
  kind: number,
  flags: number,
): number {
  checkGeneration(cpu);
  const s = cpu.sys;
  const cm = (flags & ACC_CACHE_MAINT) !== 0;
  if (!translateStage1(s, vaLo, vaHi, kind === KIND_FETCH)) {
    if (kind === KIND_FETCH) instructionAbort(cpu, walkResult.fsc, vaLo, vaHi);
    dataAbort(cpu, walkResult.fsc, vaLo, vaHi, kind === KIND_WRITE, cm);
  }
  const r = walkResult;
  const m = s.memory.lookup(r.ipaPage);
  let perm = r.perm;
  if (m !== null) {
    const a = m.access;
    if ((a & S2_ACCESS_R) === 0) perm &= ~(P_EL0_R | P_EL1_R);
    if ((a & S2_ACCESS_W) === 0) perm &= ~(P_EL0_W | P_EL1_W);
    if ((a & S2_ACCESS_X) === 0) perm &= ~(P_EL0_X | P_EL1_X);
  }
  // Normal memory (MAIR attr[7:4] != 0) with SCTLR.A clear permits unaligned accesses. The
  // entry serves data accesses too, so with the MMU off a fetch's fill (Normal for
  // instructions) must not grant it: data is Device-nGnRnE then (DDI 0487 D8.2.11).
  const dataNormal = (r.attr & 0xf0) !== 0 && (kind !== KIND_FETCH || (s.sctlr & SCTLR_M) !== 0);
  if (dataNormal && (s.sctlr & SCTLR_A) === 0) perm |= P_UNALIGNED_OK;
  const asid = r.global ? ASID_GLOBAL : s.tlb.curAsid;
  const i = s.tlb.fill(
    vaLo,
    vaHi,
    asid,
    perm,
    r.level,
    r.attr,
    r.blockPages,
    r.ipaPage,
    m,
    m === null ? null : codePageMarks(m),
  );
  if (s.debug.watchActive) stripWatchedPage(cpu, s.tlb, i, vaLo, vaHi);
  const need = cpu.el === 0 || (flags & ACC_UNPRIV) !== 0 ? NEED_EL0[kind] : NEED_EL1[kind];
  if ((perm & need) === 0) {
    const s1ok = (r.perm & need) !== 0;
    const fsc = s1ok ? FSC_SEA : FSC_PERMISSION | r.level;
    if (kind === KIND_FETCH) instructionAbort(cpu, fsc, vaLo, vaHi);
    dataAbort(cpu, fsc, vaLo, vaHi, kind === KIND_WRITE, cm);
  }
  return i;
}

/** Check alignment before translation (SCTLR.A, exclusives, ordered accesses). */
function checkEarlyAlignment(
  cpu: SystemCpu,
  vaLo: number,
  vaHi: number,
  size: number,
  flags: number,
  write: boolean,
): void {
  if ((vaLo & (size - 1)) === 0) return;
  if ((flags & ACC_ALIGNED) !== 0 || (cpu.sys.sctlr & SCTLR_A) !== 0) {
    dataAbort(cpu, FSC_ALIGNMENT, vaLo, vaHi, write, false);
  }
}

/** VA + n with carry into the high half. */
function addLo(vaLo: number, n: number): number {
  return (vaLo + n) >>> 0;
}
function addHi(vaLo: number, vaHi: number, n: number): number {
  return (vaLo >>> 0) + n > 0xffffffff ? (vaHi + 1) >>> 0 : vaHi;
}

/** The watchpoint check of a slow-path access (skipped for pieces of an access already checked). */
function watch(
  cpu: SystemCpu,
  vaLo: number,
  vaHi: number,
  size: number,
  write: boolean,
  flags: number,
): void {
  if ((flags & ACC_WATCH_CHECKED) !== 0) return;
  checkWatchpoints(cpu, vaLo, vaHi, size, write, (flags & ACC_UNPRIV) !== 0, false);
}

function readSlow(cpu: SystemCpu, vaLo: number, vaHi: number, size: number, flags: number): number {
  checkEarlyAlignment(cpu, vaLo, vaHi, size, flags, false);
  const t = cpu.sys.tlb;
  const need = cpu.el === 0 || (flags & ACC_UNPRIV) !== 0 ? P_EL0_R : P_EL1_R;
  let i = probe(t, vaLo, vaHi);
  if (i < 0 || (t.perm[i] & need) === 0) i = walkAndFill(cpu, vaLo, vaHi, KIND_READ, flags);
  const page = vaLo & 0xfff;
  if ((vaLo & (size - 1)) !== 0 && (t.perm[i] & P_UNALIGNED_OK) === 0) {
    dataAbort(cpu, FSC_ALIGNMENT, vaLo, vaHi, false, false); // Device memory
  }
  if (page > 4096 - size) {
    // Crosses into the next page: check that page first, then read bytewise.
    const n = 4096 - page;
    const lo2 = addLo(vaLo, n), hi2 = addHi(vaLo, vaHi, n);
    const j = probe(t, lo2, hi2);
    if (j < 0 || (t.perm[j] & need) === 0) walkAndFill(cpu, lo2, hi2, KIND_READ, flags);
    if (cpu.sys.debug.watchActive) watch(cpu, vaLo, vaHi, size, false, flags);
    const pieceFlags = (flags & ACC_UNPRIV) | ACC_WATCH_CHECKED;
    let lo = 0, hi = 0;
    for (let k = 0; k < size; k++) {
      const b = readMem(cpu, addLo(vaLo, k), addHi(vaLo, vaHi, k), 1, pieceFlags);
      if (k < 4) lo |= b << (8 * k);
      else hi |= b << (8 * (k - 4));
    }
    cpu.memHi = hi >>> 0;
    return lo >>> 0;
  }
  if (cpu.sys.debug.watchActive) watch(cpu, vaLo, vaHi, size, false, flags);
  const ipa = t.ipa[i] + page;
  if ((flags & ACC_EXCLUSIVE) !== 0) cpu.sys.lastIpa = ipa;
  const m = t.map[i];
  if (m !== null) return ramRead(cpu, m.view, t.off[i] + page, size);
  const s = cpu.sys;
  const res = s.mmio.read(ipa, size, s.index);
  if (res === MmioResult.Handled) {
    cpu.memHi = size === 8 ? s.mmio.dataHi >>> 0 : 0;
    const v = s.mmio.dataLo;
    return size === 4 || size === 8 ? v >>> 0 : v & (size === 1 ? 0xff : 0xffff);
  }
  if (res === MmioResult.Exit) exitMmio(cpu, ipa, size, false, 0, 0);
  // RAM may have been mapped at this IPA since the entry was made (adding a
  // mapping does not bump Stage2View.generation): retry once through RAM.
  if (s.memory.lookup(ipa) !== null) {
    t.drop(i);
    return readMem(cpu, vaLo, vaHi, size, flags);
  }
  return dataAbort(cpu, FSC_SEA, vaLo, vaHi, false, false);
}

function writeSlow(
  cpu: SystemCpu,
  vaLo: number,
  vaHi: number,
  size: number,
  lo: number,
  hi: number,
  flags: number,
): void {
  checkEarlyAlignment(cpu, vaLo, vaHi, size, flags, true);
  const t = cpu.sys.tlb;
  const need = cpu.el === 0 || (flags & ACC_UNPRIV) !== 0 ? P_EL0_W : P_EL1_W;
  let i = probe(t, vaLo, vaHi);
  if (i < 0 || (t.perm[i] & need) === 0) i = walkAndFill(cpu, vaLo, vaHi, KIND_WRITE, flags);
  const page = vaLo & 0xfff;
  if ((vaLo & (size - 1)) !== 0 && (t.perm[i] & P_UNALIGNED_OK) === 0) {
    dataAbort(cpu, FSC_ALIGNMENT, vaLo, vaHi, true, false); // Device memory
  }
  if (page > 4096 - size) {
    const n = 4096 - page;
    const lo2 = addLo(vaLo, n), hi2 = addHi(vaLo, vaHi, n);
    const j = probe(t, lo2, hi2);
    if (j < 0 || (t.perm[j] & need) === 0) walkAndFill(cpu, lo2, hi2, KIND_WRITE, flags);
    if (cpu.sys.debug.watchActive) watch(cpu, vaLo, vaHi, size, true, flags);
    const pieceFlags = (flags & ACC_UNPRIV) | ACC_WATCH_CHECKED;
    for (let k = 0; k < size; k++) {
      const b = k < 4 ? (lo >>> (8 * k)) & 0xff : (hi >>> (8 * (k - 4))) & 0xff;
      writeMem(cpu, addLo(vaLo, k), addHi(vaLo, vaHi, k), 1, b, 0, pieceFlags);
    }
    return;
  }
  if (cpu.sys.debug.watchActive) watch(cpu, vaLo, vaHi, size, true, flags);
  const ipa = t.ipa[i] + page;
  if ((flags & ACC_EXCLUSIVE) !== 0) cpu.sys.lastIpa = ipa;
  const m = t.map[i];
  if (m !== null) {
    ramWrite(m.view, t.off[i] + page, size, lo, hi);
    const marks = t.marks[i];
    if (marks[t.markIndex[i]] !== 0) {
      marks[t.markIndex[i]] = 0;
      cpu.codePageWritten(t.ipa[i]);
    }
    return;
  }
  const s = cpu.sys;
  const res = s.mmio.write(ipa, size, lo >>> 0, size === 8 ? hi >>> 0 : 0, s.index);
  if (res === MmioResult.Handled) return;
  if (res === MmioResult.Exit) exitMmio(cpu, ipa, size, true, lo, hi);
  if (s.memory.lookup(ipa) !== null) {
    t.drop(i); // RAM mapped here since the entry was made: retry through RAM
    return writeMem(cpu, vaLo, vaHi, size, lo, hi, flags);
  }
  dataAbort(cpu, FSC_SEA, vaLo, vaHi, true, false);
}
