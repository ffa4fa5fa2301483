/**
 * The WebAssembly backend: turns a run of A64 instructions of one code page
 * (classified by ../emit.ts's frontend) into one WebAssembly module whose
 * exported function runs the block. The same contract as the JavaScript
 * backend (../block.ts), with native i64 arithmetic and one fast compile
 * tier (V8's Liftoff) instead of per-function JavaScript tiering.
 *
 * The function `b() -> retired` reads its inputs (PC, NZCV, budget, ASID,
 * EL) from the exchange words:
 * - memory 0 is the vCPU's state memory (cpu/state_memory.ts): registers,
 *   exchange words, TLB columns; memory 1 the vCPU's Wasm RAM memory (the
 *   TLB's `wasmRam`); memory 2 the code-mark memory (mmu/code_pages.ts).
 * - X0..X30 live in i64 locals, loaded in the prologue for every register
 *   the block uses and written back at the one exit and before every call
 *   (a call may throw a guest exception, which unwinds through the block).
 *   SP (slot 32) is always read and written in the state memory.
 * - NZCV lives in an i32 local in the architectural bit layout; flag-setting
 *   instructions compute it only where it is live (../emit.ts liveness).
 * - Loads and stores probe the TLB inline (tag, ASID, alignment, permission
 *   for the EL, a page of the Wasm RAM memory and, for stores, no code mark)
 *   and access memory 1 directly; otherwise the block calls `rd`/`wr` (the
 *   interpreter's readMem/writeMem through ./glue.ts) with PC, NZCV and the
 *   retired count of the instruction in the exchange words, and leaves after
 *   the instruction if the call invalidated the block or raised an unmasked
 *   interrupt line (the glue's verdict in STATE_SCRATCH).
 * - On exit the block stores NZCV and PC in the exchange words and returns
 *   the instructions it retired (passes of a self-loop included, never past
 *   `budget`).
 *
 * @module
 */
import type { Handler } from "../../decode/entry.ts";
import { BITMASK_HI, BITMASK_LO } from "../../isa/integer/bitmask_immediate.ts";
import {
  STATE_ASID,
  STATE_BUDGET,
  STATE_EL0,
  STATE_MEM_HI,
  STATE_NZCV,
  STATE_PC_HI,
  STATE_PC_LO,
  STATE_RETIRED,
  STATE_SCRATCH,
  STATE_X_HI,
  STATE_X_LO,
  TLB_ASID,
  TLB_MARK_ADDRESS,
  TLB_PERM,
  TLB_TAG_HI,
  TLB_TAG_LO,
  TLB_WASM_OFFSET,
} from "../../cpu/state_memory.ts";
import {
  type BlockInsn,
  fieldRegisters,
  flagLiveness,
  isTerminator,
  Op,
  targetsBlockStart,
} from "../emit.ts";
import {
  assembleModule,
  Bytes,
  type FunctionImport,
  type MemoryImport,
  VOID,
  W,
} from "./encoder.ts";

/** Exchange word: 1 when the last slow-path call asks the block to leave. */
export const STATE_LEAVE = STATE_SCRATCH;

/** The imports of every block module, in index order. */
export const BLOCK_MEMORIES: readonly MemoryImport[] = [
  { name: "s", shared: false, min: 1 },
  { name: "r", shared: true, min: 1, max: 65536 },
  { name: "k", shared: true, min: 1, max: 65536 },
];
/** rd(al, ah, bytes) -> low word; wr(al, ah, bytes, vl, vh); gen(handler id, word); spa(). */
export const BLOCK_FUNCTIONS: readonly FunctionImport[] = [
  { name: "rd", params: 3, result: true },
  { name: "wr", params: 5, result: false },
  { name: "gen", params: 2, result: false },
  { name: "spa", params: 0, result: false },
];
const F_RD = 0, F_WR = 1, F_GEN = 2, F_SPA = 3;
const M_STATE = 0, M_RAM = 1, M_MARKS = 2;

/** Emitted module bytes. */
export interface WasmBlock {
  readonly bytes: Uint8Array;
  /** Instructions in one pass. */
  readonly length: number;
}

const R_ZR = 31, R_SP = 32, R_DISCARD = 33;
// NZCV flag bits (N is bit 31, set by shifting a sign).
const Z = 0x40000000, C = 0x20000000, V = 0x10000000;

// Locals: i32 (inputs, then scratch), then i64 (registers and scratch). No parameters:
// the inputs come from the exchange words.
const P_BUDGET = 3, P_ASID = 4;
const L_NZ = 6, L_N = 7, L_EK = 8, L_AL = 9, L_AH = 10, L_VPN = 11, L_TI = 12, L_WO = 13;
const L_BRK = 14, L_T = 15, L_NEEDR = 16, L_NEEDW = 17, L_A32 = 18, L_B32 = 19, L_R32 = 20;
const L_CIN = 21;
const I32_LOCALS = 22;
const L_X0 = I32_LOCALS; // x0..x30
const L_PC0 = L_X0 + 31, L_EPC = L_PC0 + 1, L_A = L_PC0 + 2, L_B = L_PC0 + 3, L_R = L_PC0 + 4;
const L_V = L_PC0 + 5, L_V2 = L_PC0 + 6, L_ADDR = L_PC0 + 7, L_PCT = L_PC0 + 8;
const L_SPT = L_PC0 + 9;
const I64_LOCALS = 31 + 10;

/** 32-bit mask of the low `n` bits. */
function ones(n: number): number {
  return n >= 32 ? 0xffffffff : ((1 << n) - 1) >>> 0;
}

class WasmEmitter {
  readonly c = new Bytes();
  readonly #labels: string[] = [];
  readonly #dirty = new Array<boolean>(31).fill(false);
  readonly used = new Set<number>();
  readonly written = new Set<number>();
  #loop = false;

  constructor(
    readonly insns: readonly BlockInsn[],
    /** Registers written anywhere in the block (from a first pass), dirty at a loop head. */
    readonly allWritten: ReadonlySet<number>,
    /** The translator-wide number of an interpreter handler (`gen`'s first argument). */
    readonly handlerId: (h: Handler) => number,
  ) {}

  // -- encoding helpers --------------------------------------------------------

