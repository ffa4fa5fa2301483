/**
 * Debug events of one vCPU: the guest-visible Armv8.0 self-hosted debug
 * architecture at EL1/EL0 (address-matching breakpoints DBGBVR/DBGBCR,
 * watchpoints DBGWVR/DBGWCR, software step with MDSCR_EL1.SS and PSTATE.SS)
 * and the host debugger's breakpoints, watchpoints and single step
 * (invisible to the guest; `ArchVcpu.debug`, arch/aarch64/debug/).
 *
 * Cost model: nothing here runs while no debug feature is armed. The run
 * loop switches to its per-instruction debug loop (cpu/run.ts) while
 * {@link DebugState.perInstruction} is set (a breakpoint or step armed), and
 * while {@link DebugState.watchActive} is set the TLB entries of pages that
 * hold a watched byte lose their read/write permission bits
 * ({@link stripWatchedPage}), so every access to such a page — from the
 * interpreter or from translated code — reaches the slow path of
 * mmu/access.ts, which calls {@link checkWatchpoints} before the access.
 *
 * Sources: DDI 0487, D2 "AArch64 Self-hosted Debug" (D2.1 enabling,
 * D2.9 breakpoints, D2.10 watchpoints, D2.12 software step), the pseudocode
 * AArch64.GenerateDebugExceptionsFrom, AArch64.BreakpointMatch,
 * AArch64.WatchpointMatch, DebugExceptionReturnSS; ESR encodings D17.2.40.
 * QEMU's target/arm/debug_helper.c was read for the differential reference's
 * choices (watchpoint FAR = max(access, watchpoint start); breakpoint FAR 0).
 *
 * @module
 */
import { CPU_EXIT, DAIF_D, GUEST_EXCEPTION } from "../cpu/state.ts";
import { DebugStopReason, ExitKind, WatchKind } from "@gunyah-ts/core/plugin";
import { WATCH_LOAD, WATCH_STORE } from "./debug_state.ts";
import { P_EL0_R, P_EL0_W, P_EL1_R, P_EL1_W, type Tlb } from "../mmu/tlb.ts";
import { DEBUG_BREAKPOINTS, DEBUG_CONTEXT_BREAKPOINTS, DEBUG_WATCHPOINTS } from "./id_registers.ts";
import {
  EC_BREAKPT_LOWER,
  EC_SOFTSTP_LOWER,
  EC_WATCHPT_LOWER,
  esrFor,
  FSC_DEBUG,
  ISS_CM,
  ISS_SS_EX,
  ISS_SS_ISV,
  ISS_WNR,
} from "./esr.ts";
import { enterException, VECTOR_SYNC } from "./exception.ts";
import type { SystemCpu } from "./system_cpu.ts";

/** MDSCR_EL1.SS (bit 0): software step enable. */
export const MDSCR_SS = 1 << 0;
/** MDSCR_EL1.KDE (bit 13): debug exceptions from EL1 (to EL1) enabled. */
export const MDSCR_KDE = 1 << 13;
/** MDSCR_EL1.MDE (bit 15): breakpoint and watchpoint exceptions enabled. */
export const MDSCR_MDE = 1 << 15;

/** DBGBCR/DBGWCR.E (bit 0). */
const CR_E = 1;
/** DBGBCR.BT (bits 23:20): unlinked / linked instruction address match. */
const BT_ADDRESS = 0b0000;
const BT_ADDRESS_LINKED = 0b0001;
/** DBGBCR.BT: linked CONTEXTIDR_EL1 match (a context breakpoint others link to). */
const BT_CONTEXT_LINKED = 0b0011;

/** Sign-extend a 64-bit address held as lo/hi from bit 48 (DBGBVR/DBGWVR hold VA[48:2]). */
function vaHiFrom49(hi: number): number {
  return (hi & 0x10000) !== 0 ? (hi | 0xfffe0000) >>> 0 : hi & 0x1ffff;
}

/**
 * Recompute what the guest's debug registers arm and the summary flags;
 * call after any write to MDSCR_EL1, OSLAR/OSDLR_EL1, DBGB*_EL1, DBGW*_EL1,
 * and after a host set changed. Flushes the TLB when the watched pages may
 * have changed.
 */
