/**
 * The architectural state of one AArch64 vCPU (EL0/EL1; EL2 belongs to the
 * core), laid out for an interpreter that does not allocate per instruction.
 *
 * The general registers live in the vCPU's state memory (a
 * `WebAssembly.Memory`, layout in cpu/state_memory.ts) so that translated
 * WebAssembly blocks read and write the same words the interpreter does.
 *
 * 64-bit values are held as two unsigned 32-bit halves in typed arrays: the
 * measurement that chose this over `BigUint64Array` is in
 * docs/ARCHITECTURE.md ("How 64-bit state is held") and in
 * tools/bench/reg64_bench.ts.
 *
 * General registers: slots 0..30 are X0..X30. Slot {@link R_ZR} (31) always
 * reads zero, slot {@link R_SP} (32) is the current stack pointer (SP_EL0 or
 * SP_EL1 as PSTATE.SP selects), slot {@link R_DISCARD} (33) receives writes to
 * XZR. Decoders map a register field of 31 to ZR/DISCARD or SP according to
 * the instruction, so handlers never test for 31 themselves.
 *
 * @module
 */

import { STATE_X_HI, STATE_X_LO } from "./state_memory.ts";

/** Slot that always reads as zero (XZR/WZR as a source). */
export const R_ZR = 31;
/** Slot holding the current stack pointer. */
export const R_SP = 32;
/** Slot that absorbs writes to XZR/WZR (never read). */
export const R_DISCARD = 33;
/** Number of general-register slots. */
export const GPR_SLOTS = 34;

/** PSTATE.NZCV bit positions within {@link CpuState.nzcv} (same as SPSR/NZCV bits 31:28). */
export const FLAG_N = 0x80000000;
export const FLAG_Z = 0x40000000;
export const FLAG_C = 0x20000000;
export const FLAG_V = 0x10000000;

/** PSTATE.DAIF bits as in SPSR/DAIF (bits 9:6). */
export const DAIF_D = 0x200;
export const DAIF_A = 0x100;
export const DAIF_I = 0x080;
export const DAIF_F = 0x040;

/**
 * Thrown (as the single preallocated instance {@link GUEST_EXCEPTION}) after a
 * synchronous exception has been *taken*: the exception entry has already
 * updated PC/PSTATE/ELR/SPSR/ESR/FAR. The run loop catches it and continues
 * with the next instruction at the new PC. Never escapes the run loop.
 */
export class GuestExceptionTaken {
  readonly name = "GuestExceptionTaken";
}
/** The one instance thrown; throwing it allocates nothing. */
export const GUEST_EXCEPTION: GuestExceptionTaken = new GuestExceptionTaken();

/**
 * Thrown (as {@link CPU_EXIT}) when an instruction must leave the vCPU before
 * it retires: an MMIO access the bus answered with `MmioResult.Exit`, HVC,
 * SMC, WFI and trapped accesses set `cpu.exitKind` and the fields of the exit
 * record, then throw this. PC is left as the instruction's own address for
 * MMIO (it re-executes) and as the next instruction for HVC/SMC/WFI.
 */
export class CpuExit {
  readonly name = "CpuExit";
}
/** The one instance thrown. */
export const CPU_EXIT: CpuExit = new CpuExit();

/** The register file and PSTATE. Owned by the execution core; read by every ISA group. */
export class CpuState {
  /**
   * This vCPU's state memory: STATE_MEMORY_BYTES, one WebAssembly page, not
   * shared and never grown, so views on its buffer never detach. Registers,
   * block exchange words and the TLB columns, at the offsets of
   * cpu/state_memory.ts.
   */
  readonly stateMemory: WebAssembly.Memory = new WebAssembly.Memory({
    initial: 1,
    maximum: 1,
  });
  /** Low halves of the general-register slots (see module doc), at STATE_X_LO of `stateMemory`. */
  readonly xlo: Uint32Array = new Uint32Array(this.stateMemory.buffer, STATE_X_LO, GPR_SLOTS);
  /** High halves of the general-register slots, at STATE_X_HI of `stateMemory`. */
  readonly xhi: Uint32Array = new Uint32Array(this.stateMemory.buffer, STATE_X_HI, GPR_SLOTS);