  #op(o: number): void {
    this.c.byte(o);
  }
  #i32(v: number): void {
    this.c.byte(W.I32Const);
    this.c.s32(v);
  }
  #i64(lo: number, hi: number): void {
    this.c.byte(W.I64Const);
    this.c.s64(lo, hi);
  }
  #get(l: number): void {
    this.c.byte(W.LocalGet);
    this.c.u32(l);
  }
  #set(l: number): void {
    this.c.byte(W.LocalSet);
    this.c.u32(l);
  }
  #tee(l: number): void {
    this.c.byte(W.LocalTee);
    this.c.u32(l);
  }
  /** A load or store with alignment log2 `align`, memory `mem`, constant `offset`. */
  #mem(o: number, mem: number, align: number, offset: number): void {
    this.c.byte(o);
    if (mem === 0) this.c.u32(align);
    else {
      this.c.u32(align | 0x40);
      this.c.u32(mem);
    }
    this.c.u32(offset);
  }
  #call(f: number): void {
    this.c.byte(W.Call);
    this.c.u32(f);
  }
  #open(kind: number, label: string): void {
    this.c.byte(kind);
    this.c.byte(VOID);
    this.#labels.push(label);
  }
  #else(): void {
    this.c.byte(W.Else);
  }
  #end(): void {
    this.c.byte(W.End);
    this.#labels.pop();
  }
  #br(label: string, cond = false): void {
    const i = this.#labels.lastIndexOf(label);
    if (i < 0) throw new Error(`no label ${label}`);
    this.c.byte(cond ? W.BrIf : W.Br);
    this.c.u32(this.#labels.length - 1 - i);
  }

  // -- registers ---------------------------------------------------------------

  /** Push X[r] (i64): 31 = zero, 32 = SP from the state memory. */
  #x(r: number): void {
    if (r === R_ZR) {
      this.#i64(0, 0);
      return;
    }
    if (r === R_SP) {
      this.#loadHalves(STATE_X_LO + 4 * R_SP, STATE_X_HI + 4 * R_SP);
      return;
    }
    this.used.add(r);
    this.#get(L_X0 + r);
  }

  /** Push W[r] (i32). */
  #w(r: number): void {
    if (r === R_ZR) {
      this.#i32(0);
      return;
    }
    this.#x(r);
    this.#op(W.I32WrapI64);
  }

  /** Pop an i64 into X[r] (33/31 = discard, 32 = SP). */
  #setX(r: number): void {
    if (r === R_DISCARD || r === R_ZR) {
      this.#op(W.Drop);
      return;
    }
    if (r === R_SP) {
      this.#set(L_SPT);
      this.#storeHalves(L_SPT, STATE_X_LO + 4 * R_SP, STATE_X_HI + 4 * R_SP);
      return;
    }
    this.used.add(r);
    this.written.add(r);
    this.#dirty[r] = true;
    this.#set(L_X0 + r);
  }

  /** Pop an i32 into X[r], zero-extended. */
  #setW(r: number): void {
    this.#op(W.I64ExtendI32U);
    this.#setX(r);
  }

  /** Push the low half of i64 local `l` (i32). */
  #lowHalf(l: number): void {
    this.#get(l);
    this.#op(W.I32WrapI64);
  }

  /** Push the high half of i64 local `l` (i32). */
  #highHalf(l: number): void {
    this.#get(l);
    this.#i64(32, 0);
    this.#op(W.I64ShrU);
    this.#op(W.I32WrapI64);
  }

  /** Store i64 local `l` as two words of the state memory. */
  #storeHalves(l: number, lo: number, hi: number): void {
    this.#i32(0);
    this.#lowHalf(l);
    this.#mem(W.I32Store, M_STATE, 2, lo);
    this.#i32(0);
    this.#highHalf(l);
    this.#mem(W.I32Store, M_STATE, 2, hi);
  }

  /** Push the i64 made of two words of the state memory. */
  #loadHalves(lo: number, hi: number): void {
    this.#i32(0);
    this.#mem(W.I64Load32U, M_STATE, 2, lo);
    this.#i32(0);
    this.#mem(W.I64Load32U, M_STATE, 2, hi);
    this.#i64(32, 0);
    this.#op(W.I64Shl);
    this.#op(W.I64Or);
  }

  /** i32 local `l` = the state memory's word at `offset`. */
  #loadWord(offset: number, l: number): void {
    this.#i32(0);
    this.#mem(W.I32Load, M_STATE, 2, offset);
    this.#set(l);
  }

  /** The state memory's word at `offset` = i32 local `l`. */
  #storeWord(offset: number, l: number): void {
    this.#i32(0);
    this.#get(l);
    this.#mem(W.I32Store, M_STATE, 2, offset);
  }

  /** Store local register r to the state memory. */
  #storeReg(r: number): void {
    this.#storeHalves(L_X0 + r, STATE_X_LO + 4 * r, STATE_X_HI + 4 * r);
  }

  #loadReg(r: number): void {
    this.#loadHalves(STATE_X_LO + 4 * r, STATE_X_HI + 4 * r);
    this.#set(L_X0 + r);
  }

  /** Write back every dirty register; `clear` marks them clean (an unconditional path). */
  #writeBackDirty(clear: boolean): void {
    for (let r = 0; r < 31; r++) {
      if (!this.#dirty[r]) continue;
      this.#storeReg(r);
      if (clear) this.#dirty[r] = false;
    }
  }

  /**
   * Before a call that may throw or runs a handler (instruction `i`): dirty
   * registers, NZCV, PC of the instruction and the retired count to the
   * state memory.
   */
  #beforeCall(i: number, clear: boolean): void {
    this.#writeBackDirty(clear);
    this.#storeWord(STATE_NZCV, L_NZ);
    this.#pcAt(4 * i);
    this.#i32(0);
    this.#get(L_N);
    this.#i32(i);
    this.#op(W.I32Add);
    this.#mem(W.I32Store, M_STATE, 2, STATE_RETIRED);
  }

  /** Add the signed constant `v` (|v| < 2^31) to the i64 on the stack (nothing for 0). */
  #addConst(v: number): void {
    if (v === 0) return;
    this.#i64(v, v < 0 ? -1 : 0);
    this.#op(W.I64Add);
  }

  /** Pre/post-index writeback after the access (the address wins over Rt): base = L_ADDR + off. */
  #writeBase(base: number, off: number): void {
    this.#get(L_ADDR);
    this.#addConst(off);
    this.#setX(base);
  }

  /** Store PC = pc0 + off into the exchange words. */
  #pcAt(off: number): void {
    this.#get(L_PC0);
    this.#addConst(off);
    this.#set(L_PCT);
    this.#storeHalves(L_PCT, STATE_PC_LO, STATE_PC_HI);
  }

  /** Leave through the one exit: PC = pc0 + off, k instructions of this pass retired. */
  #exitTo(off: number, k: number): void {
    this.#get(L_PC0);
    this.#addConst(off);
    this.#set(L_EPC);
    this.#get(L_N);
    this.#i32(k);
    this.#op(W.I32Add);
    this.#set(L_EK);
    this.#br("exit");
  }

  /** After a slow-path call: remember the glue's verdict on leaving. */
  #noteLeave(): void {
    this.#i32(0);
    this.#mem(W.I32Load, M_STATE, 2, STATE_LEAVE);
    this.#get(L_BRK);
    this.#op(W.I32Or);
    this.#set(L_BRK);
  }

  /** Leave after instruction i if a slow path asked to. */
  #leaveIfAsked(i: number): void {
    this.#get(L_BRK);
    this.#open(W.If, "if");
    this.#exitTo(4 * (i + 1), i + 1);
    this.#end();
  }

  // -- flags -------------------------------------------------------------------

  /** Push the condition `cond` on NZ as an i32 0/1. */
  #cond(cond: number): void {
    const base = cond >>> 1;
    if (base === 7) {
      this.#i32(1);
      return;
    }
    switch (base) {
      case 0:
      case 1:
      case 3:
        this.#get(L_NZ);
        this.#i32(base === 0 ? Z : base === 1 ? C : V);
        this.#op(W.I32And);
        this.#i32(0);
        this.#op(W.I32Ne);
        break;
      case 2:
        this.#get(L_NZ);
        this.#i32(0);
        this.#op(W.I32LtS);
        break;
      case 4:
        this.#get(L_NZ);
        this.#i32(C | Z);
        this.#op(W.I32And);
        this.#i32(C);
        this.#op(W.I32Eq);
        break;
      default: // 5 GE, 6 GT: N == V (and Z clear)
        this.#get(L_NZ);
        this.#i32(31);
        this.#op(W.I32ShrU);
        this.#get(L_NZ);
        this.#i32(28);
        this.#op(W.I32ShrU);
        this.#op(W.I32Xor);
        this.#i32(1);
        this.#op(W.I32And);
        this.#op(W.I32Eqz);
        if (base === 6) {
          this.#get(L_NZ);
          this.#i32(Z);
          this.#op(W.I32And);
          this.#op(W.I32Eqz);
          this.#op(W.I32And);
        }
    }
    if ((cond & 1) !== 0) this.#op(W.I32Eqz);
  }

  /**
   * R = A + B + cin (64-bit, locals), NZCV from it when `flags`. `cin` is 0,
   * 1 or -1 for the carry flag in L_CIN.
   */
  #add64(cin: number, flags: boolean): void {
    this.#get(L_A);
    this.#get(L_B);
    this.#op(W.I64Add);
    if (cin === 1) {
      this.#i64(1, 0);
      this.#op(W.I64Add);
    } else if (cin === -1) {
      this.#get(L_CIN);
      this.#op(W.I64ExtendI32U);
      this.#op(W.I64Add);
    }
    this.#set(L_R);
    if (!flags) return;
    this.#pushNZ(L_R, true);
    this.#carry64(cin); // C: R < A without carry in, R <= A with it
    this.#orBit(29);
    // V: ((A ^ R) & (B ^ R)) < 0
    this.#get(L_A);
    this.#get(L_R);
    this.#op(W.I64Xor);
    this.#get(L_B);
    this.#get(L_R);
    this.#op(W.I64Xor);
    this.#op(W.I64And);
    this.#i64(0, 0);
    this.#op(W.I64LtS);
    this.#orBit(28);
    this.#set(L_NZ);
  }

  /** Push N (bit 31) | Z (bit 30) of the result in local `l` (i64 when `wide`, else i32). */
  #pushNZ(l: number, wide: boolean): void {
    this.#get(l);
    if (wide) {
      this.#i64(0, 0);
      this.#op(W.I64LtS);
    } else {
      this.#i32(0);
      this.#op(W.I32LtS);
    }
    this.#i32(31);
    this.#op(W.I32Shl);
    this.#get(l);
    this.#op(wide ? W.I64Eqz : W.I32Eqz);
    this.#orBit(30);
  }

  /** OR the i32 0/1 on top of the stack, shifted to `bit`, into the flags below it. */
  #orBit(bit: number): void {
    this.#i32(bit);
    this.#op(W.I32Shl);
    this.#op(W.I32Or);
  }

  #carry64(cin: number): void {
    if (cin === -1) {
      this.#get(L_R);
      this.#get(L_A);
      this.#op(W.I64LeU);
      this.#get(L_R);
      this.#get(L_A);
      this.#op(W.I64LtU);
      this.#get(L_CIN);
      this.#op(W.Select);
      return;
    }
    this.#get(L_R);
    this.#get(L_A);
    this.#op(cin === 1 ? W.I64LeU : W.I64LtU);
  }

  /** R32 = A32 + B32 + cin, NZCV when `flags`. */
  #add32(cin: number, flags: boolean): void {
    this.#get(L_A32);
    this.#get(L_B32);
    this.#op(W.I32Add);
    if (cin === 1) {
      this.#i32(1);
      this.#op(W.I32Add);
    } else if (cin === -1) {
      this.#get(L_CIN);
      this.#op(W.I32Add);
    }
    this.#set(L_R32);
    if (!flags) return;
    this.#pushNZ(L_R32, false);
    if (cin === -1) {
      this.#get(L_R32);
      this.#get(L_A32);
      this.#op(W.I32LeU);
      this.#get(L_R32);
      this.#get(L_A32);
      this.#op(W.I32LtU);
      this.#get(L_CIN);
      this.#op(W.Select);
    } else {
      this.#get(L_R32);
      this.#get(L_A32);
      this.#op(cin === 1 ? W.I32LeU : W.I32LtU);
    }
    this.#orBit(29);
    this.#get(L_A32);
    this.#get(L_R32);
    this.#op(W.I32Xor);
    this.#get(L_B32);
    this.#get(L_R32);
    this.#op(W.I32Xor);
    this.#op(W.I32And);
    this.#i32(0);
    this.#op(W.I32LtS);
    this.#orBit(28);
    this.#set(L_NZ);
  }

  /** NZ of a logical result in L_R (64) or L_R32 (32); C and V cleared. */
  #logicalFlags(sf: number): void {
    this.#pushNZ(sf === 1 ? L_R : L_R32, sf === 1);
    this.#set(L_NZ);
  }

  // -- operands ----------------------------------------------------------------

  /** Push X[m] shifted by constant `n` (type 0 LSL, 1 LSR, 2 ASR, 3 ROR), 64-bit. */
  #shifted64(m: number, type: number, n: number): void {
    this.#x(m);
    if (n === 0) return;
    this.#i64(n, 0);
    this.#op(type === 0 ? W.I64Shl : type === 1 ? W.I64ShrU : type === 2 ? W.I64ShrS : W.I64Rotr);
  }

  #shifted32(m: number, type: number, n: number): void {
    this.#w(m);
    if (n === 0) return;
    this.#i32(n);
    this.#op(type === 0 ? W.I32Shl : type === 1 ? W.I32ShrU : type === 2 ? W.I32ShrS : W.I32Rotr);
  }

  /** Push X[m] extended by `option` (UXTB..SXTX) and shifted left by `amount` (i64). */
  #extended64(m: number, option: number, amount: number): void {
    this.#x(m);
    switch (option) {
      case 0:
        this.#i64(0xff, 0);
        this.#op(W.I64And);
        break;
      case 1:
        this.#i64(0xffff, 0);
        this.#op(W.I64And);
        break;
      case 2:
        this.#i64(0xffffffff, 0);
        this.#op(W.I64And);
        break;
      case 4:
        this.#op(W.I64Extend8S);
        break;
      case 5:
        this.#op(W.I64Extend16S);
        break;
      case 6:
        this.#op(W.I64Extend32S);
        break;
    }
    if (amount !== 0) {
      this.#i64(amount, 0);
      this.#op(W.I64Shl);
    }
  }

  // -- instruction classes -----------------------------------------------------

  #addSubImm(w: number, flagsLive: boolean): void {
    const sf = w >>> 31, sub = (w & (1 << 30)) !== 0, s = (w & (1 << 29)) !== 0;
    const d = s ? ((w & 31) === 31 ? R_DISCARD : w & 31) : ((w & 31) === 31 ? R_SP : w & 31);
    const n = ((w >>> 5) & 31) === 31 ? R_SP : (w >>> 5) & 31;
    let imm = (w >>> 10) & 0xfff;
    if ((w & (1 << 22)) !== 0) imm *= 4096;
    const flags = s && flagsLive;
    if (sf === 1) {
      this.#x(n);
      this.#set(L_A);
      if (sub) this.#i64(~imm, -1);
      else this.#i64(imm, 0);
      this.#set(L_B);
      this.#add64(sub ? 1 : 0, flags);
      this.#get(L_R);
      this.#setX(d);
    } else {
      this.#w(n);
      this.#set(L_A32);
      this.#i32(sub ? ~imm : imm);
      this.#set(L_B32);
      this.#add32(sub ? 1 : 0, flags);
      this.#get(L_R32);
      this.#setW(d);
    }
  }

  /** Operand B already pushed (i64 or i32 per sf): A = X[n], then add/sub with flags. */
  #addSubWith(sf: number, n: number, d: number, sub: boolean, cin: number, flags: boolean): void {
    if (sf === 1) {
      if (sub) {
        this.#i64(-1, -1);
        this.#op(W.I64Xor);
      }
      this.#set(L_B);
      this.#x(n);
      this.#set(L_A);
      this.#add64(cin, flags);
      this.#get(L_R);
      this.#setX(d);
    } else {
      if (sub) {
        this.#i32(-1);
        this.#op(W.I32Xor);
      }
      this.#set(L_B32);
      this.#w(n);
      this.#set(L_A32);
      this.#add32(cin, flags);
      this.#get(L_R32);
      this.#setW(d);
    }
  }

  #addSubShifted(w: number, flagsLive: boolean): void {
    const sf = w >>> 31, sub = (w & (1 << 30)) !== 0, s = (w & (1 << 29)) !== 0;
    const type = (w >>> 22) & 3, amount = (w >>> 10) & 63;
    const d = (w & 31) === 31 ? R_DISCARD : w & 31;
    const n = (w >>> 5) & 31, m = (w >>> 16) & 31;
    if (sf === 1) this.#shifted64(m, type, amount);
    else this.#shifted32(m, type, amount);
    this.#addSubWith(sf, n, d, sub, sub ? 1 : 0, s && flagsLive);
  }

  #addSubExtended(w: number, flagsLive: boolean): void {
    const sf = w >>> 31, sub = (w & (1 << 30)) !== 0, s = (w & (1 << 29)) !== 0;
    const d = (w & 31) === 31 ? (s ? R_DISCARD : R_SP) : w & 31;
    const n = ((w >>> 5) & 31) === 31 ? R_SP : (w >>> 5) & 31;
    const m = (w >>> 16) & 31, option = (w >>> 13) & 7, amount = (w >>> 10) & 7;
    this.#extended64(m, option, amount);
    if (sf === 0) this.#op(W.I32WrapI64);
    this.#addSubWith(sf, n, d, sub, sub ? 1 : 0, s && flagsLive);
  }

  #addSubCarry(w: number, flagsLive: boolean): void {
    const sf = w >>> 31, sub = (w & (1 << 30)) !== 0, s = (w & (1 << 29)) !== 0;
    const d = (w & 31) === 31 ? R_DISCARD : w & 31;
    const n = (w >>> 5) & 31, m = (w >>> 16) & 31;
    this.#get(L_NZ);
    this.#i32(29);
    this.#op(W.I32ShrU);
    this.#i32(1);
    this.#op(W.I32And);
    this.#set(L_CIN);
    if (sf === 1) this.#x(m);
    else this.#w(m);
    this.#addSubWith(sf, n, d, sub, -1, s && flagsLive);
  }

  #logicalOp(opc: number, sf: number): void {
    const o = opc === 1 ? 1 : opc === 2 ? 2 : 0;
    if (sf === 1) this.#op(o === 1 ? W.I64Or : o === 2 ? W.I64Xor : W.I64And);
    else this.#op(o === 1 ? W.I32Or : o === 2 ? W.I32Xor : W.I32And);
  }

  #logicalImm(w: number, flagsLive: boolean): void {
    const sf = w >>> 31, opc = (w >>> 29) & 3;
    const d = (w & 31) === 31 ? (opc === 3 ? R_DISCARD : R_SP) : w & 31;
    const n = (w >>> 5) & 31;
    const idx = (w >>> 10) & 0x1fff;
    if (sf === 1) {
      this.#x(n);
      this.#i64(BITMASK_LO[idx], BITMASK_HI[idx]);
      this.#logicalOp(opc, 1);
      this.#set(L_R);
      if (opc === 3 && flagsLive) this.#logicalFlags(1);
      this.#get(L_R);
      this.#setX(d);
    } else {
      this.#w(n);
      this.#i32(BITMASK_LO[idx]);
      this.#logicalOp(opc, 0);
      this.#set(L_R32);
      if (opc === 3 && flagsLive) this.#logicalFlags(0);
      this.#get(L_R32);
      this.#setW(d);
    }
  }

  #logicalShifted(w: number, flagsLive: boolean): void {
    const sf = w >>> 31, opc = (w >>> 29) & 3, invert = (w & (1 << 21)) !== 0;
    const type = (w >>> 22) & 3, amount = (w >>> 10) & 63;
    const d = (w & 31) === 31 ? R_DISCARD : w & 31;
    const n = (w >>> 5) & 31, m = (w >>> 16) & 31;
    if (sf === 1) {
      this.#x(n);
      this.#shifted64(m, type, amount);
      if (invert) {
        this.#i64(-1, -1);
        this.#op(W.I64Xor);
      }
      this.#logicalOp(opc, 1);
      this.#set(L_R);
      if (opc === 3 && flagsLive) this.#logicalFlags(1);
      this.#get(L_R);
      this.#setX(d);
    } else {
      this.#w(n);
      this.#shifted32(m, type, amount);
      if (invert) {
        this.#i32(-1);
        this.#op(W.I32Xor);
      }
      this.#logicalOp(opc, 0);
      this.#set(L_R32);
      if (opc === 3 && flagsLive) this.#logicalFlags(0);
      this.#get(L_R32);
      this.#setW(d);
    }
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
      const keepHi = sf === 0 ? 0 : hw === 2 ? 0xffff0000 : hw === 3 ? 0x0000ffff : 0xffffffff;
      this.#x(w & 31);
      this.#i64(keepLo, keepHi);
      this.#op(W.I64And);
      this.#i64(lo, hi);
      this.#op(W.I64Or);
      this.#setX(d);
      return;
    }
    if (opc === 0) { // MOVN
      lo = ~lo >>> 0;
      hi = sf === 1 ? ~hi >>> 0 : 0;
    }
    this.#i64(lo, hi);
    this.#setX(d);
  }

  #condSelect(w: number): void {
    const sf = w >>> 31, op = (w >>> 30) & 1, o2 = (w >>> 10) & 1;
    const cond = (w >>> 12) & 15;
    const d = (w & 31) === 31 ? R_DISCARD : w & 31;
    const n = (w >>> 5) & 31, m = (w >>> 16) & 31;
    if (sf === 1) {
      this.#x(n);
      this.#x(m);
      if (op === 1) {
        this.#i64(-1, -1);
        this.#op(W.I64Xor);
      }
      if (o2 === 1) {
        this.#i64(1, 0);
        this.#op(W.I64Add);
      }
      this.#cond(cond);
      this.#op(W.Select);
      this.#setX(d);
    } else {
      this.#w(n);
      this.#w(m);
      if (op === 1) {
        this.#i32(-1);
        this.#op(W.I32Xor);
      }
      if (o2 === 1) {
        this.#i32(1);
        this.#op(W.I32Add);
      }
      this.#cond(cond);
      this.#op(W.Select);
      this.#setW(d);
    }
  }

  #mulAdd(w: number): void {
    const sf = w >>> 31, sub = (w & (1 << 15)) !== 0;
    const d = (w & 31) === 31 ? R_DISCARD : w & 31;
    const n = (w >>> 5) & 31, m = (w >>> 16) & 31, a = (w >>> 10) & 31;
    if (sf === 1) {
      this.#x(a);
      this.#x(n);
      this.#x(m);
      this.#op(W.I64Mul);
      this.#op(sub ? W.I64Sub : W.I64Add);
      this.#setX(d);
    } else {
      this.#w(a);
      this.#w(n);
      this.#w(m);
      this.#op(W.I32Mul);
      this.#op(sub ? W.I32Sub : W.I32Add);
      this.#setW(d);
    }
  }

  #bitfield(w: number): void {
    const sf = w >>> 31, signed = ((w >>> 29) & 3) === 0;
    const immr = (w >>> 16) & 63, imms = (w >>> 10) & 63;
    const d = (w & 31) === 31 ? R_DISCARD : w & 31;
    const n = (w >>> 5) & 31;
    const size = sf === 1 ? 64 : 32;
    const extract = imms >= immr;
    const width = extract ? imms - immr + 1 : imms + 1;
    const pos = extract ? 0 : size - immr;
    if (sf === 1) {
      this.#x(n);
      if (signed) {
        // Sign-extend the field from its top bit, then place it.
        const up = 64 - (extract ? imms + 1 : width);
        if (up !== 0) {
          this.#i64(up, 0);
          this.#op(W.I64Shl);
        }
        const down = 64 - width;
        if (down !== 0) {
          this.#i64(down, 0);
          this.#op(W.I64ShrS);
        }
      } else {
        if (extract && immr !== 0) {
          this.#i64(immr, 0);
          this.#op(W.I64ShrU);
        }
        if (width < 64) {
          this.#i64(width >= 32 ? 0xffffffff : ones(width), width > 32 ? ones(width - 32) : 0);
          this.#op(W.I64And);
        }
      }
      if (pos !== 0) {
        this.#i64(pos, 0);
        this.#op(W.I64Shl);
      }
      this.#setX(d);
      return;
    }
    this.#w(n);
    if (signed) {
      const up = 32 - (extract ? imms + 1 : width);
      if (up !== 0) {
        this.#i32(up);
        this.#op(W.I32Shl);
      }
      const down = 32 - width;
      if (down !== 0) {
        this.#i32(down);
        this.#op(W.I32ShrS);
      }
    } else {
      if (extract && immr !== 0) {
        this.#i32(immr);
        this.#op(W.I32ShrU);
      }
      if (width < 32) {
        this.#i32(ones(width));
        this.#op(W.I32And);
      }
    }
    if (pos !== 0) {
      this.#i32(pos);
      this.#op(W.I32Shl);
    }
    this.#setW(d);
  }

  /** Push the 64-bit constant `v` (an integer below 2^53 in magnitude). */
  #i64n(v: number): void {
    const b = BigInt(v);
    this.#i64(Number(BigInt.asUintN(32, b)), Number(BigInt.asIntN(32, b >> 32n)));
  }

  /** ADR/ADRP at instruction i. */
  #pcRelative(w: number, i: number): void {
    const page = (w >>> 31) === 1;
    const imm = (((w << 8) >> 13) * 4) + ((w >>> 29) & 3);
    const d = (w & 31) === 31 ? R_DISCARD : w & 31;
    this.#get(L_PC0);
    if (page) {
      this.#i64(0xfffff000, -1);
      this.#op(W.I64And);
      this.#i64n(imm * 4096);
    } else this.#i64n(4 * i + imm);
    this.#op(W.I64Add);
    this.#setX(d);
  }

  /** UDIV/SDIV (x / 0 = 0; MIN / -1 = MIN) and LSLV/LSRV/ASRV/RORV (amount mod width). */
  #dataProcessing2(w: number): void {
    const sf = w >>> 31, opcode = (w >>> 10) & 63;
    const d = (w & 31) === 31 ? R_DISCARD : w & 31;
    const n = (w >>> 5) & 31, m = (w >>> 16) & 31;
    const wide = sf === 1;
    const x = (r: number) => (wide ? this.#x(r) : this.#w(r));
    if (opcode >= 8) {
      x(n);
      x(m);
      const t = opcode - 8;
      if (wide) {
        this.#op(t === 0 ? W.I64Shl : t === 1 ? W.I64ShrU : t === 2 ? W.I64ShrS : W.I64Rotr);
      } else this.#op(t === 0 ? W.I32Shl : t === 1 ? W.I32ShrU : t === 2 ? W.I32ShrS : W.I32Rotr);
      if (wide) this.#setX(d);
      else this.#setW(d);
      return;
    }
    const signed = opcode === 3;
    // A = X[n], B = X[m] (i64 locals; the 32-bit form in L_A32/L_B32).
    const [A, B] = wide ? [L_A, L_B] : [L_A32, L_B32];
    const zero = () => (wide ? this.#i64(0, 0) : this.#i32(0));
    const one = () => (wide ? this.#i64(1, 0) : this.#i32(1));
    const minusOne = () => (wide ? this.#i64(-1, -1) : this.#i32(-1));
    const eq = wide ? W.I64Eq : W.I32Eq;
    x(n);
    this.#set(A);
    x(m);
    this.#set(B);
    // The quotient with a divisor that cannot trap (0, and -1 when signed, become 1).
    if (signed) {
      zero();
      this.#get(A);
      this.#op(wide ? W.I64Sub : W.I32Sub); // -A, the result for B = -1
    }
    this.#get(A);
    one();
    this.#get(B);
    this.#get(B);
    zero();
    this.#op(eq);
    if (signed) {
      this.#get(B);
      minusOne();
      this.#op(eq);
      this.#op(W.I32Or);
    }
    this.#op(W.Select); // the divisor, 1 where it would trap
    this.#op(wide ? (signed ? W.I64DivS : W.I64DivU) : (signed ? W.I32DivS : W.I32DivU));
    if (signed) {
      this.#get(B);
      minusOne();
      this.#op(eq);
      this.#op(W.Select);
    }
    zero();
    this.#get(B);
    zero();
    this.#op(wide ? W.I64Ne : W.I32Ne);
    this.#op(W.Select); // B != 0 ? quotient : 0
    if (wide) this.#setX(d);
    else this.#setW(d);
  }

  /** CCMP/CCMN: the flags of Rn - op2 / Rn + op2 if the condition holds, else #nzcv. */
  #conditionalCompare(w: number): void {
    const sf = w >>> 31, add = ((w >>> 30) & 1) === 0, immediate = (w & (1 << 11)) !== 0;
    const n = (w >>> 5) & 31, m = (w >>> 16) & 31, cond = (w >>> 12) & 15, nzcv = w & 15;
    this.#cond(cond);
    this.#open(W.If, "if");
    if (sf === 1) {
      if (immediate) this.#i64(m, 0);
      else this.#x(m);
      if (!add) {
        this.#i64(-1, -1);
        this.#op(W.I64Xor);
      }
      this.#set(L_B);
      this.#x(n);
      this.#set(L_A);
      this.#add64(add ? 0 : 1, true);
    } else {
      if (immediate) this.#i32(m);
      else this.#w(m);
      if (!add) {
        this.#i32(-1);
        this.#op(W.I32Xor);
      }
      this.#set(L_B32);
      this.#w(n);
      this.#set(L_A32);
      this.#add32(add ? 0 : 1, true);
    }
    this.#else();
    this.#i32(nzcv << 28);
    this.#set(L_NZ);
    this.#end();
  }

  /** EXTR: (Rn:Rm) >> lsb. */
  #extract(w: number): void {
    const sf = w >>> 31, lsb = (w >>> 10) & 63;
    const d = (w & 31) === 31 ? R_DISCARD : w & 31;
    const n = (w >>> 5) & 31, m = (w >>> 16) & 31;
    if (sf === 1) {
      this.#x(m);
      if (lsb !== 0) {
        this.#i64(lsb, 0);
        this.#op(W.I64ShrU);
        this.#x(n);
        this.#i64(64 - lsb, 0);
        this.#op(W.I64Shl);
        this.#op(W.I64Or);
      }
      this.#setX(d);
    } else {
      this.#w(m);
      if (lsb !== 0) {
        this.#i32(lsb);
        this.#op(W.I32ShrU);
        this.#w(n);
        this.#i32(32 - lsb);
        this.#op(W.I32Shl);
        this.#op(W.I32Or);
      }
      this.#setW(d);
    }
  }

  #generic(ins: BlockInsn, i: number): void {
    const regs = fieldRegisters(ins.word);
    for (const r of regs) this.used.add(r); // loaded in the prologue, reloaded after the call
    this.#beforeCall(i, true);
    this.#i32(this.handlerId(ins.handler));
    this.#i32(ins.word | 0);
    this.#call(F_GEN);
    // Reload what the handler may have written.
    this.#loadWord(STATE_NZCV, L_NZ);
    for (const r of regs) this.#loadReg(r);
    if (ins.op === Op.GenericMemory) {
      this.#noteLeave();
      this.#leaveIfAsked(i);
    }
  }

  // -- loads and stores --------------------------------------------------------

  /** SP alignment check of a base register field 31 for instruction i. */
  #checkSp(i: number): void {
    this.#i32(0);
    this.#mem(W.I32Load, M_STATE, 2, STATE_X_LO + 4 * R_SP);
    this.#i32(0xf);
    this.#op(W.I32And);
    this.#open(W.If, "if");
    this.#beforeCall(i, false);
    this.#call(F_SPA);
    this.#end();
  }

  /** L_ADDR (i64) into L_AL/L_AH. */
  #splitAddr(): void {
    this.#lowHalf(L_ADDR);
    this.#set(L_AL);
    this.#highHalf(L_ADDR);
    this.#set(L_AH);
  }

  /**
   * The inline TLB probe of L_AL/L_AH for `bytes` (`span` in one page):
   * branches to label "slow" on a miss; on a hit leaves the RAM address in
   * L_WO.
   */
  #probe(bytes: number, span: number, store: boolean): void {
    this.#get(L_AL);
    this.#i32(12);
    this.#op(W.I32ShrU);
    this.#tee(L_VPN);
    this.#i32(1023);
    this.#op(W.I32And);
    this.#i32(2);
    this.#op(W.I32Shl);
    this.#set(L_TI);
    this.#get(L_TI);
    this.#mem(W.I32Load, M_STATE, 2, TLB_TAG_LO);
    this.#get(L_VPN);
    this.#op(W.I32Ne);
    this.#br("slow", true);
    this.#get(L_TI);
    this.#mem(W.I32Load, M_STATE, 2, TLB_TAG_HI);
    this.#get(L_AH);
    this.#op(W.I32Ne);
    this.#br("slow", true);
    this.#get(L_TI);
    this.#mem(W.I32Load, M_STATE, 2, TLB_ASID);
    this.#tee(L_T);
    this.#get(P_ASID);
    this.#op(W.I32Ne);
    this.#get(L_T);
    this.#i32(-1);
    this.#op(W.I32Ne);
    this.#op(W.I32And);
    this.#br("slow", true);
    if (bytes > 1 || span > bytes) {
      this.#get(L_AL);
      if (span > bytes) {
        this.#i32(0xfff);
        this.#op(W.I32And);
        this.#i32(4096 - span);
        this.#op(W.I32GtU);
        if (bytes > 1) {
          this.#get(L_AL);
          this.#i32(bytes - 1);
          this.#op(W.I32And);
          this.#op(W.I32Or);
        }
      } else {
        this.#i32(bytes - 1);
        this.#op(W.I32And);
      }
      this.#br("slow", true);
    }
    this.#get(L_TI);
    this.#i32(2);
    this.#op(W.I32ShrU);
    this.#mem(W.I32Load8U, M_STATE, 0, TLB_PERM);
    this.#get(store ? L_NEEDW : L_NEEDR);
    this.#op(W.I32And);
    this.#op(W.I32Eqz);
    this.#br("slow", true);
    this.#get(L_TI);
    this.#mem(W.I32Load, M_STATE, 2, TLB_WASM_OFFSET);
    this.#tee(L_WO);
    this.#i32(0);
    this.#op(W.I32LtS);
    this.#br("slow", true);
    if (store) {
      this.#get(L_TI);
      this.#mem(W.I32Load, M_STATE, 2, TLB_MARK_ADDRESS);
      this.#mem(W.I32Load8U, M_MARKS, 0, 0);
      this.#br("slow", true);
    }
    this.#get(L_WO);
    this.#get(L_AL);
    this.#i32(0xfff);
    this.#op(W.I32And);
    this.#op(W.I32Add);
    this.#set(L_WO);
  }

  /** Fast load of `bytes` at L_WO + extra from RAM into `dst` (i64, zero-extended). */
  #ramLoad(bytes: number, extra: number, dst: number): void {
    this.#get(L_WO);
    const o = bytes === 8
      ? W.I64Load
      : bytes === 4
      ? W.I64Load32U
      : bytes === 2
      ? W.I64Load16U
      : W.I64Load8U;
    this.#mem(o, M_RAM, 0, extra);
    this.#set(dst);
  }

  /** Fast store of `bytes` of `src` (i64 local) at L_WO + extra. */
  #ramStore(bytes: number, extra: number, src: number): void {
    this.#get(L_WO);
    this.#get(src);
    const o = bytes === 8
      ? W.I64Store
      : bytes === 4
      ? W.I64Store32
      : bytes === 2
      ? W.I64Store16
      : W.I64Store8;
    this.#mem(o, M_RAM, 0, extra);
  }

  /** Slow read of `bytes` at address local pair (lo, hi) into `dst` (i64). */
  #slowRead(bytes: number, lo: number, hi: number, dst: number): void {
    this.#get(lo);
    this.#get(hi);
    this.#i32(bytes);
    this.#call(F_RD);
    this.#op(W.I64ExtendI32U);
    if (bytes === 8) {
      this.#i32(0);
      this.#mem(W.I64Load32U, M_STATE, 2, STATE_MEM_HI);
      this.#i64(32, 0);
      this.#op(W.I64Shl);
      this.#op(W.I64Or);
    }
    this.#set(dst);
  }

  #slowWrite(bytes: number, lo: number, hi: number, src: number): void {
    this.#get(lo);
    this.#get(hi);
    this.#i32(bytes);
    this.#lowHalf(src);
    this.#highHalf(src);
    this.#call(F_WR);
  }

  /** Write a loaded value (L_V) to Rt per size and opc (sign extension). */
  #writeLoaded(t: number, size: number, opc: number): void {
    const d = t === 31 ? R_DISCARD : t;
    this.#get(L_V);
    if (size < 3 && opc >= 2) {
      this.#op(size === 0 ? W.I64Extend8S : size === 1 ? W.I64Extend16S : W.I64Extend32S);
      if (opc === 3) {
        this.#i64(0xffffffff, 0);
        this.#op(W.I64And);
      }
    }
    this.#setX(d);
  }

  /**
   * One general-register load or store at L_ADDR (already computed) of
   * `bytes`: probe, fast access or slow call, then Rt.
   */
  #access(i: number, bytes: number, store: boolean, t: number, size: number, opc: number): void {
    this.#splitAddr();
    if (store) {
      this.#x(t);
      this.#set(L_V);
    }
    this.#open(W.Block, "done");
    this.#open(W.Block, "slow");
    this.#probe(bytes, bytes, store);
    if (store) this.#ramStore(bytes, 0, L_V);
    else this.#ramLoad(bytes, 0, L_V);
    this.#br("done");
    this.#end();
    this.#beforeCall(i, false);
    if (store) this.#slowWrite(bytes, L_AL, L_AH, L_V);
    else this.#slowRead(bytes, L_AL, L_AH, L_V);
    this.#noteLeave();
    this.#end();
    if (!store) this.#writeLoaded(t, size, opc);
  }

  /** Base register of a load/store (31 = SP with its alignment check). */
  #base(rn: number, i: number): number {
    if (rn !== 31) return rn;
    this.#checkSp(i);
    return R_SP;
  }

  #loadStoreUImm(w: number, i: number): void {
    const size = w >>> 30, opc = (w >>> 22) & 3, bytes = 1 << size;
    const rn = (w >>> 5) & 31, t = w & 31;
    const off = ((w >>> 10) & 0xfff) << size;
    const base = this.#base(rn, i);
    this.#x(base);
    this.#addConst(off);
    this.#set(L_ADDR);
    this.#access(i, bytes, opc === 0, t, size, opc);
    this.#leaveIfAsked(i);
  }

  #loadStoreSingle(w: number, i: number): void {
    const size = w >>> 30, opc = (w >>> 22) & 3, bytes = 1 << size;
    const rn = (w >>> 5) & 31, t = w & 31;
    const regOffset = (w & (1 << 21)) !== 0, mode = (w >>> 10) & 3;
    const imm9 = (w << 11) >> 23;
    const base = this.#base(rn, i);
    this.#x(base);
    if (regOffset) {
      const m = (w >>> 16) & 31, option = (w >>> 13) & 7;
      const sh = (w & (1 << 12)) !== 0 ? size : 0;
      this.#extended64(m, option, sh);
      this.#op(W.I64Add);
    } else if (mode !== 1) this.#addConst(imm9);
    this.#set(L_ADDR);
    this.#access(i, bytes, opc === 0, t, size, opc);
    if (!regOffset && mode !== 0) this.#writeBase(base, mode === 1 ? imm9 : 0);
    this.#leaveIfAsked(i);
  }

  #loadStorePair(w: number, i: number): void {
    const wide = (w >>> 30) === 2, bytes = wide ? 8 : 4;
    const load = (w & (1 << 22)) !== 0, mode = (w >>> 23) & 3;
    const t = w & 31, t2 = (w >>> 10) & 31, rn = (w >>> 5) & 31;
    const offset = ((w << 10) >> 25) * bytes;
    const base = this.#base(rn, i);
    this.#x(base);
    if (mode !== 1) this.#addConst(offset);
    this.#set(L_ADDR);
    this.#splitAddr();
    if (!load) {
      this.#x(t);
      this.#set(L_V);
      this.#x(t2);
      this.#set(L_V2);
    }
    this.#open(W.Block, "done");
    this.#open(W.Block, "slow");
    this.#probe(bytes, 2 * bytes, !load);
    if (load) {
      this.#ramLoad(bytes, 0, L_V);
      this.#ramLoad(bytes, bytes, L_V2);
    } else {
      this.#ramStore(bytes, 0, L_V);
      this.#ramStore(bytes, bytes, L_V2);
    }
    this.#br("done");
    this.#end();
    this.#beforeCall(i, false);
    // The second address: [al, ah] + bytes, in L_A32/L_B32.
    this.#get(L_ADDR);
    this.#addConst(bytes);
    this.#set(L_B);
    this.#lowHalf(L_B);
    this.#set(L_A32);
    this.#highHalf(L_B);
    this.#set(L_B32);
    if (load) {
      this.#slowRead(bytes, L_AL, L_AH, L_V);
      this.#slowRead(bytes, L_A32, L_B32, L_V2);
    } else {
      this.#slowWrite(bytes, L_AL, L_AH, L_V);
      this.#slowWrite(bytes, L_A32, L_B32, L_V2);
    }
    this.#noteLeave();
    this.#end();
    if (load) {
      this.#get(L_V);
      this.#setX(t === 31 ? R_DISCARD : t);
      this.#get(L_V2);
      this.#setX(t2 === 31 ? R_DISCARD : t2);
    }
    if (mode === 1 || mode === 3) this.#writeBase(base, mode === 1 ? offset : 0);
    this.#leaveIfAsked(i);
  }

  // -- branches ----------------------------------------------------------------

  /** Taken branch to pc0 + off after k instructions of this pass. */
  #taken(off: number, k: number): void {
    if (off === 0 && this.#loop) {
      // n += k; another pass only if it fits the budget.
      // (A branch before the end retires fewer: the next pass may retire them all.)
      this.#get(L_N);
      this.#i32(k);
      this.#op(W.I32Add);
      this.#tee(L_N);
      this.#i32(this.insns.length);
      this.#op(W.I32Add);
      this.#get(P_BUDGET);
      this.#op(W.I32LeU);
      this.#br("pass", true);
      this.#exitTo(0, 0);
      return;
    }
    this.#exitTo(off, k);
  }

  /**
   * Conditional branch at instruction i, its condition (i32) on the stack:
   * taken to pc0 + off; not taken, the block goes on, or leaves if i is last.
   */
  #takenIf(off: number, i: number): void {
    this.#open(W.If, "if");
    this.#taken(off, i + 1);
    this.#end();
    if (i === this.insns.length - 1) this.#exitTo(4 * (i + 1), i + 1);
  }

  #link(here: number): void {
    this.#get(L_PC0);
    this.#i64(here + 4, 0);
    this.#op(W.I64Add);
    this.#setX(30);
  }

  #branch(ins: BlockInsn, i: number): void {
    const w = ins.word, k = i + 1, here = 4 * i;
    switch (ins.op) {
      case Op.B: {
        const off = here + ((w << 6) >> 6) * 4;
        if ((w >>> 31) === 1) this.#link(here);
        this.#taken(off, k);
        return;
      }
      case Op.BCond: {
        const off = here + ((w << 8) >> 13) * 4;
        this.#cond(w & 15);
        this.#takenIf(off, i);
        return;
      }
      case Op.CompareBranch: {
        const off = here + ((w << 8) >> 13) * 4;
        const r = w & 31, nonZero = (w & (1 << 24)) !== 0;
        if ((w >>> 31) === 1) {
          this.#x(r);
          this.#op(W.I64Eqz);
        } else {
          this.#w(r);
          this.#op(W.I32Eqz);
        }
        if (nonZero) this.#op(W.I32Eqz);
        this.#takenIf(off, i);
        return;
      }
      case Op.TestBranch: {
        const off = here + ((w << 13) >> 18) * 4;
        const r = w & 31, nonZero = (w & (1 << 24)) !== 0;
        const bit = ((w >>> 31) << 5) | ((w >>> 19) & 31);
        this.#x(r);
        this.#i64(bit, 0);
        this.#op(W.I64ShrU);
        this.#i64(1, 0);
        this.#op(W.I64And);
        this.#op(W.I64Eqz);
        if (nonZero) this.#op(W.I32Eqz);
        this.#takenIf(off, i);
        return;
      }
      case Op.BranchReg: {
        const r = (w >>> 5) & 31, link = ((w >>> 21) & 3) === 1;
        this.#x(r);
        this.#set(L_V);
        if (link) this.#link(here);
        this.#get(L_V);
        this.#set(L_EPC);
        this.#get(L_N);
        this.#i32(k);
        this.#op(W.I32Add);
        this.#set(L_EK);
        this.#br("exit");
        return;
      }
    }
  }

  // -- the block ---------------------------------------------------------------

  /** Emit the body (between the prologue and the exit tail). */
  body(): void {
    const insns = this.insns;
    const last = insns.length - 1;
    this.#loop = isTerminator(insns[last].op) && targetsBlockStart(insns[last], last);
    const flagsLive = flagLiveness(insns);
    this.#labels.push("exit"); // opened by the caller
    if (this.#loop) {
      for (const r of this.allWritten) this.#dirty[r] = true;
      this.#open(W.Loop, "pass");
    }
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
          this.#loadStoreUImm(ins.word, i);
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
        case Op.PcRelative:
          this.#pcRelative(ins.word, i);
          break;
        case Op.DataProcessing2:
          this.#dataProcessing2(ins.word);
          break;
        case Op.ConditionalCompare:
          this.#conditionalCompare(ins.word);
          break;
        case Op.Extract:
          this.#extract(ins.word);
          break;
        case Op.Generic:
        case Op.GenericMemory:
          this.#generic(ins, i);
          break;
        default:
          this.#branch(ins, i);
      }
    }
    if (!isTerminator(insns[last].op)) this.#exitTo(4 * insns.length, insns.length);
    if (this.#loop) this.#end();
    this.#labels.pop();
  }

  /** The whole function body: prologue, body (already emitted into `body`), exit tail. */
  static assemble(e: WasmEmitter): Uint8Array {
    const out = new WasmEmitter(e.insns, e.allWritten, e.handlerId);
    // pc0 = PC (STATE_PC_HI above STATE_PC_LO: one i64); nz; budget; ASID;
    // the permission bits for the EL (P_EL0_R/W or P_EL1_R/W of mmu/tlb.ts).
    out.#i32(0);
    out.#mem(W.I64Load, M_STATE, 2, STATE_PC_LO);
    out.#set(L_PC0);
    out.#loadWord(STATE_NZCV, L_NZ);
    out.#loadWord(STATE_BUDGET, P_BUDGET);
    out.#loadWord(STATE_ASID, P_ASID);
    out.#loadWord(STATE_EL0, L_T);
    for (const [l, el0, el1] of [[L_NEEDR, 1, 8], [L_NEEDW, 2, 16]]) {
      out.#i32(el0);
      out.#i32(el1);
      out.#get(L_T);
      out.#op(W.Select);
      out.#set(l);
    }
    for (const r of [...e.used].sort((a, b) => a - b)) out.#loadReg(r);
    out.c.byte(W.Block);
    out.c.byte(VOID);
    out.c.bytes(e.c.buf.subarray(0, e.c.length));
    out.#op(W.End);
    // The exit tail.
    for (const r of [...e.written].sort((a, b) => a - b)) out.#storeReg(r);
    out.#storeWord(STATE_NZCV, L_NZ);
    out.#storeHalves(L_EPC, STATE_PC_LO, STATE_PC_HI);
    out.#get(L_EK);
    return assembleModule(BLOCK_MEMORIES, BLOCK_FUNCTIONS, 0, I32_LOCALS, I64_LOCALS, out.c);
  }
}

/**
 * Emit the WebAssembly module for `insns` (all in one page; the block's
 * first instruction at the PC it is entered with). The last instruction may
 * be a branch; any other end leaves the block at the next instruction.
 */
export function emitWasmBlock(
  insns: readonly BlockInsn[],
  handlerId: (h: Handler) => number,
): WasmBlock {
  // First pass: which registers the block writes (dirty at a loop head).
  const probe = new WasmEmitter(insns, new Set(), handlerId);
  probe.body();
  const e = new WasmEmitter(insns, probe.written, handlerId);
  e.body();
  for (const r of probe.written) e.used.add(r);
  return { bytes: WasmEmitter.assemble(e), length: insns.length };
}
