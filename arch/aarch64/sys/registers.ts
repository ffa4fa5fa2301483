/**
 * The EL1/EL0 system-register state of one vCPU, together with the handles
 * the system layer needs (the VM's stage-2 view, MMIO bus, interrupt
 * controller and clock), the software TLB and the generic timer.
 *
 * 64-bit registers are held as `lo`/`hi` number pairs. Registers that only
 * have architecturally defined bits in 31:0 (for the features this CPU
 * advertises) keep a single number.
 *
 * @module
 */
import type {
  InterruptController,
  MmioBus,
  Stage2View,
  VcpuInit,
  VirtualClockReader,
} from "@gunyah-ts/core/plugin";
import { Tlb } from "../mmu/tlb.ts";
import { fpTrapMask } from "./fp_access.ts";
import { DEBUG_BREAKPOINTS, DEBUG_WATCHPOINTS } from "./id_registers.ts";
import { DebugState } from "./debug_state.ts";
import { CNTFRQ_HZ, GenericTimer } from "./timer.ts";

/**
 * SCTLR_EL1 bits that are RES1 in Armv8.0 without the later features this
 * CPU does not advertise: 11 (EOS), 20 (TSCXT), 22 (EIS), 23 (SPAN),
 * 28 (nTLSMD), 29 (LSMAOE). DDI 0487, D17.2.118 SCTLR_EL1.
 */
export const SCTLR_RES1 = 0x30d00800;

/** SCTLR_EL1.M (bit 0): stage-1 MMU enable. */
export const SCTLR_M = 1 << 0;
/** SCTLR_EL1.A (bit 1): alignment check enable. */
export const SCTLR_A = 1 << 1;
/** SCTLR_EL1.C (bit 2): data cacheability. */
export const SCTLR_C = 1 << 2;
/** SCTLR_EL1.SA (bit 3): SP alignment check at EL1. */
export const SCTLR_SA = 1 << 3;
/** SCTLR_EL1.SA0 (bit 4): SP alignment check at EL0. */
export const SCTLR_SA0 = 1 << 4;
/** SCTLR_EL1.UMA (bit 9): EL0 access to DAIF. */
export const SCTLR_UMA = 1 << 9;
/** SCTLR_EL1.I (bit 12): instruction cacheability. */
export const SCTLR_I = 1 << 12;
/** SCTLR_EL1.DZE (bit 14): EL0 may execute DC ZVA. */
export const SCTLR_DZE = 1 << 14;
/** SCTLR_EL1.UCT (bit 15): EL0 may read CTR_EL0. */
export const SCTLR_UCT = 1 << 15;
/** SCTLR_EL1.nTWI (bit 16): WFI at EL0 is not trapped. */
export const SCTLR_NTWI = 1 << 16;
/** SCTLR_EL1.nTWE (bit 18): WFE at EL0 is not trapped. */
export const SCTLR_NTWE = 1 << 18;
/** SCTLR_EL1.WXN (bit 19): write permission implies XN. */
export const SCTLR_WXN = 1 << 19;
/** SCTLR_EL1.E0E (bit 24): EL0 data endianness (big-endian EL0 not supported: RES0 here). */
export const SCTLR_E0E = 1 << 24;
/** SCTLR_EL1.EE (bit 25): EL1 data endianness (big-endian not supported: RES0 here). */
export const SCTLR_EE = 1 << 25;
/** SCTLR_EL1.UCI (bit 26): EL0 may execute DC CVAU/CIVAC/CVAC/CVAP and IC IVAU. */
export const SCTLR_UCI = 1 << 26;

/** Default IPA size in bits (ID_AA64MMFR0_EL1.PARange 0b0010 = 40 bits). */
export const DEFAULT_IPA_BITS = 40;

/** The part of the CPU object the registry needs (avoids a type cycle with system_cpu.ts). */
export interface SystemCpuLike {
  /** Make the run loop translate PC again (see SystemCpu.invalidateFetch). */
  invalidateFetch(): void;
}

/** Per-VM registry of the vCPUs' system state (TLBI ... IS broadcasts, global monitor users). */
const vmRegistry = new WeakMap<Stage2View, SystemRegisters[]>();

/** The system registers (and system-level handles) of one vCPU. */
export class SystemRegisters {
  /** Index of the vCPU within its VM. */
  readonly index: number;
  /** MPIDR affinity bits (without bit 31). */
  readonly mpidr: number;
  /** The VM's stage-2 RAM view. */
  readonly memory: Stage2View;
  /** The VM's MMIO bus. */
  readonly mmio: MmioBus;
  /** The VM's interrupt controller (timer PPIs go here). */
  readonly irq: InterruptController;
  /** Virtual time. */
  readonly clock: VirtualClockReader;
  /** Diagnostics sink. */
  readonly log: (message: string) => void;
  /** Implemented IPA size in bits (36 or 40 here). */
  readonly ipaBits: number;

