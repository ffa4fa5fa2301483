/**
 * The emitter: turns a run of A64 instructions of one code page into the
 * JavaScript source of one block function (./block.ts), compiled by V8
 * through `new Function` (the host form chosen by measurement, see
 * tools/bench/PERFORMANCE.md "Translator host form").
 *
 * Shape (after dynarmic's frontend / backend split, in miniature): the
 * frontend ({@link classify}) decodes each word into an instruction class;
 * the backend emits source per class. There is no separate IR: each class
 * emits straight-line code on 32-bit halves.
 *
 * State in the emitted code:
 * - X0..X30 live in locals `lN`/`hN` (low/high halves). Every register the
 *   block uses is loaded from `cpu.xlo/xhi` on entry (a probe pass finds
 *   them) and its local is kept current (reloaded after a handler call), so
 *   the block has one exit path (`break pass`) and one `catch`, both writing
 *   back the registers the block writes. A dirty register is also written
 *   back before an instruction run by its interpreter handler names it. SP
 *   (slot 32) is always accessed in `cpu.xlo/xhi`: exception entry swaps it.
 * - NZCV lives in the local `nz` (loaded on entry, stored to `cpu.nzcv` at the
 *   exit, in the catch and before every call that may raise an exception or
 *   is a handler, reloaded after a handler). Flag-setting instructions compute
 *   it only where a later instruction, an exit or a possible exception can
 *   observe it (backward liveness over the block).
 * - PC is `pc0` (the block's first instruction; blocks never leave their
 *   page) plus constant offsets; `cpu.pcLo` is written only before calls that
 *   can fault and at exits.
 * - `n` is `cpu.retiredTotal` at the start of the current pass; an exit sets
 *   `po` (PC offset from `pc0`) and `kk` (instructions retired in this pass)
 *   and the exit path stores PC and `n + kk`.
 *
 * Instructions without a native emitter but in a class whose handler only
 * reads and writes registers, flags and memory (data processing, loads and
 * stores, SIMD&FP) are emitted as a call of their interpreter handler, with
 * the registers named in their fields written back before and reloaded
 * after; so are MRS of SP_EL0 and TPIDR_EL1. Hints that execute as NOP here
 * (PAuth, BTI, YIELD, CSDB, ...) and DMB/DSB are NOPs in the block.
 * Everything else (other system instructions, exception generation, ERET,
 * unallocated encodings) ends the block before it; the interpreter runs it.
 *
 * @module
 */
import type { Handler } from "../decode/entry.ts";
import { BITMASK_HI, BITMASK_LO, BITMASK_VALID } from "../isa/integer/bitmask_immediate.ts";

/** Instruction classes the frontend distinguishes. */
export const enum Op {
  /** Not translatable: the block ends before it. */
  Stop,
  /** Run by its interpreter handler from the block (no control flow). */
  Generic,
  /** Same, and it accesses memory (may invalidate code or raise an interrupt line). */
  GenericMemory,
  Nop,
  AddSubImm,
  AddSubShifted,
  LogicalImm,
  LogicalShifted,
  MoveWide,
  CondSelect,
  MulAdd,
  LoadStoreUImm,
  /** LDUR/STUR, LDR/STR pre/post-indexed, LDR/STR (register offset): one general register. */
  LoadStoreSingle,
  /** LDP/STP/LDNP/STNP of W or X registers. */
  LoadStorePair,
  /** ADD/SUB (extended register), both widths, flags or not. */
  AddSubExtended,
  /** ADC/ADCS/SBC/SBCS. */
  AddSubCarry,
  /** SBFM/UBFM (ASR/LSL/LSR immediate, SBFX/UBFX, SBFIZ/UBFIZ, SXTB/UXTB and the like). */
  Bitfield,
  /** ADR/ADRP (the WebAssembly backend emits them; the JavaScript one calls the handler). */
  PcRelative,
  /** UDIV/SDIV/LSLV/LSRV/ASRV/RORV (same). */
  DataProcessing2,
  /** CCMP/CCMN, register and immediate (same). */
  ConditionalCompare,
  /** EXTR (ROR immediate) (same). */
  Extract,
  B,
  BCond,
  CompareBranch,
  TestBranch,
  BranchReg,
}

/** HINT #imm with the imm field (bits 11:5) zero: DDI 0487 C6.2.x HINT. */
const HINT_SPACE = 0xd503201f;
/** HINT numbers from WFE to SEVL (WFE 2, WFI 3, SEV 4, SEVL 5): they have effects. */
const HINT_WFE = 2, HINT_SEVL = 5;
/** DSB (op2 = 100) and DMB (op2 = 101) with CRm zero: DDI 0487 C6.2 DSB, DMB. */
const DSB_DMB = 0xd503309f;
/**
 * MRS Xt, SP_EL0 and MRS Xt, TPIDR_EL1 (Rt zero): Linux reads `current` and the
 * per-CPU offset with them in hot paths. Side-effect free reads (an EL0 read
 * raises an exception, which the block handles as for any handler call), so
 * they run from the block by their handler; other MRS may read counters that
 * depend on the retired count and stay interpreted.
 */
const MRS_SP_EL0 = 0xd5384100, MRS_TPIDR_EL1 = 0xd538d080;

/** Whether `op` ends the block after itself (a branch). */
export function isTerminator(op: Op): boolean {
  return op >= Op.B;
}

/** Whether `op` is B.cond, CBZ/CBNZ or TBZ/TBNZ (a branch that may fall through). */
export function isConditionalBranch(op: Op): boolean {
  return op === Op.BCond || op === Op.CompareBranch || op === Op.TestBranch;
}