export function updateDebugState(cpu: SystemCpu): void {
  const s = cpu.sys;
  const d = s.debug;
  const mde = (s.mdscr & MDSCR_MDE) !== 0;
  let bpMask = 0;
  for (let n = 0; n < DEBUG_BREAKPOINTS; n++) {
    const bcr = s.dbgbcr[n];
    if (!mde || (bcr & CR_E) === 0) continue;
    const bt = (bcr >>> 20) & 15;
    if (bt !== BT_ADDRESS && bt !== BT_ADDRESS_LINKED) continue;
    if (((bcr >>> 5) & 15) === 0) continue; // BAS = 0: matches nothing
    d.guestBpVa[2 * n] = (s.dbgbvr[2 * n] & ~3) >>> 0;
    d.guestBpVa[2 * n + 1] = vaHiFrom49(s.dbgbvr[2 * n + 1]);
    bpMask |= 1 << n;
  }
  let wpMask = 0;
  for (let n = 0; n < DEBUG_WATCHPOINTS; n++) {
    const wcr = s.dbgwcr[n];
    if (!mde || (wcr & CR_E) === 0) continue;
    const lsc = (wcr >>> 3) & 3;
    if (lsc === 0) continue;
    let lo = s.dbgwvr[2 * n] >>> 0;
    const hi = vaHiFrom49(s.dbgwvr[2 * n + 1]);
    const mask = (wcr >>> 24) & 31;
    let length: number;
    if (mask === 1 || mask === 2) continue; // reserved MASK values: disabled
    if (mask !== 0) {
      // An aligned region of 2^MASK bytes (up to 2 GiB); low address bits are ignored.
      length = 2 ** mask;
      lo = mask >= 32 ? 0 : (lo & ~(length - 1)) >>> 0;
    } else {
      let bas = (wcr >>> 5) & 0xff;
      if ((lo & 4) !== 0) bas &= 0xf; // word-aligned WVR: only BAS[3:0] used
      if (bas === 0) continue;
      // A non-contiguous BAS is CONSTRAINED UNPREDICTABLE: watch lowest..highest selected byte.
      const first = 31 - Math.clz32(bas & -bas);
      const last = 31 - Math.clz32(bas);
      lo = ((lo & ~7) + (lo & 4) + first) >>> 0;
      length = last - first + 1;
    }
    d.guestWpVa[2 * n] = lo;
    d.guestWpVa[2 * n + 1] = hi;
    d.guestWpLength[n] = length;
    d.guestWpKind[n] = lsc; // LSC: bit 0 loads, bit 1 stores (WATCH_LOAD / WATCH_STORE)
    wpMask |= 1 << n;
  }
  const wasWatching = d.watchActive;
  d.guestBpMask = bpMask;
  d.guestWpMask = wpMask;
  d.refresh((s.mdscr & MDSCR_SS) !== 0);
  if (d.watchActive || wasWatching) s.tlb.flushAll();
  // The run loop looks at `perInstruction` when it translates PC again.
  cpu.invalidateFetch();
}

/**
 * AArch64.GenerateDebugExceptions for a vCPU without EL2/EL3 (debug target
 * EL1): false while the OS lock or OS double lock is set; from EL0 always
 * enabled; from EL1 only with MDSCR_EL1.KDE set and PSTATE.D clear.
 */
export function debugExceptionsEnabled(cpu: SystemCpu): boolean {
  const s = cpu.sys;
  if (s.osLock !== 0 || s.osdlr !== 0) return false;
  if (cpu.el === 0) return true;
  return (s.mdscr & MDSCR_KDE) !== 0 && (cpu.daif & DAIF_D) === 0;
}

/** The same check for a target state (ERET): `el` and the saved PSTATE.D. */
function debugExceptionsEnabledFrom(cpu: SystemCpu, el: number, dMasked: boolean): boolean {
  const s = cpu.sys;
  if (s.osLock !== 0 || s.osdlr !== 0) return false;
  if (el === 0) return true;
  return (s.mdscr & MDSCR_KDE) !== 0 && !dMasked;
}