  /** This vCPU's software TLB (its probed columns in the vCPU's state memory). */
  declare readonly tlb: Tlb;
  /** This vCPU's generic timer. */
  readonly timer: GenericTimer;

  /** The Event Register (SEV/SEVL set it, WFE consumes it). */
  eventRegister = false;
  /** The CPU object this state belongs to, once it has run a slice (for TLBI broadcasts). */
  owner: SystemCpuLike | null = null;

  /** IPA of the last exclusive access (or translateData), for the exclusive monitors. */
  lastIpa = 0;
  /** Byte offset in the mapping's view of the last translateFetch. */
  fetchOffset = 0;
  /** IPA of the last translateFetch. */
  fetchIpa = 0;

  // --- Memory-system control ---------------------------------------------
  /** SCTLR_EL1 (bits 63:32 are RES0 for the advertised features). */
  sctlr: number = SCTLR_RES1;
  /** TCR_EL1. */
  tcrLo = 0;
  /** High half of tcr (see the register above). */
  tcrHi = 0;
  /** TTBR0_EL1. */
  ttbr0Lo = 0;
  /** High half of ttbr0 (see the register above). */
  ttbr0Hi = 0;
  /** TTBR1_EL1. */
  ttbr1Lo = 0;
  /** High half of ttbr1 (see the register above). */
  ttbr1Hi = 0;
  /** MAIR_EL1. */
  mairLo = 0;
  /** High half of mair (see the register above). */
  mairHi = 0;
  /** AMAIR_EL1 (no IMPLEMENTATION DEFINED meaning; stored). */
  amairLo = 0;
  /** High half of amair (see the register above). */
  amairHi = 0;
  /** CONTEXTIDR_EL1.PROCID (bits 31:0). */
  contextidr = 0;
  /** PAR_EL1. */
  parLo = 0;
  /** High half of par (see the register above). */
  parHi = 0;

  // --- Exception state ---------------------------------------------------
  /** VBAR_EL1 (bits 10:0 RES0). */
  vbarLo = 0;
  /** High half of vbar (see the register above). */
  vbarHi = 0;
  /** ELR_EL1. */
  elrLo = 0;
  /** High half of elr (see the register above). */
  elrHi = 0;
  /** SPSR_EL1 (bits 31:0; 63:32 RES0). */
  spsr = 0;
  /** ESR_EL1 (bits 31:0; 63:32 RES0 without FEAT_LS64 etc.). */
  esr = 0;
  /** FAR_EL1. */
  farLo = 0;
  /** High half of far (see the register above). */
  farHi = 0;
  /** AFSR0_EL1 (IMPLEMENTATION DEFINED; stored, never set by hardware here). */
  afsr0 = 0;
  /** AFSR1_EL1 (IMPLEMENTATION DEFINED; stored). */
  afsr1 = 0;

  // --- Other EL1 control -------------------------------------------------
  /** CPACR_EL1 (FPEN bits 21:20 are what matters); write through {@link setCpacr}. */
  cpacr = 0;
  /** Exception levels whose FP/SIMD use traps (bit n = ELn), derived from CPACR_EL1.FPEN. */
  fpTrapEls = 0b11;
  /** CNTFRQ_EL0 as last written (the counter itself always runs at 62.5 MHz). */
  cntfrq: number = CNTFRQ_HZ;
  /** High half of the last system-register read (MRS handlers return the low half). */
  readHi = 0;
  /** DBGBVR<n>_EL1, lo/hi interleaved per breakpoint. */
  readonly dbgbvr: Uint32Array = new Uint32Array(2 * DEBUG_BREAKPOINTS);
  /** DBGBCR<n>_EL1 (32-bit) per breakpoint. */
  readonly dbgbcr: Uint32Array = new Uint32Array(DEBUG_BREAKPOINTS);
  /** DBGWVR<n>_EL1, lo/hi interleaved per watchpoint. */
  readonly dbgwvr: Uint32Array = new Uint32Array(2 * DEBUG_WATCHPOINTS);
  /** DBGWCR<n>_EL1 (32-bit) per watchpoint. */
  readonly dbgwcr: Uint32Array = new Uint32Array(DEBUG_WATCHPOINTS);
  /** DBGCLAIMSET/CLR_EL1 claim tags (bits 7:0). */
  dbgclaim = 0;
  /** ACTLR_EL1 (IMPLEMENTATION DEFINED; stored). */
  actlrLo = 0;
  /** High half of actlr (see the register above). */
  actlrHi = 0;
  /** Thread ID registers. */
  tpidrEl0Lo = 0;
  /** High half of tpidrEl0 (see the register above). */
  tpidrEl0Hi = 0;
  /** Low half of tpidrroEl0. */
  tpidrroEl0Lo = 0;
  /** High half of tpidrroEl0 (see the register above). */
  tpidrroEl0Hi = 0;
  /** Low half of tpidrEl1. */
  tpidrEl1Lo = 0;
  /** High half of tpidrEl1 (see the register above). */
  tpidrEl1Hi = 0;
  /** CSSELR_EL1 (Level bits 3:1, InD bit 0). */
  csselr = 0;