/** Frontend: the class of `w` (unsigned word) or {@link Op.Stop}. */
export function classify(w: number): Op {
  if ((w & 0x1f800000) === 0x11000000) return Op.AddSubImm;
  if ((w & 0x1f200000) === 0x0b000000) {
    const sf = w >>> 31, shift = (w >>> 22) & 3, amount = (w >>> 10) & 63;
    return shift === 3 || (sf === 0 && amount >= 32) ? Op.Generic : Op.AddSubShifted;
  }
  if ((w & 0x1fe00000) === 0x0b200000) {
    return ((w >>> 10) & 7) <= 4 ? Op.AddSubExtended : Op.Generic;
  }
  if ((w & 0x1fe0fc00) === 0x1a000000) return Op.AddSubCarry;
  if ((w & 0x1f800000) === 0x12000000) {
    const valid = BITMASK_VALID[(w >>> 10) & 0x1fff] & (w >>> 31 === 1 ? 1 : 2);
    return valid !== 0 ? Op.LogicalImm : Op.Generic;
  }
  if ((w & 0x1f000000) === 0x0a000000) {
    const sf = w >>> 31, amount = (w >>> 10) & 63;
    return sf === 0 && amount >= 32 ? Op.Generic : Op.LogicalShifted;
  }
  if ((w & 0x1f800000) === 0x12800000) {
    const opc = (w >>> 29) & 3, hw = (w >>> 21) & 3;
    return opc === 1 || (w >>> 31 === 0 && hw >= 2) ? Op.Generic : Op.MoveWide;
  }
  if ((w & 0x1fe00000) === 0x1a800000) {
    return (w & (1 << 29)) !== 0 || (w & (1 << 11)) !== 0 ? Op.Generic : Op.CondSelect;
  }
  if ((w & 0x7fe00000) === 0x1b000000) return Op.MulAdd; // MADD/MSUB, both widths
  if ((w & 0x3f000000) === 0x39000000) {
    const size = w >>> 30, opc = (w >>> 22) & 3;
    if (opc < 2 || (opc === 2 && size < 3) || (opc === 3 && size < 2)) return Op.LoadStoreUImm;
    return Op.GenericMemory;
  }
  if ((w & 0x3f200000) === 0x38000000 || (w & 0x3f200c00) === 0x38200800) {
    // Unscaled (bits 11:10 = 00), post-indexed (01), pre-indexed (11), register offset
    // (bit 21 = 1, bits 11:10 = 10); unprivileged (10) and the reserved/PRFM forms stay generic.
    const size = w >>> 30, opc = (w >>> 22) & 3, mode = (w >>> 10) & 3;
    const regOffset = (w & (1 << 21)) !== 0;
    const ok = opc < 2 || (opc === 2 && size < 3) || (opc === 3 && size < 2);
    if (ok && (regOffset ? ((w >>> 13) & 2) !== 0 : mode !== 2)) return Op.LoadStoreSingle;
    return Op.GenericMemory;
  }
  if ((w & 0x3e000000) === 0x28000000) {
    const opc = w >>> 30;
    return opc === 0 || opc === 2 ? Op.LoadStorePair : Op.GenericMemory;
  }
  if ((w & 0x1f800000) === 0x13000000) {
    const sf = w >>> 31, opc = (w >>> 29) & 3, nBit = (w >>> 22) & 1;
    const immr = (w >>> 16) & 63, imms = (w >>> 10) & 63;
    const valid = sf === 1 ? nBit === 1 : nBit === 0 && immr < 32 && imms < 32;
    return valid && (opc === 0 || opc === 2) ? Op.Bitfield : Op.Generic;
  }
  if ((w & 0x1f000000) === 0x10000000) return Op.PcRelative;
  if ((w & 0x7fe00000) === 0x1ac00000) {
    const opcode = (w >>> 10) & 63;
    return opcode === 2 || opcode === 3 || (opcode >= 8 && opcode <= 11)
      ? Op.DataProcessing2
      : Op.Generic;
  }
  if ((w & 0x3fe00410) === 0x3a400000) return Op.ConditionalCompare;
  if ((w & 0x7fa00000) === 0x13800000) {
    const sf = w >>> 31, nBit = (w >>> 22) & 1, imms = (w >>> 10) & 63;
    return sf === nBit && (sf === 1 || imms < 32) ? Op.Extract : Op.Generic;
  }
  if ((w & 0x7c000000) === 0x14000000) return Op.B;
  if ((w & 0xff000010) === 0x54000000) return Op.BCond;
  if ((w & 0x7e000000) === 0x34000000) return Op.CompareBranch;
  if ((w & 0x7e000000) === 0x36000000) return Op.TestBranch;
  if (((w & 0xff9ffc1f) >>> 0) === 0xd61f0000 && ((w >>> 21) & 3) !== 3) {
    return Op.BranchReg; // BR, BLR, RET
  }
  if (((w & 0xfffff01f) >>> 0) === HINT_SPACE) {
    // NOP, YIELD and the hints of features this CPU lacks (PAuth, BTI, CSDB, ...)
    // execute as NOP (isa/system/hints.ts); WFE, WFI, SEV, SEVL do not.
    const imm = (w >>> 5) & 0x7f;
    return imm >= HINT_WFE && imm <= HINT_SEVL ? Op.Stop : Op.Nop;
  }
  if (((w & 0xfffff0df) >>> 0) === DSB_DMB) return Op.Nop; // nothing to order: isa/system/hints.ts
  if (((w & 0xffffffe0) >>> 0) === MRS_SP_EL0 || ((w & 0xffffffe0) >>> 0) === MRS_TPIDR_EL1) {
    return Op.Generic;
  }
  // op0 (bits 28:25): 100x data processing (immediate), x101 data processing
  // (register), x111 SIMD&FP data processing, x1x0 loads and stores.
  const op0 = (w >>> 25) & 0xf;
  if ((op0 & 0xe) === 0x8 || (op0 & 0x7) === 0x5 || (op0 & 0x7) === 0x7) return Op.Generic;
  if ((op0 & 0x5) === 0x4) return Op.GenericMemory;
  return Op.Stop;
}

/** One instruction of a block as the backend receives it. */
export interface BlockInsn {
  readonly word: number;
  readonly op: Op;
  readonly handler: Handler;
}

/** Generated source of a block and the handlers it calls (`H[i]`). */
export interface EmittedBlock {
  readonly source: string;
  readonly handlers: Handler[];
  /** Instructions in one pass. */
  readonly length: number;
}

const N = 0x80000000, Z = 0x40000000, C = 0x20000000, V = 0x10000000;

/** Condition `cond` on the NZCV value in variable `v`, as a JS boolean expression. */
function condExpr(cond: number, v: string): string {
  let e: string;
  switch (cond >>> 1) {
    case 0:
      e = `(${v} & ${Z}) !== 0`;
      break;
    case 1:
      e = `(${v} & ${C}) !== 0`;
      break;
    case 2:
      e = `(${v} & ${N}) !== 0`;
      break;
    case 3:
      e = `(${v} & ${V}) !== 0`;
      break;
    case 4:
      e = `(${v} & ${C | Z}) === ${C}`;
      break;
    case 5:
      e = `((${v} >>> 31) ^ ((${v} >>> 28) & 1)) === 0`;
      break;
    case 6:
      e = `((${v} >>> 31) ^ ((${v} >>> 28) & 1)) === 0 && (${v} & ${Z}) === 0`;
      break;
    default:
      return "true";
  }
  return (cond & 1) !== 0 ? `!(${e})` : e;
}

/** Whether the instruction reads NZCV (or may: handlers and exits count as readers). */
export function readsFlags(i: BlockInsn): boolean {
  switch (i.op) {
    case Op.CondSelect:
    case Op.ConditionalCompare:
    case Op.AddSubCarry:
    case Op.BCond:
    case Op.Generic:
    case Op.GenericMemory:
    case Op.LoadStoreUImm: // may fault: exception entry saves NZCV in SPSR
    case Op.LoadStoreSingle:
    case Op.LoadStorePair:
      return true;
    default:
      return false;
  }
}

/** Whether the instruction writes all of NZCV without reading it. */
export function writesFlags(i: BlockInsn): boolean {
  const w = i.word;
  switch (i.op) {
    case Op.AddSubImm:
    case Op.AddSubShifted:
    case Op.AddSubExtended:
      return (w & (1 << 29)) !== 0;
    case Op.LogicalImm:
    case Op.LogicalShifted:
      return ((w >>> 29) & 3) === 3;
    default:
      return false;
  }
}

/**
 * Whether NZCV must be computed after each instruction of a block: backward
 * liveness, with the flags live at the end and at every branch (the next
 * block may read them) and at every possible exception (SPSR saves them).
 */
export function flagLiveness(insns: readonly BlockInsn[]): boolean[] {
  const flagsLive = new Array<boolean>(insns.length);
  let live = true;
  for (let i = insns.length - 1; i >= 0; i--) {
    flagsLive[i] = live;
    if (readsFlags(insns[i]) || isTerminator(insns[i].op)) live = true;
    else if (writesFlags(insns[i])) live = false;
  }
  return flagsLive;
}

/** Whether the branch `ins` at index `i` of a block may target the block's first instruction. */
export function targetsBlockStart(ins: BlockInsn, i: number): boolean {
  const w = ins.word, here = 4 * i;
  switch (ins.op) {
    case Op.B:
      return (w >>> 31) === 0 && here + ((w << 6) >> 6) * 4 === 0;
    case Op.BCond:
    case Op.CompareBranch:
      return here + ((w << 8) >> 13) * 4 === 0;
    case Op.TestBranch:
      return here + ((w << 13) >> 18) * 4 === 0;
    default:
      return false;
  }
}

/** General registers (0..30) named in a word's register fields (Rd/Rt, Rn, Rt2/Ra, Rm/Rs). */
export function fieldRegisters(w: number): number[] {
  const f = [w & 31, (w >>> 5) & 31, (w >>> 10) & 31, (w >>> 16) & 31];
  // Pair forms (CASP) also use the next register of Rs and Rt.
  const r = [...f, f[0] + 1, f[3] + 1];
  return [...new Set(r.filter((x) => x < 31))];
}