  /** Address of the instruction being executed (low/high halves). */
  pcLo = 0;
  pcHi = 0;

  /** PSTATE.NZCV in bits 31:28 (use FLAG_* masks). */
  nzcv = 0;
  /** PSTATE.DAIF in bits 9:6 (use DAIF_* masks). Reset: all masked. */
  daif: number = DAIF_D | DAIF_A | DAIF_I | DAIF_F;
  /** Current exception level: 0 or 1. */
  el = 1;
  /** PSTATE.SP: 0 = use SP_EL0, 1 = use SP_ELx (meaningful at EL1). */
  spsel = 1;
  /** PSTATE.PAN (only if advertised). */
  pan = 0;
  /** PSTATE.SS, PSTATE.IL (kept to round-trip SPSR exactly). */
  ss = 0;
  il = 0;

  /** The stack pointer of the *inactive* selection (SP_EL0 when spsel=1 at EL1, SP_EL1 otherwise). */
  otherSpLo = 0;
  otherSpHi = 0;
  /** SP_EL0 / SP_EL1 when not live in R_SP are kept in `otherSp*`; see `selectStackPointer`. */

  /** AdvSIMD/FP registers V0..V31, 128 bits each as four little-endian 32-bit words: V[n] word w at n*4+w. */
  readonly v: Uint32Array = new Uint32Array(32 * 4);
  /** Same storage viewed as float32 lanes. */
  readonly vf32: Float32Array = new Float32Array(this.v.buffer);
  /** Same storage viewed as float64 lanes. */
  readonly vf64: Float64Array = new Float64Array(this.v.buffer);
  /** Same storage viewed as bytes. */
  readonly vb: Uint8Array = new Uint8Array(this.v.buffer);
  /** Same storage viewed as 16-bit lanes: V[n] halfword h at n*8+h (AdvSIMD H lanes). */
  readonly vh: Uint16Array = new Uint16Array(this.v.buffer);
  /** FPCR and FPSR (architectural bit layouts). */
  fpcr = 0;
  fpsr = 0;

  /** Local exclusive monitor: armed, address (physical, as IPA number) and size in bytes. */
  exclusiveArmed = false;
  exclusiveAddr = 0;
  exclusiveSize = 0;

  /**
   * Interrupt lines into this CPU, driven by the vGIC: true while the GIC CPU
   * interface signals an IRQ (FIQ) that is pending and not masked by priority.
   * The run loop takes the exception when the line is set and PSTATE.I (F) is clear.
   */
  irqLine = false;
  fiqLine = false;

  /** Scratch: high half of the last 64-bit memory read (memory functions return the low half). */
  memHi = 0;

  /** Instructions retired since reset (wraps nothing: a double counts exactly to 2^53). */
  retiredTotal = 0;

  /** Point R_SP at the stack pointer that PSTATE (el, spsel) selects, swapping with `otherSp*`. */
  swapStackPointers(): void {
    const lo = this.xlo[R_SP], hi = this.xhi[R_SP];
    this.xlo[R_SP] = this.otherSpLo;
    this.xhi[R_SP] = this.otherSpHi;
    this.otherSpLo = lo;
    this.otherSpHi = hi;
  }

  /** Read X[n] as a bigint (cold path). */
  getX(n: number): bigint {
    return (BigInt(this.xhi[n]) << 32n) | BigInt(this.xlo[n]);
  }

  /** Write X[n] from a bigint (cold path). */
  setX(n: number, value: bigint): void {
    const v = BigInt.asUintN(64, value);
    this.xlo[n] = Number(v & 0xffffffffn);
    this.xhi[n] = Number(v >> 32n);
  }

  /** PC as a bigint (cold path). */
  getPc(): bigint {
    return (BigInt(this.pcHi >>> 0) << 32n) | BigInt(this.pcLo >>> 0);
  }

  /** Set PC from a bigint (cold path). */
  setPc(value: bigint): void {
    const v = BigInt.asUintN(64, value);
    this.pcLo = Number(v & 0xffffffffn);
    this.pcHi = Number(v >> 32n);
  }
}