/** Whether software step is active at the current state (MDSCR_EL1.SS and debug enabled). */
export function softwareStepActive(cpu: SystemCpu): boolean {
  return (cpu.sys.mdscr & MDSCR_SS) !== 0 && debugExceptionsEnabled(cpu);
}

/**
 * DebugExceptionReturnSS: the PSTATE.SS an exception return to (`el`, SPSR
 * D bit `dMasked`) sets from SPSR.SS — only when stepping is enabled at the
 * destination and not at the source (EL1 here).
 */
export function returnStepState(
  cpu: SystemCpu,
  el: number,
  dMasked: boolean,
  spsrSs: number,
): number {
  if ((cpu.sys.mdscr & MDSCR_SS) === 0 || spsrSs === 0) return 0;
  if (debugExceptionsEnabled(cpu)) return 0;
  return debugExceptionsEnabledFrom(cpu, el, dMasked) ? 1 : 0;
}

/**
 * An exception-generating instruction (SVC, HVC, SMC) completes the step
 * of an active-not-pending software step before the exception is taken
 * (ShouldAdvanceSS), so SPSR.SS saves 0 and the step exception follows the
 * return from the handler.
 */
export function advanceStepForExceptionInstruction(cpu: SystemCpu): void {
  if (cpu.ss !== 0 && softwareStepActive(cpu)) {
    cpu.ss = 0;
    cpu.sys.debug.stepArmed = false;
  }
}

/** Take a debug exception with `ec` (the lower-EL class; +1 when from EL1) to EL1 and throw. */
function takeDebugException(cpu: SystemCpu, lowerEc: number, iss: number): never {
  cpu.sys.esr = esrFor(cpu.el === 0 ? lowerEc : lowerEc + 1, iss) >>> 0;
  enterException(cpu, VECTOR_SYNC, cpu.pcLo, cpu.pcHi);
  throw GUEST_EXCEPTION;
}

/** Stop for the host debugger (ExitKind.Debug) before the current instruction; throws CPU_EXIT. */
function hostStop(cpu: SystemCpu, reason: DebugStopReason, addrLo: number, addrHi: number): never {
  const d = cpu.sys.debug;
  d.stopReason = reason;
  d.stopAddrLo = addrLo >>> 0;
  d.stopAddrHi = addrHi >>> 0;
  noteHostStop(cpu);
  const e = cpu.exit;
  e.kind = ExitKind.Debug;
  e.imm = reason;
  throw CPU_EXIT;
}

/**
 * A host stop at the current PC: when execution resumes there, the first
 * instruction runs (in the per-instruction loop) without host checks.
 */
export function noteHostStop(cpu: SystemCpu): void {
  const d = cpu.sys.debug;
  d.suppressPcLo = cpu.pcLo;
  d.suppressPcHi = cpu.pcHi;
  d.resumePending = true;
  d.perInstruction = true;
}

/** After the first instruction of a resumed run: host checks apply again. */
export function endResume(cpu: SystemCpu): void {
  const d = cpu.sys.debug;
  d.resumePending = false;
  d.hostSuppressed = false;
  d.refresh((cpu.sys.mdscr & MDSCR_SS) !== 0);
}

/**
 * Checks before the instruction at PC, in the architecture's priority order
 * as far as they are made here: a host breakpoint (invisible to the guest,
 * first), then a pending software step exception (highest priority of the
 * guest's synchronous exceptions). Guest breakpoints are checked after the
 * fetch is translated ({@link checkGuestBreakpoints}: instruction aborts
 * take priority over them). Sets `stepArmed` for {@link afterInstruction}.
 */