const R_ZR = 31, R_SP = 32, R_DISCARD = 33;

/** Mask of the low `n` bits (0..32) of a 32-bit word. */
function ones32(n: number): number {
  return n >= 32 ? 0xffffffff : ((1 << n) - 1) >>> 0;
}

/** 64-bit shift (type 0 LSL, 1 LSR, 2 ASR, 3 ROR) of halves `l`/`h` (names or constants) by constant `n`. */
function shiftHalves(l: string, h: string, type: number, n: number): [string, string] {
  if (n === 0) return [l, h];
  switch (type) {
    case 0:
      return n < 32
        ? [`(${l} << ${n}) >>> 0`, `((${h} << ${n}) | (${l} >>> ${32 - n})) >>> 0`]
        : ["0", `(${l} << ${n - 32}) >>> 0`];
    case 1:
      return n < 32
        ? [`((${l} >>> ${n}) | (${h} << ${32 - n})) >>> 0`, `${h} >>> ${n}`]
        : [`${h} >>> ${n - 32}`, "0"];
    case 2:
      return n < 32
        ? [`((${l} >>> ${n}) | (${h} << ${32 - n})) >>> 0`, `(${h} >> ${n}) >>> 0`]
        : [`(${h} >> ${n - 32}) >>> 0`, `(${h} >> 31) >>> 0`];
    default:
      if (n < 32) {
        return [
          `((${l} >>> ${n}) | (${h} << ${32 - n})) >>> 0`,
          `((${h} >>> ${n}) | (${l} << ${32 - n})) >>> 0`,
        ];
      }
      if (n === 32) return [h, l];
      return [
        `((${h} >>> ${n - 32}) | (${l} << ${64 - n})) >>> 0`,
        `((${l} >>> ${n - 32}) | (${h} << ${64 - n})) >>> 0`,
      ];
  }
}

/** The backend: emits one block. */
class Emitter {
  readonly #out: string[] = [];
  readonly #valid = new Array<boolean>(31).fill(false);
  readonly #dirty = new Array<boolean>(31).fill(false);
  readonly #used = new Set<number>();
  readonly #handlers: Handler[] = [];
  /**
   * Writeback of every register the block writes (from the probe pass): run
   * once, at the common exit and in the catch clause. Correct at every point
   * because every register the block uses is loaded in the prologue and its
   * local is kept current (reloaded after a handler call).
   */
  #writeback = "";
  #usesTlb = false;
  #tmp = 0;
  /** Whether the block's last branch may jump back to its first instruction. */
  #loop = false;

  constructor(readonly insns: readonly BlockInsn[], readonly startOffset: number) {}