  // --- Debug (no debug features beyond what Linux pokes) -----------------
  /** MDSCR_EL1. */
  mdscr = 0;
  /** OSLSR_EL1.OSLK (OS lock); set out of reset per the architecture. */
  osLock = 1;
  /** OSDLR_EL1.DLK. */
  osdlr = 0;
  /** MDCCINT_EL1. */
  mdccint = 0;
  /** What the debug registers and the host debugger arm (sys/debug.ts). */
  readonly debug: DebugState = new DebugState();

  /**
   * Create the system state of the vCPU described by `init`, with an IPA of
   * `ipaBits` bits (36 or 40, reported in ID_AA64MMFR0_EL1.PARange), and
   * register it with the other vCPUs of its VM. The TLB's probed columns are
   * views on `stateBuffer`, the vCPU's state memory buffer
   * (`CpuState.stateMemory`; cpu/state_memory.ts), or on a buffer of the TLB's
   * own when none is given.
   */
  constructor(init: VcpuInit, ipaBits: number = DEFAULT_IPA_BITS, stateBuffer?: ArrayBufferLike) {
    if (ipaBits !== 36 && ipaBits !== 40) {
      throw new RangeError(`ipaBits must be 36 or 40 (ID_AA64MMFR0_EL1.PARange), got ${ipaBits}`);
    }
    this.index = init.index;
    this.mpidr = init.mpidr;
    this.memory = init.memory;
    this.mmio = init.mmio;
    this.irq = init.irq;
    this.clock = init.clock;
    this.log = init.log ?? (() => {});
    this.ipaBits = ipaBits;
    this.timer = new GenericTimer(init.irq, init.clock, init.index);
    this.tlb = new Tlb(stateBuffer);
    this.tlb.generation = init.memory.generation;
    let peers = vmRegistry.get(init.memory);
    if (peers === undefined) {
      peers = [];
      vmRegistry.set(init.memory, peers);
    }
    peers.push(this);
  }

  /** The system state of every vCPU of this VM (this one included), in creation order. */
  peers(): readonly SystemRegisters[] {
    return vmRegistry.get(this.memory) ?? [this];
  }

  /** Remove this vCPU from its VM's registry (when the vCPU is destroyed). */
  detach(): void {
    const peers = vmRegistry.get(this.memory);
    if (peers === undefined) return;
    const i = peers.indexOf(this);
    if (i >= 0) peers.splice(i, 1);
  }

  /** Architectural reset of the EL1 system registers (the timer and TLB included). */
  reset(): void {
    this.sctlr = SCTLR_RES1;
    this.tcrLo = this.tcrHi = 0;
    this.ttbr0Lo =
      this.ttbr0Hi =
      this.ttbr1Lo =
      this.ttbr1Hi =
        0;
    this.mairLo =
      this.mairHi =
      this.amairLo =
      this.amairHi =
        0;
    this.contextidr = 0;
    this.parLo = this.parHi = 0;
    this.vbarLo = this.vbarHi = 0;
    this.elrLo = this.elrHi = 0;
    this.spsr = this.esr = 0;
    this.farLo = this.farHi = 0;
    this.afsr0 = this.afsr1 = 0;
    this.setCpacr(0);
    this.cntfrq = CNTFRQ_HZ;
    this.dbgbvr.fill(0);
    this.dbgbcr.fill(0);
    this.dbgwvr.fill(0);
    this.dbgwcr.fill(0);
    this.dbgclaim = 0;
    this.actlrLo = this.actlrHi = 0;
    this.tpidrEl0Lo = this.tpidrEl0Hi = 0;
    this.tpidrroEl0Lo = this.tpidrroEl0Hi = 0;
    this.tpidrEl1Lo = this.tpidrEl1Hi = 0;
    this.csselr = 0;
    this.mdscr = 0;
    this.osLock = 1;
    this.osdlr = 0;
    this.mdccint = 0;
    this.debug.resetGuest();
    this.eventRegister = false;
    this.timer.reset();
    this.tlb.flushAll();
    this.tlb.curAsid = 0;
    this.tlb.generation = this.memory.generation;
  }

  /** Write CPACR_EL1 (only FPEN, bits 21:20, is implemented) and update the FP trap mask. */
  setCpacr(value: number): void {
    this.cpacr = value & 0x0030_0000;
    this.fpTrapEls = fpTrapMask(this.cpacr);
  }

  /** Recompute the current ASID from TCR_EL1.{A1,AS} and TTBR0/1_EL1.ASID (bits 63:48). */
  updateAsid(): void {
    const a1 = (this.tcrLo >>> 22) & 1;
    const as16 = (this.tcrHi >>> 4) & 1; // TCR_EL1.AS is bit 36
    const ttbrHi = a1 ? this.ttbr1Hi : this.ttbr0Hi;
    this.tlb.curAsid = (ttbrHi >>> 16) & (as16 ? 0xffff : 0xff);
  }
}