export function beforeInstruction(cpu: SystemCpu): void {
  const d = cpu.sys.debug;
  d.hostSuppressed = d.resumePending && d.suppressPcLo === cpu.pcLo &&
    d.suppressPcHi === cpu.pcHi;
  if (!d.hostSuppressed && d.hostBpCount > 0) {
    const bp = d.hostBp, lo = cpu.pcLo, hi = cpu.pcHi;
    for (let k = 0; k < d.hostBpCount; k++) {
      if (bp[2 * k] === lo && bp[2 * k + 1] === hi) {
        hostStop(cpu, DebugStopReason.Breakpoint, lo, hi);
      }
    }
  }
  d.stepArmed = false;
  if ((cpu.sys.mdscr & MDSCR_SS) !== 0 && softwareStepActive(cpu)) {
    // Active-pending (after an exception return with SPSR.SS = 0): the step
    // exception is taken before this instruction, with ISV = 0.
    if (cpu.ss === 0) takeDebugException(cpu, EC_SOFTSTP_LOWER, FSC_DEBUG);
    d.stepArmed = true;
  }
}

/**
 * Guest address-match breakpoints at PC (after the fetch translated
 * without fault). FAR_EL1 is UNKNOWN for a breakpoint; like QEMU, 0.
 */
export function checkGuestBreakpoints(cpu: SystemCpu): void {
  const d = cpu.sys.debug;
  const mask = d.guestBpMask;
  if (mask === 0 || !debugExceptionsEnabled(cpu)) return;
  const s = cpu.sys;
  for (let n = 0; n < DEBUG_BREAKPOINTS; n++) {
    if ((mask & (1 << n)) === 0) continue;
    if (d.guestBpVa[2 * n] !== cpu.pcLo || d.guestBpVa[2 * n + 1] !== cpu.pcHi) continue;
    if (!privilegeMatches(s.dbgbcr[n], cpu.el)) continue;
    if (
      ((s.dbgbcr[n] >>> 20) & 15) === BT_ADDRESS_LINKED && !linkedContextMatches(cpu, s.dbgbcr[n])
    ) {
      continue;
    }
    s.farLo = 0;
    s.farHi = 0;
    takeDebugException(cpu, EC_BREAKPT_LOWER, FSC_DEBUG);
  }
}

/**
 * After an instruction retired and PC moved past it: a step that started
 * active-not-pending completes (PSTATE.SS = 0) and, as QEMU does, the
 * software step exception is taken at once — before any interrupt — with
 * ELR = the next instruction, ISV = 1 and EX = 1 after a load-exclusive.
 * `insn` is the instruction word just executed.
 */
export function afterInstruction(cpu: SystemCpu, insn: number): void {
  const d = cpu.sys.debug;
  if (!d.stepArmed) return;
  d.stepArmed = false;
  if (cpu.ss === 0 || !softwareStepActive(cpu)) return;
  cpu.ss = 0;
  const iss = ISS_SS_ISV | (isLoadExclusive(insn) ? ISS_SS_EX : 0) | FSC_DEBUG;
  takeDebugException(cpu, EC_SOFTSTP_LOWER, iss);
}

/** Whether `insn` is LDXR/LDAXR/LDXP/LDAXP (any size): load/store exclusive, L = 1, o2 = 0. */
export function isLoadExclusive(insn: number): boolean {
  return (insn & 0x3fc00000) === 0x08400000;
}

/** DBGxCR.PMC/PAC (bits 2:1): bit 1 enables matching at EL1, bit 2 at EL0. HMC/SSC are moot without EL2/EL3. */
function privilegeMatches(cr: number, el: number): boolean {
  return ((cr >>> (el === 0 ? 2 : 1)) & 1) !== 0;
}

/** A linked breakpoint or watchpoint: the context breakpoint DBGxCR.LBN names matches CONTEXTIDR_EL1. */
function linkedContextMatches(cpu: SystemCpu, cr: number): boolean {
  const s = cpu.sys;
  const lbn = (cr >>> 16) & 15;
  if (lbn >= DEBUG_BREAKPOINTS || lbn < DEBUG_BREAKPOINTS - DEBUG_CONTEXT_BREAKPOINTS) return false;
  const bcr = s.dbgbcr[lbn];
  if ((bcr & CR_E) === 0 || ((bcr >>> 20) & 15) !== BT_CONTEXT_LINKED) return false;
  return (s.dbgbvr[2 * lbn] >>> 0) === (s.contextidr >>> 0);
}