  #emit(s: string): void {
    this.#out.push(s);
  }

  #t(): string {
    return `t${this.#tmp++}`;
  }

  // -- registers ------------------------------------------------------------

  #ensure(r: number): void {
    if (r >= 31 || this.#valid[r]) return;
    this.#used.add(r);
    this.#emit(`l${r} = xl[${r}]; h${r} = xh[${r}];`);
    this.#valid[r] = true;
  }

  /** Low half of source register slot `r` (31 = zero, 32 = SP). */
  #lo(r: number): string {
    if (r === R_ZR) return "0";
    if (r === R_SP) return "xl[32]";
    this.#ensure(r);
    return `l${r}`;
  }

  #hi(r: number): string {
    if (r === R_ZR) return "0";
    if (r === R_SP) return "xh[32]";
    this.#ensure(r);
    return `h${r}`;
  }

  /** Write slot `r` (33 = discard, 32 = SP) from two already-evaluated names/constants. */
  #write(r: number, lo: string, hi: string): void {
    if (r === R_DISCARD || r === R_ZR) return;
    if (r === R_SP) {
      this.#emit(`xl[32] = ${lo}; xh[32] = ${hi};`);
      return;
    }
    this.#used.add(r);
    this.#emit(`l${r} = ${lo}; h${r} = ${hi};`);
    this.#valid[r] = true;
    this.#dirty[r] = true;
  }

  /**
   * Leave the block through its one exit (registers back, PC = block start +
   * `off` bytes, `k` instructions retired in this pass).
   */
  #exitTo(off: number, k: number): string {
    return `po = ${off}; kk = ${k}; break pass;`;
  }

  /**
   * Note instruction `i` may throw (or call a handler): PC, NZCV and `ii` set
   * (exception entry saves NZCV in SPSR; the catch writes registers back).
   */
  #mayThrow(i: number): string {
    return `cpu.pcLo = pc0 + ${i * 4}; cpu.nzcv = nz; ii = ${i};`;
  }

  // -- operands ---------------------------------------------------------------

  /** 64-bit shift of register `m` by constant: [lo, hi] expressions. */
  #shift64(m: number, type: number, n: number): [string, string] {
    return shiftHalves(this.#lo(m), this.#hi(m), type, n);
  }

  #shift32(m: number, type: number, n: number): string {
    const v = this.#lo(m);
    if (n === 0) return v;
    switch (type) {
      case 0:
        return `(${v} << ${n}) >>> 0`;
      case 1:
        return `${v} >>> ${n}`;
      case 2:
        return `(${v} >> ${n}) >>> 0`;
      default:
        return `((${v} >>> ${n}) | (${v} << ${32 - n})) >>> 0`;
    }
  }

  // -- instruction classes ----------------------------------------------------

  /** X[d] = a + b + cin (64-bit), flags when `flags`. Operands are names or constants. */
  #add64(
    d: number,
    al: string,
    ah: string,
    bl: string,
    bh: string,
    cin: number | string,
    flags: boolean,
  ) {
    const t = this.#t();
    this.#emit(
      `{ const ${t} = ${al} + ${bl} + ${cin}; const rl = ${t} >>> 0; ` +
        `const u = ${ah} + ${bh} + (${t} > 0xffffffff ? 1 : 0); const rh = u >>> 0;`,
    );
    if (flags) {
      this.#emit(
        `nz = ((rh & ${N}) | ((rl | rh) === 0 ? ${Z} : 0) | (u > 0xffffffff ? ${C} : 0) | ` +
          `((((${ah} ^ rh) & (${bh} ^ rh)) >>> 31) !== 0 ? ${V} : 0)) >>> 0;`,
      );
    }
    this.#write(d, "rl", "rh");
    this.#emit("}");
  }

  #add32(d: number, a: string, b: string, cin: number | string, flags: boolean): void {
    const t = this.#t();
    this.#emit(`{ const ${t} = ${a} + ${b} + ${cin}; const r = ${t} >>> 0;`);
    if (flags) {
      this.#emit(
        `nz = ((r & ${N}) | (r === 0 ? ${Z} : 0) | (${t} > 0xffffffff ? ${C} : 0) | ` +
          `((((${a} ^ r) & (${b} ^ r)) >>> 31) !== 0 ? ${V} : 0)) >>> 0;`,
      );
    }
    this.#write(d, "r", "0");
    this.#emit("}");
  }

  #addSubImm(w: number, flagsLive: boolean): void {
    const sf = w >>> 31, sub = (w & (1 << 30)) !== 0, s = (w & (1 << 29)) !== 0;
    const d = s ? ((w & 31) === 31 ? R_DISCARD : w & 31) : ((w & 31) === 31 ? R_SP : w & 31);
    const n = ((w >>> 5) & 31) === 31 ? R_SP : (w >>> 5) & 31;
    let imm = (w >>> 10) & 0xfff;
    if ((w & (1 << 22)) !== 0) imm *= 4096;
    const flags = s && flagsLive;
    this.#emit(`{ const al = ${this.#lo(n)};`);
    if (sf === 1) {
      this.#emit(`const ah = ${this.#hi(n)};`);
      this.#add64(
        d,
        "al",
        "ah",
        `${sub ? ~imm >>> 0 : imm}`,
        sub ? "0xffffffff" : "0",
        sub ? 1 : 0,
        flags,
      );
    } else {
      this.#add32(d, "al", `${sub ? ~imm >>> 0 : imm}`, sub ? 1 : 0, flags);
    }
    this.#emit("}");
  }

  #addSubShifted(w: number, flagsLive: boolean): void {
    const sf = w >>> 31, sub = (w & (1 << 30)) !== 0, s = (w & (1 << 29)) !== 0;
    const type = (w >>> 22) & 3, amount = (w >>> 10) & 63;
    const d = (w & 31) === 31 ? R_DISCARD : w & 31;
    const n = (w >>> 5) & 31, m = (w >>> 16) & 31;
    const flags = s && flagsLive;
    if (sf === 1) {
      const [ml, mh] = this.#shift64(m, type, amount);
      this.#emit(`{ const al = ${this.#lo(n)}, ah = ${this.#hi(n)};`);
      this.#emit(
        sub ? `const bl = ~(${ml}) >>> 0, bh = ~(${mh}) >>> 0;` : `const bl = ${ml}, bh = ${mh};`,
      );
      this.#add64(d, "al", "ah", "bl", "bh", sub ? 1 : 0, flags);
    } else {
      const mv = this.#shift32(m, type, amount);
      this.#emit(`{ const a = ${this.#lo(n)};`);
      this.#emit(sub ? `const b = ~(${mv}) >>> 0;` : `const b = ${mv};`);
      this.#add32(d, "a", "b", sub ? 1 : 0, flags);
    }
    this.#emit("}");
  }

  #addSubExtended(w: number, flagsLive: boolean): void {
    const sf = w >>> 31, sub = (w & (1 << 30)) !== 0, s = (w & (1 << 29)) !== 0;
    const d = (w & 31) === 31 ? (s ? R_DISCARD : R_SP) : w & 31;
    const n = ((w >>> 5) & 31) === 31 ? R_SP : (w >>> 5) & 31;
    const m = (w >>> 16) & 31, option = (w >>> 13) & 7, amount = (w >>> 10) & 7;
    const lm = this.#lo(m), hm = sf === 1 && (option & 3) === 3 ? this.#hi(m) : "0";
    let el: string, eh: string;
    switch (option) {
      case 0:
        [el, eh] = [`(${lm} & 0xff)`, "0"];
        break;
      case 1:
        [el, eh] = [`(${lm} & 0xffff)`, "0"];
        break;
      case 4:
        [el, eh] = [`(((${lm} << 24) >> 24) >>> 0)`, `(((${lm} << 24) >> 31) >>> 0)`];
        break;
      case 5:
        [el, eh] = [`(((${lm} << 16) >> 16) >>> 0)`, `(((${lm} << 16) >> 31) >>> 0)`];
        break;
      case 6:
        [el, eh] = [lm, `((${lm} >> 31) >>> 0)`];
        break;
      default: // UXTW (2), UXTX/LSL (3), SXTX (7)
        [el, eh] = [lm, option === 2 ? "0" : hm];
    }
    const flags = s && flagsLive;
    if (sf === 1) {
      const [ml, mh] = shiftHalves(el, eh, 0, amount);
      this.#emit(`{ const al = ${this.#lo(n)}, ah = ${this.#hi(n)};`);
      this.#emit(
        sub ? `const bl = ~(${ml}) >>> 0, bh = ~(${mh}) >>> 0;` : `const bl = ${ml}, bh = ${mh};`,
      );
      this.#add64(d, "al", "ah", "bl", "bh", sub ? 1 : 0, flags);
    } else {
      const mv = amount === 0 ? el : `((${el} << ${amount}) >>> 0)`;
      this.#emit(`{ const a = ${this.#lo(n)};`);
      this.#emit(sub ? `const b = ~(${mv}) >>> 0;` : `const b = ${mv};`);
      this.#add32(d, "a", "b", sub ? 1 : 0, flags);
    }
    this.#emit("}");
  }

  #addSubCarry(w: number, flagsLive: boolean): void {
    const sf = w >>> 31, sub = (w & (1 << 30)) !== 0, s = (w & (1 << 29)) !== 0;
    const d = (w & 31) === 31 ? R_DISCARD : w & 31;
    const n = (w >>> 5) & 31, m = (w >>> 16) & 31;
    const flags = s && flagsLive;
    const cin = `((nz >>> 29) & 1)`;
    if (sf === 1) {
      this.#emit(`{ const al = ${this.#lo(n)}, ah = ${this.#hi(n)};`);
      const ml = this.#lo(m), mh = this.#hi(m);
      this.#emit(
        sub ? `const bl = ~${ml} >>> 0, bh = ~${mh} >>> 0;` : `const bl = ${ml}, bh = ${mh};`,
      );
      this.#add64(d, "al", "ah", "bl", "bh", cin, flags);
    } else {
      this.#emit(`{ const a = ${this.#lo(n)};`);
      const ml = this.#lo(m);
      this.#emit(sub ? `const b = ~${ml} >>> 0;` : `const b = ${ml};`);
      this.#add32(d, "a", "b", cin, flags);
    }
    this.#emit("}");
  }

  #logicalResult(opc: number, sf: number, d: number, flagsLive: boolean): void {
    if (opc === 3 && flagsLive) {
      this.#emit(
        sf === 1
          ? `nz = ((rh & ${N}) | ((rl | rh) === 0 ? ${Z} : 0)) >>> 0;`
          : `nz = ((rl & ${N}) | (rl === 0 ? ${Z} : 0)) >>> 0;`,
      );
    }
    this.#write(d, "rl", sf === 1 ? "rh" : "0");
  }

  #logicalImm(w: number, flagsLive: boolean): void {
    const sf = w >>> 31, opc = (w >>> 29) & 3;
    const d = (w & 31) === 31 ? (opc === 3 ? R_DISCARD : R_SP) : w & 31;
    const n = (w >>> 5) & 31;
    const idx = (w >>> 10) & 0x1fff;
    const op = opc === 1 ? "|" : opc === 2 ? "^" : "&";
    this.#emit(`{ const rl = (${this.#lo(n)} ${op} ${BITMASK_LO[idx]}) >>> 0;`);
    if (sf === 1) this.#emit(`const rh = (${this.#hi(n)} ${op} ${BITMASK_HI[idx]}) >>> 0;`);
    this.#logicalResult(opc, sf, d, flagsLive);
    this.#emit("}");
  }

  #logicalShifted(w: number, flagsLive: boolean): void {
    const sf = w >>> 31, opc = (w >>> 29) & 3, invert = (w & (1 << 21)) !== 0;
    const type = (w >>> 22) & 3, amount = (w >>> 10) & 63;
    const d = (w & 31) === 31 ? R_DISCARD : w & 31;
    const n = (w >>> 5) & 31, m = (w >>> 16) & 31;
    const op = opc === 1 ? "|" : opc === 2 ? "^" : "&";
    const inv = (e: string) => (invert ? `~(${e})` : `(${e})`);
    if (sf === 1) {
      const [ml, mh] = this.#shift64(m, type, amount);
      this.#emit(`{ const bl = ${ml}, bh = ${mh};`);
      this.#emit(`const rl = (${this.#lo(n)} ${op} ${inv("bl")}) >>> 0;`);
      this.#emit(`const rh = (${this.#hi(n)} ${op} ${inv("bh")}) >>> 0;`);
    } else {
      this.#emit(`{ const b = ${this.#shift32(m, type, amount)};`);
      this.#emit(`const rl = (${this.#lo(n)} ${op} ${inv("b")}) >>> 0;`);
    }
    this.#logicalResult(opc, sf, d, flagsLive);
    this.#emit("}");
  }

  #moveWide(w: number): void {
    const sf = w >>> 31, opc = (w >>> 29) & 3, hw = (w >>> 21) & 3;
    const imm = (w >>> 5) & 0xffff;
    const d = (w & 31) === 31 ? R_DISCARD : w & 31;
    let lo = 0, hi = 0;
    if (hw < 2) lo = (imm << (16 * hw)) >>> 0;
    else hi = (imm << (16 * (hw - 2))) >>> 0;
    if (opc === 3) { // MOVK
      const keepLo = hw === 0 ? 0xffff0000 : hw === 1 ? 0x0000ffff : 0xffffffff;
      const keepHi = hw === 2 ? 0xffff0000 : hw === 3 ? 0x0000ffff : 0xffffffff;
      const src = w & 31;
      this.#emit(
        `{ const rl = ((${this.#lo(src)} & ${keepLo}) | ${lo}) >>> 0;` +
          (sf === 1 ? ` const rh = ((${this.#hi(src)} & ${keepHi}) | ${hi}) >>> 0;` : ""),
      );
      this.#write(d, "rl", sf === 1 ? "rh" : "0");
      this.#emit("}");
      return;
    }
    if (opc === 0) { // MOVN
      lo = ~lo >>> 0;
      hi = sf === 1 ? ~hi >>> 0 : 0;
    }
    this.#write(d, `${lo}`, `${hi}`);
  }

  #condSelect(w: number): void {
    const sf = w >>> 31, op = (w >>> 30) & 1, o2 = (w >>> 10) & 1;
    const cond = (w >>> 12) & 15;
    const d = (w & 31) === 31 ? R_DISCARD : w & 31;
    const n = (w >>> 5) & 31, m = (w >>> 16) & 31;
    const nl = this.#lo(n), nh = this.#hi(n), ml = this.#lo(m), mh = this.#hi(m);
    this.#emit(
      `{ const v = nz; let rl, rh; if (${condExpr(cond, "v")}) { rl = ${nl}; rh = ${nh}; } else {`,
    );
    if (sf === 1) {
      if (op === 0 && o2 === 0) this.#emit(`rl = ${ml}; rh = ${mh};`);
      else if (op === 0) {
        this.#emit(
          `const t = ${ml} + 1; rl = t >>> 0; rh = (${mh} + (t > 0xffffffff ? 1 : 0)) >>> 0;`,
        );
      } else if (o2 === 0) this.#emit(`rl = ~${ml} >>> 0; rh = ~${mh} >>> 0;`);
      else {
        this.#emit(
          `const t = (~${ml} >>> 0) + 1; rl = t >>> 0; rh = ((~${mh} >>> 0) + (t > 0xffffffff ? 1 : 0)) >>> 0;`,
        );
      }
    } else {
      const e = op === 0
        ? (o2 === 0 ? ml : `(${ml} + 1) >>> 0`)
        : o2 === 0
        ? `~${ml} >>> 0`
        : `(0 - ${ml}) >>> 0`;
      this.#emit(`rl = ${e}; rh = 0;`);
    }
    this.#emit("}");
    this.#write(d, "rl", sf === 1 ? "rh" : "0");
    this.#emit("}");
  }

  #mulAdd(w: number): void {
    const sf = w >>> 31, sub = (w & (1 << 15)) !== 0;
    const d = (w & 31) === 31 ? R_DISCARD : w & 31;
    const n = (w >>> 5) & 31, m = (w >>> 16) & 31, a = (w >>> 10) & 31;
    if (sf === 1) {
      // Low 64 bits of the product, inline (a call would box its uint32
      // arguments): the 32x32 product of the low halves from 16-bit limbs
      // (exact in doubles), plus the low 32 bits of the two cross products.
      const nl = this.#lo(n), nh = this.#hi(n), ml = this.#lo(m), mh = this.#hi(m);
      this.#emit(
        `{ const a0 = ${nl} & 0xffff, a1 = ${nl} >>> 16, b0 = ${ml} & 0xffff, b1 = ${ml} >>> 16; ` +
          `const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0; ` +
          `const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff); ` +
          `const pl = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0; ` +
          `const ph = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + ` +
          `Math.imul(${nl}, ${mh}) + Math.imul(${nh}, ${ml})) >>> 0;`,
      );
      const al = this.#lo(a), ah = this.#hi(a);
      this.#emit(
        sub
          ? `const t = ${al} - pl; const rl = t >>> 0; const rh = (${ah} - ph - (t < 0 ? 1 : 0)) >>> 0;`
          : `const t = ${al} + pl; const rl = t >>> 0; const rh = (${ah} + ph + (t > 0xffffffff ? 1 : 0)) >>> 0;`,
      );
      this.#write(d, "rl", "rh");
    } else {
      const p = `Math.imul(${this.#lo(n)}, ${this.#lo(m)})`;
      this.#emit(`{ const rl = (${this.#lo(a)} ${sub ? "-" : "+"} ${p}) >>> 0;`);
      this.#write(d, "rl", "0");
    }
    this.#emit("}");
  }

  /** Code run after a slow-path memory access: leave if code was invalidated or an interrupt is due. */
  #afterSlowAccess(): string {
    return `if (!blk.valid || (cpu.irqLine && (cpu.daif & 0x80) === 0) || ` +
      `(cpu.fiqLine && (cpu.daif & 0x40) === 0)) brk = true;`;
  }

  #loadStore(w: number, i: number): void {
    this.#usesTlb = true;
    const size = w >>> 30, opc = (w >>> 22) & 3, bytes = 1 << size;
    const rn = (w >>> 5) & 31, t = w & 31;
    const off = ((w >>> 10) & 0xfff) << size;
    const base = rn === 31 ? R_SP : rn;
    if (rn === 31) {
      this.#emit(`if ((xl[32] & 0xf) !== 0) { ${this.#mayThrow(i)} checkSpAlignment(cpu); }`);
    }
    this.#emit(
      `{ const s = ${this.#lo(base)} + ${off}; const al = s >>> 0; ` +
        `const ah = (${this.#hi(base)} + (s > 0xffffffff ? 1 : 0)) >>> 0; ` +
        `const vpn = al >>> 12, ti = vpn & 1023, m = tmap[ti];`,
    );
    const hit = `m !== null && ttagLo[ti] === vpn && ttagHi[ti] === (ah | 0) && ` +
      `(tasid[ti] === asid || tasid[ti] === -1) && (al & ${bytes - 1}) === 0`;
    if (opc === 0) {
      const vl = this.#lo(t), vh = this.#hi(t);
      const put = bytes === 8
        ? `dv.setUint32(o, ${vl}, true); dv.setUint32(o + 4, ${vh}, true);`
        : bytes === 4
        ? `dv.setUint32(o, ${vl}, true);`
        : bytes === 2
        ? `dv.setUint16(o, ${vl}, true);`
        : `dv.setUint8(o, ${vl});`;
      const throwCode = this.#mayThrow(i);
      this.#emit(
        `if (${hit} && (tperm[ti] & needW) !== 0 && tmarks[ti][tmarkIndex[ti]] === 0) { ` +
          `const dv = m.view, o = toff[ti] + (al & 0xfff); ${put} } else { ${throwCode} ` +
          `writeMem(cpu, al, ah, ${bytes}, ${vl}, ${vh}, 0); ${this.#afterSlowAccess()} } }`,
      );
    } else {
      const get = bytes === 8
        ? `vl = dv.getUint32(o, true); vh = dv.getUint32(o + 4, true);`
        : bytes === 4
        ? `vl = dv.getUint32(o, true);`
        : bytes === 2
        ? `vl = dv.getUint16(o, true);`
        : `vl = dv.getUint8(o);`;
      const throwCode = this.#mayThrow(i);
      this.#emit(
        `let vl = 0, vh = 0; if (${hit} && (tperm[ti] & needR) !== 0) { ` +
          `const dv = m.view, o = toff[ti] + (al & 0xfff); ${get} } else { ${throwCode} ` +
          `vl = readMem(cpu, al, ah, ${bytes}, 0); vh = cpu.memHi; ${this.#afterSlowAccess()} }`,
      );
      const d = t === 31 ? R_DISCARD : t;
      if (size === 3) this.#write(d, "vl", "vh");
      else if (opc === 1) this.#write(d, "vl", "0");
      else {
        const sh = 32 - (8 << size);
        this.#emit(`const sv = ${sh === 0 ? "vl | 0" : `(vl << ${sh}) >> ${sh}`};`);
        this.#write(d, "sv >>> 0", opc === 2 ? "(sv >> 31) >>> 0" : "0");
      }
      this.#emit("}");
    }
    this.#emit(`if (brk) { ${this.#exitTo(4 * (i + 1), i + 1)} }`);
  }

  /**
   * Base register field `rn` (31 = SP, alignment-checked) as [lo, hi]
   * expressions; emits the SP alignment check for instruction `i`.
   */
  #base(rn: number, i: number): [string, string] {
    if (rn !== 31) return [this.#lo(rn), this.#hi(rn)];
    this.#emit(`if ((xl[32] & 0xf) !== 0) { ${this.#mayThrow(i)} checkSpAlignment(cpu); }`);
    return ["xl[32]", "xh[32]"];
  }

  /**
   * Emit `const al, ah` = [bl, bh] + a signed constant `off` (|off| < 2^16),
   * inside an open scope.
   */
  #addressImm(bl: string, bh: string, off: number): void {
    if (off === 0) {
      this.#emit(`const al = ${bl}, ah = ${bh};`);
      return;
    }
    const t = this.#t();
    this.#emit(
      `const ${t} = ${bl} + ${off}; const al = ${t} >>> 0; ` +
        `const ah = (${bh} + (${t} > 0xffffffff ? 1 : ${t} < 0 ? -1 : 0)) >>> 0;`,
    );
  }

  /** The inline TLB probe of [al, ah] and its hit condition for an access of `bytes`, `span` in one page. */
  #probe(bytes: number, span: number): string {
    this.#usesTlb = true;
    this.#emit("const vpn = al >>> 12, ti = vpn & 1023, m = tmap[ti];");
    const inPage = span > bytes ? ` && (al & 0xfff) <= ${4096 - span}` : "";
    return `m !== null && ttagLo[ti] === vpn && ttagHi[ti] === (ah | 0) && ` +
      `(tasid[ti] === asid || tasid[ti] === -1) && (al & ${bytes - 1}) === 0${inPage}`;
  }

  /** Fast-path RAM load of `bytes` at `o` into `vl`/`vh` (names) from `dv`. */
  static #get(bytes: number, o: string, vl: string, vh: string): string {
    return bytes === 8
      ? `${vl} = dv.getUint32(${o}, true); ${vh} = dv.getUint32(${o} + 4, true);`
      : bytes === 4
      ? `${vl} = dv.getUint32(${o}, true);`
      : bytes === 2
      ? `${vl} = dv.getUint16(${o}, true);`
      : `${vl} = dv.getUint8(${o});`;
  }

  /** Fast-path RAM store of `bytes` from `vl`/`vh` (expressions) at `o` into `dv`. */
  static #put(bytes: number, o: string, vl: string, vh: string): string {
    return bytes === 8
      ? `dv.setUint32(${o}, ${vl}, true); dv.setUint32(${o} + 4, ${vh}, true);`
      : bytes === 4
      ? `dv.setUint32(${o}, ${vl}, true);`
      : bytes === 2
      ? `dv.setUint16(${o}, ${vl}, true);`
      : `dv.setUint8(${o}, ${vl});`;
  }

  /** Write a loaded value (`vl`/`vh` names) to Rt per size and opc (sign extension). */
  #writeLoaded(t: number, size: number, opc: number, vl: string, vh: string): void {
    const d = t === 31 ? R_DISCARD : t;
    if (size === 3) this.#write(d, vl, vh);
    else if (opc === 1) this.#write(d, vl, "0");
    else {
      const sh = 32 - (8 << size), sv = this.#t();
      this.#emit(`const ${sv} = ${sh === 0 ? `${vl} | 0` : `(${vl} << ${sh}) >> ${sh}`};`);
      this.#write(d, `${sv} >>> 0`, opc === 2 ? `(${sv} >> 31) >>> 0` : "0");
    }
  }

  /**
   * LDUR/STUR, LDR/STR pre/post-indexed and register offset (one general
   * register): inline TLB hit, else readMem/writeMem as the interpreter.
   */
  #loadStoreSingle(w: number, i: number): void {
    const size = w >>> 30, opc = (w >>> 22) & 3, bytes = 1 << size;
    const rn = (w >>> 5) & 31, t = w & 31;
    const regOffset = (w & (1 << 21)) !== 0, mode = (w >>> 10) & 3;
    const imm9 = (w << 11) >> 23;
    // Operands first (register loads must not be emitted inside a branch).
    let ml = "", mh = "";
    if (regOffset) {
      const m = (w >>> 16) & 31, option = (w >>> 13) & 7;
      const sh = (w & (1 << 12)) !== 0 ? size : 0;
      if (option === 3 || option === 7) [ml, mh] = this.#shift64(m, 0, sh);
      else {
        const l = this.#lo(m);
        const h = option === 6 ? `((${l} >> 31) >>> 0)` : "0";
        [ml, mh] = shiftHalves(l, h, 0, sh);
      }
    }
    const [bl, bh] = this.#base(rn, i);
    const vtl = opc === 0 ? this.#lo(t) : "", vth = opc === 0 ? this.#hi(t) : "";
    this.#emit("{");
    if (regOffset) {
      const s = this.#t();
      this.#emit(
        `const ${s} = ${bl} + (${ml}); const al = ${s} >>> 0; ` +
          `const ah = (${bh} + (${mh}) + (${s} > 0xffffffff ? 1 : 0)) >>> 0;`,
      );
    } else this.#addressImm(bl, bh, mode === 1 ? 0 : imm9); // post-index: the base itself
    const hit = this.#probe(bytes, bytes);
    const throwCode = this.#mayThrow(i);
    if (opc === 0) {
      this.#emit(
        `if (${hit} && (tperm[ti] & needW) !== 0 && tmarks[ti][tmarkIndex[ti]] === 0) { ` +
          `const dv = m.view, o = toff[ti] + (al & 0xfff); ${
            Emitter.#put(bytes, "o", vtl, vth)
          } } else { ${throwCode} ` +
          `writeMem(cpu, al, ah, ${bytes}, ${vtl}, ${vth}, 0); ${this.#afterSlowAccess()} }`,
      );
    } else {
      this.#emit(
        `let vl = 0, vh = 0; if (${hit} && (tperm[ti] & needR) !== 0) { ` +
          `const dv = m.view, o = toff[ti] + (al & 0xfff); ${
            Emitter.#get(bytes, "o", "vl", "vh")
          } } else { ${throwCode} ` +
          `vl = readMem(cpu, al, ah, ${bytes}, 0); vh = cpu.memHi; ${this.#afterSlowAccess()} }`,
      );
      this.#writeLoaded(t, size, opc, "vl", "vh");
    }
    if (!regOffset && mode !== 0) this.#writeBase(rn, mode === 1 ? imm9 : 0);
    this.#emit("}");
    this.#emit(`if (brk) { ${this.#exitTo(4 * (i + 1), i + 1)} }`);
  }

  /** Writeback of pre/post-indexing: base = [al, ah] + `off` (after the access; the address wins over Rt). */
  #writeBase(rn: number, off: number): void {
    const slot = rn === 31 ? R_SP : rn;
    if (off === 0) {
      this.#write(slot, "al", "ah");
      return;
    }
    const t = this.#t();
    this.#emit(`const ${t} = al + ${off};`);
    this.#write(
      slot,
      `${t} >>> 0`,
      `(ah + (${t} > 0xffffffff ? 1 : ${t} < 0 ? -1 : 0)) >>> 0`,
    );
  }

  /** LDP/STP/LDNP/STNP of W or X registers (both accesses in one page inline; else as the interpreter). */
  #loadStorePair(w: number, i: number): void {
    const wide = (w >>> 30) === 2, bytes = wide ? 8 : 4;
    const load = (w & (1 << 22)) !== 0, mode = (w >>> 23) & 3;
    const t = w & 31, t2 = (w >>> 10) & 31, rn = (w >>> 5) & 31;
    const offset = ((w << 10) >> 25) * bytes;
    const [bl, bh] = this.#base(rn, i);
    const v1l = load ? "" : this.#lo(t), v1h = load ? "" : this.#hi(t);
    const v2l = load ? "" : this.#lo(t2), v2h = load ? "" : this.#hi(t2);
    this.#emit("{");
    this.#addressImm(bl, bh, mode === 1 ? 0 : offset);
    const hit = this.#probe(bytes, 2 * bytes);
    const throwCode = this.#mayThrow(i);
    const second =
      `const bl = (al + ${bytes}) >>> 0, bh = (ah + (al + ${bytes} > 0xffffffff ? 1 : 0)) >>> 0;`;
    if (!load) {
      this.#emit(
        `if (${hit} && (tperm[ti] & needW) !== 0 && tmarks[ti][tmarkIndex[ti]] === 0) { ` +
          `const dv = m.view, o = toff[ti] + (al & 0xfff); ${Emitter.#put(bytes, "o", v1l, v1h)} ${
            Emitter.#put(bytes, `o + ${bytes}`, v2l, v2h)
          } } else { ${throwCode} ${second} ` +
          `writeMem(cpu, al, ah, ${bytes}, ${v1l}, ${v1h}, 0); ` +
          `writeMem(cpu, bl, bh, ${bytes}, ${v2l}, ${v2h}, 0); ${this.#afterSlowAccess()} }`,
      );
    } else {
      const hiRead = wide ? "cpu.memHi" : "0";
      this.#emit(
        `let vl = 0, vh = 0, wl = 0, wh = 0; if (${hit} && (tperm[ti] & needR) !== 0) { ` +
          `const dv = m.view, o = toff[ti] + (al & 0xfff); ${
            Emitter.#get(bytes, "o", "vl", "vh")
          } ${Emitter.#get(bytes, `o + ${bytes}`, "wl", "wh")} } else { ${throwCode} ${second} ` +
          `vl = readMem(cpu, al, ah, ${bytes}, 0); vh = ${hiRead}; ` +
          `wl = readMem(cpu, bl, bh, ${bytes}, 0); wh = ${hiRead}; ${this.#afterSlowAccess()} }`,
      );
      this.#write(t === 31 ? R_DISCARD : t, "vl", wide ? "vh" : "0");
      this.#write(t2 === 31 ? R_DISCARD : t2, "wl", wide ? "wh" : "0");
    }
    if (mode === 1) this.#writeBase(rn, offset);
    else if (mode === 3) this.#writeBase(rn, 0);
    this.#emit("}");
    this.#emit(`if (brk) { ${this.#exitTo(4 * (i + 1), i + 1)} }`);
  }

  /** SBFM/UBFM, both widths (every alias), as a constant field extract/insert. */
  #bitfield(w: number): void {
    const sf = w >>> 31, signed = ((w >>> 29) & 3) === 0;
    const immr = (w >>> 16) & 63, imms = (w >>> 10) & 63;
    const d = (w & 31) === 31 ? R_DISCARD : w & 31;
    const n = (w >>> 5) & 31;
    const size = sf === 1 ? 64 : 32;
    let lsb: number, width: number, pos: number;
    if (imms >= immr) {
      lsb = immr;
      width = imms - immr + 1;
      pos = 0;
    } else {
      lsb = 0;
      width = imms + 1;
      pos = size - immr;
    }
    const top = pos + width;
    if (sf === 0) {
      const v = this.#lo(n);
      const field = `((${v} >>> ${lsb}) & ${ones32(width)})`;
      this.#emit(`{ const rl = (${field} << ${pos}) >>> 0;`);
      if (signed && top < 32) {
        this.#emit(
          `const r2 = ((${v} >>> ${imms}) & 1) !== 0 ? (rl | ${~ones32(top) >>> 0}) >>> 0 : rl;`,
        );
        this.#write(d, "r2", "0");
      } else this.#write(d, "rl", "0");
      this.#emit("}");
      return;
    }
    const l = this.#lo(n), h = this.#hi(n);
    let [fl, fh] = shiftHalves(l, h, 1, lsb);
    if (width < 32) {
      fl = `((${fl}) & ${ones32(width)})`;
      fh = "0";
    } else if (width < 64) fh = `((${fh}) & ${ones32(width - 32)})`;
    this.#emit(`{ const fl = ${fl}, fh = ${fh};`);
    const [pl, ph] = shiftHalves("fl", "fh", 0, pos);
    this.#emit(`let rl = ${pl === "fl" ? "fl" : pl}, rh = ${ph};`);
    if (signed && top < 64) {
      const neg = imms >= 32 ? `((${h} >>> ${imms - 32}) & 1)` : `((${l} >>> ${imms}) & 1)`;
      const fillLo = top >= 32 ? 0 : ~ones32(top) >>> 0;
      const fillHi = top > 32 ? ~ones32(top - 32) >>> 0 : 0xffffffff;
      this.#emit(
        `if (${neg} !== 0) { rl = (rl | ${fillLo}) >>> 0; rh = (rh | ${fillHi}) >>> 0; }`,
      );
    }
    this.#write(d, "rl", "rh");
    this.#emit("}");
  }

  #generic(ins: BlockInsn, i: number): void {
    const regs = fieldRegisters(ins.word);
    for (const r of regs) {
      if (this.#dirty[r]) {
        this.#emit(`xl[${r}] = l${r}; xh[${r}] = h${r};`);
        this.#dirty[r] = false;
      }
    }
    const h = this.#handlers.length;
    this.#handlers.push(ins.handler);
    this.#emit(`${this.#mayThrow(i)} H${h}(cpu, ${ins.word | 0});`);
    // Reload what the handler may have written, so every local stays current.
    let reload = "nz = cpu.nzcv; ";
    for (const r of regs) {
      reload += `l${r} = xl[${r}]; h${r} = xh[${r}]; `;
      this.#used.add(r);
      this.#valid[r] = true;
    }
    this.#emit(reload);
    if (ins.op === Op.GenericMemory) {
      this.#emit(`${this.#afterSlowAccess()} if (brk) { ${this.#exitTo(4 * (i + 1), i + 1)} }`);
    }
  }

  // -- branches (the last instruction) ---------------------------------------

  /** Code for "branch taken to block start + off" after `k` instructions. */
  #taken(off: number, k: number): string {
    if (off === 0 && this.#loop) {
      // Back to the first instruction (registers stay in locals), unless the
      // pass would cross `stop`, the block was invalidated or an interrupt is due.
      return `n += ${k}; if (n + ${k} > stop || !blk.valid || ` +
        `(cpu.irqLine && (cpu.daif & 0x80) === 0) || (cpu.fiqLine && (cpu.daif & 0x40) === 0)) ` +
        `{ ${this.#exitTo(0, 0)} } continue;`;
    }
    return this.#exitTo(off, k);
  }

  #branch(ins: BlockInsn, i: number): void {
    const w = ins.word, k = i + 1, here = 4 * i;
    switch (ins.op) {
      case Op.B: {
        const off = here + ((w << 6) >> 6) * 4;
        if ((w >>> 31) === 1) { // BL: X30 = PC + 4
          const t = this.#t();
          this.#emit(`const ${t} = pc0 + ${here + 4};`);
          this.#write(30, `${t} >>> 0`, `(ph + (${t} > 0xffffffff ? 1 : 0)) >>> 0`);
        }
        this.#emit(this.#taken(off, k));
        return;
      }
      case Op.BCond: {
        const off = here + ((w << 8) >> 13) * 4;
        this.#emit(
          `{ const v = nz; if (${condExpr(w & 15, "v")}) { ${this.#taken(off, k)} } }`,
        );
        this.#emit(this.#exitTo(here + 4, k));
        return;
      }
      case Op.CompareBranch: {
        const off = here + ((w << 8) >> 13) * 4;
        const r = w & 31, nz = (w & (1 << 24)) !== 0;
        const zero = (w >>> 31) === 1
          ? `(${this.#lo(r)} | ${this.#hi(r)}) === 0`
          : `${this.#lo(r)} === 0`;
        this.#emit(`if (${nz ? `!(${zero})` : zero}) { ${this.#taken(off, k)} }`);
        this.#emit(this.#exitTo(here + 4, k));
        return;
      }
      case Op.TestBranch: {
        const off = here + ((w << 13) >> 18) * 4;
        const r = w & 31, nz = (w & (1 << 24)) !== 0;
        const bit = ((w >>> 31) << 5) | ((w >>> 19) & 31);
        const v = bit < 32
          ? `((${this.#lo(r)} >>> ${bit}) & 1)`
          : `((${this.#hi(r)} >>> ${bit - 32}) & 1)`;
        this.#emit(`if (${v} ${nz ? "!==" : "==="} 0) { ${this.#taken(off, k)} }`);
        this.#emit(this.#exitTo(here + 4, k));
        return;
      }
      case Op.BranchReg: {
        const r = (w >>> 5) & 31, link = ((w >>> 21) & 3) === 1;
        this.#emit(`{ const gl = ${this.#lo(r)}, gh = ${this.#hi(r)};`);
        if (link) {
          const t = this.#t();
          this.#emit(`const ${t} = pc0 + ${here + 4};`);
          this.#write(30, `${t} >>> 0`, `(ph + (${t} > 0xffffffff ? 1 : 0)) >>> 0`);
        }
        this.#emit(
          `${this.#writeback} cpu.nzcv = nz; cpu.pcLo = gl; cpu.pcHi = gh; ` +
            `cpu.retiredTotal = n + ${k}; return; }`,
        );
        return;
      }
    }
  }

  // -- the block ---------------------------------------------------------------

  build(): EmittedBlock {
    const insns = this.insns;
    const last = insns.length - 1;
    const lastIns = insns[last];
    this.#loop = isTerminator(lastIns.op) && targetsBlockStart(lastIns, last);
    const flagsLive = flagLiveness(insns);
    // Probe pass: the registers the block uses (all loaded in the prologue)
    // and writes (all written back at the one exit and in the catch). In a
    // loop they are dirty at the head (written by the previous pass).
    const probe = new Emitter(insns, this.startOffset);
    probe.#body(flagsLive, true);
    const regs = [...probe.#used].sort((a, b) => a - b);
    const written = regs.filter((r) => probe.#everDirty.has(r));
    for (const r of regs) {
      this.#valid[r] = true;
      this.#used.add(r);
    }
    if (this.#loop) { for (const r of written) this.#dirty[r] = true; }
    this.#writeback = written.map((r) => `xl[${r}] = l${r}; xh[${r}] = h${r};`).join(" ");
    this.#body(flagsLive, false);
    const decl = regs.map((r) => `l${r} = 0, h${r} = 0`).join(", ");
    const prologue = regs.map((r) => `l${r} = xl[${r}]; h${r} = xh[${r}];`).join(" ");
    const tlb = this.#usesTlb
      ? "const tlb = cpu.sys.tlb, tmap = tlb.map, ttagLo = tlb.tagLo, ttagHi = tlb.tagHi, " +
        "tasid = tlb.asid, tperm = tlb.perm, toff = tlb.off, tmarks = tlb.marks, " +
        "tmarkIndex = tlb.markIndex, asid = tlb.curAsid; const el0 = cpu.el === 0; " +
        "const needR = el0 ? 1 : 8, needW = el0 ? 2 : 16;"
      : "";
    const handlers = this.#handlers.map((_, i) => `H${i} = H[${i}]`).join(", ");
    const source = `"use strict";
const { readMem, writeMem, checkSpAlignment } = D;
${handlers.length > 0 ? `const ${handlers};` : ""}
return function block(cpu, stop, blk) {
const xl = cpu.xlo, xh = cpu.xhi, pc0 = cpu.pcLo, ph = cpu.pcHi;
let n = cpu.retiredTotal, ii = 0, brk = false, po = 0, kk = 0, nz = cpu.nzcv;
${decl.length > 0 ? `let ${decl};` : ""}
${tlb}
${prologue}
try {
pass: for (;;) {
${this.#out.join("\n")}
}
} catch (e) {
${this.#writeback} cpu.nzcv = nz;
cpu.retiredTotal = n + ii;
throw e;
}
${this.#writeback} cpu.nzcv = nz;
const pe = pc0 + po; cpu.pcLo = pe >>> 0;
if (pe > 0xffffffff) cpu.pcHi = (ph + 1) >>> 0; else if (pe < 0) cpu.pcHi = (ph - 1) >>> 0;
cpu.retiredTotal = n + kk;
};`;
    return { source, handlers: this.#handlers, length: insns.length };
  }

  readonly #everDirty = new Set<number>();

  #body(flagsLive: boolean[], probeOnly: boolean): void {
    const insns = this.insns;
    for (let i = 0; i < insns.length; i++) {
      const ins = insns[i];
      switch (ins.op) {
        case Op.Nop:
          break;
        case Op.AddSubImm:
          this.#addSubImm(ins.word, flagsLive[i]);
          break;
        case Op.AddSubShifted:
          this.#addSubShifted(ins.word, flagsLive[i]);
          break;
        case Op.LogicalImm:
          this.#logicalImm(ins.word, flagsLive[i]);
          break;
        case Op.LogicalShifted:
          this.#logicalShifted(ins.word, flagsLive[i]);
          break;
        case Op.MoveWide:
          this.#moveWide(ins.word);
          break;
        case Op.CondSelect:
          this.#condSelect(ins.word);
          break;
        case Op.MulAdd:
          this.#mulAdd(ins.word);
          break;
        case Op.LoadStoreUImm:
          this.#loadStore(ins.word, i);
          break;
        case Op.LoadStoreSingle:
          this.#loadStoreSingle(ins.word, i);
          break;
        case Op.LoadStorePair:
          this.#loadStorePair(ins.word, i);
          break;
        case Op.Bitfield:
          this.#bitfield(ins.word);
          break;
        case Op.AddSubExtended:
          this.#addSubExtended(ins.word, flagsLive[i]);
          break;
        case Op.AddSubCarry:
          this.#addSubCarry(ins.word, flagsLive[i]);
          break;
        case Op.Generic:
        case Op.GenericMemory:
        case Op.PcRelative:
        case Op.DataProcessing2:
        case Op.ConditionalCompare:
        case Op.Extract:
          this.#generic(ins, i);
          break;
        default:
          if (!probeOnly) this.#branch(ins, i);
          else if (ins.op === Op.B && (ins.word >>> 31) === 1) this.#write(30, "0", "0");
          else if (ins.op === Op.BranchReg) {
            this.#lo((ins.word >>> 5) & 31);
            if (((ins.word >>> 21) & 3) === 1) this.#write(30, "0", "0"); // BLR
          } else if (ins.op === Op.CompareBranch || ins.op === Op.TestBranch) {
            this.#lo(ins.word & 31);
          }
      }
      for (let r = 0; r < 31; r++) if (this.#dirty[r]) this.#everDirty.add(r);
    }
    if (!isTerminator(insns[insns.length - 1].op) && !probeOnly) {
      this.#emit(this.#exitTo(4 * insns.length, insns.length));
    }
  }
}

/**
 * Emit the block for `insns` (all in one page; the first at byte
 * `startOffset` of the page). The last instruction may be a branch; any
 * other end leaves the block at the next instruction.
 */
export function emitBlock(insns: readonly BlockInsn[], startOffset: number): EmittedBlock {
  return new Emitter(insns, startOffset).build();
}