/** Whether [aLo, aLo+aLen) and [bLo, bLo+bLen) overlap, both in the 4 GiB window of `hi`. */
function overlaps(aLo: number, aLen: number, bLo: number, bLen: number): boolean {
  return aLo < bLo + bLen && bLo < aLo + aLen;
}

/**
 * Before a data access of `size` bytes at `vaLo/vaHi` (translated without
 * fault): a host watchpoint stops the vCPU (ExitKind.Debug, reason
 * Watchpoint, the instruction not executed); an armed guest watchpoint
 * whose privilege and kind match takes a Watchpoint exception (EC
 * 0x34/0x35, FAR = the first watched byte accessed, WnR, CM for cache
 * maintenance). `unprivileged` accesses (LDTR/STTR) match as EL0.
 */
export function checkWatchpoints(
  cpu: SystemCpu,
  vaLo: number,
  vaHi: number,
  size: number,
  write: boolean,
  unprivileged: boolean,
  cacheMaintenance: boolean,
): void {
  const d = cpu.sys.debug;
  const lo = vaLo >>> 0, hi = vaHi >>> 0;
  if (d.hostWpCount > 0 && !d.hostSuppressed) {
    const need = write ? WatchKind.Write : WatchKind.Read;
    for (let k = 0; k < d.hostWpCount; k++) {
      if ((d.hostWpKind[k] & need) === 0 || d.hostWpVa[2 * k + 1] !== hi) continue;
      const start = d.hostWpVa[2 * k];
      if (overlaps(lo, size, start, d.hostWpLength[k])) {
        hostStop(cpu, DebugStopReason.Watchpoint, Math.max(lo, start), hi);
      }
    }
  }
  const mask = d.guestWpMask;
  if (mask === 0 || !debugExceptionsEnabled(cpu)) return;
  const s = cpu.sys;
  const el = unprivileged ? 0 : cpu.el;
  const kind = write ? WATCH_STORE : WATCH_LOAD;
  for (let n = 0; n < DEBUG_WATCHPOINTS; n++) {
    if ((mask & (1 << n)) === 0 || (d.guestWpKind[n] & kind) === 0) continue;
    if (d.guestWpVa[2 * n + 1] !== hi) continue;
    const start = d.guestWpVa[2 * n];
    if (!overlaps(lo, size, start, d.guestWpLength[n])) continue;
    const wcr = s.dbgwcr[n];
    if (!privilegeMatches(wcr, el)) continue;
    if (((wcr >>> 20) & 1) !== 0 && !linkedContextMatches(cpu, wcr)) continue;
    const far = Math.max(lo, start);
    s.farLo = far >>> 0;
    s.farHi = hi;
    const iss = FSC_DEBUG | (write ? ISS_WNR : 0) | (cacheMaintenance ? ISS_CM : 0);
    takeDebugException(cpu, EC_WATCHPT_LOWER, iss);
  }
}

/**
 * A TLB entry was just filled for the page of `vaLo/vaHi`: while a
 * watchpoint covers a byte of that page, drop the entry's read and write
 * permission bits so that accesses take the slow path (which checks).
 */
export function stripWatchedPage(
  cpu: SystemCpu,
  t: Tlb,
  i: number,
  vaLo: number,
  vaHi: number,
): void {
  const d = cpu.sys.debug;
  const page = (vaLo & ~0xfff) >>> 0, hi = vaHi >>> 0;
  let watched = false;
  for (let k = 0; k < d.hostWpCount && !watched; k++) {
    watched = d.hostWpVa[2 * k + 1] === hi &&
      overlaps(page, 4096, d.hostWpVa[2 * k], d.hostWpLength[k]);
  }
  for (let n = 0; n < DEBUG_WATCHPOINTS && !watched; n++) {
    watched = (d.guestWpMask & (1 << n)) !== 0 && d.guestWpVa[2 * n + 1] === hi &&
      overlaps(page, 4096, d.guestWpVa[2 * n], d.guestWpLength[n]);
  }
  if (watched) t.perm[i] &= ~(P_EL0_R | P_EL0_W | P_EL1_R | P_EL1_W);
}
