/**
 * AdvSIMD two-register miscellaneous, integer forms (Arm ARM C4.1.96
 * "Advanced SIMD two-register miscellaneous", opcode bits 16:12), vector and
 * scalar (D): REV16/REV32/REV64, CLS, CLZ, CNT, NOT (MVN), RBIT, ABS, NEG,
 * CMGT/CMGE/CMEQ/CMLE/CMLT (zero), XTN/XTN2, SQXTN, UQXTN, SQXTUN,
 * SADDLP/UADDLP, SADALP/UADALP.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import type { EncodingEntry, Handler } from "../../decode/entry.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { checkFpAccess } from "../../sys/fp_access.ts";
import { add64, cmpS64, laneMask, R64, satS, satU, sub64, sx } from "./lanes.ts";
import { elem, setSElem, VScratch } from "./vreg.ts";

const S = new VScratch();

type UnaryFn = (cpu: Cpu, a: number, esize: number) => number;
type Unary64Fn = (lo: number, hi: number) => void;

const ones = (c: boolean) => (c ? 0xffffffff : 0);

function clz(a: number, esize: number): number {
  return Math.clz32(a) - (32 - esize);
}

function set64(c: boolean): void {
  R64[0] = R64[1] = c ? 0xffffffff : 0;
}

/** Lane operations: [fn, fn64 or null, allowed sizes bitmask]. */
const OPS: Record<string, [UnaryFn, Unary64Fn | null, number]> = {
  CLS: [(_c, a, e) => clz((sx(a, e) < 0 ? ~a : a) & laneMask(e), e) - 1, null, 0b0111],
  CLZ: [(_c, a, e) => clz(a, e), null, 0b0111],
  ABS: [
    (_c, a, e) => Math.abs(sx(a, e)),
    (lo, hi) => (hi | 0) < 0 ? sub64(0, 0, lo, hi) : sub64(lo, hi, 0, 0),
    0b1111,
  ],
  NEG: [(_c, a) => -a, (lo, hi) => sub64(0, 0, lo, hi), 0b1111],
  CMGT0: [(_c, a, e) => ones(sx(a, e) > 0), (lo, hi) => set64(cmpS64(lo, hi, 0, 0) > 0), 0b1111],
  CMGE0: [(_c, a, e) => ones(sx(a, e) >= 0), (_lo, hi) => set64((hi | 0) >= 0), 0b1111],
  CMEQ0: [(_c, a) => ones(a === 0), (lo, hi) => set64((lo | hi) === 0), 0b1111],
  CMLE0: [(_c, a, e) => ones(sx(a, e) <= 0), (lo, hi) => set64(cmpS64(lo, hi, 0, 0) <= 0), 0b1111],
  CMLT0: [(_c, a, e) => ones(sx(a, e) < 0), (_lo, hi) => set64((hi | 0) < 0), 0b1111],
};

function elementwise(fn: UnaryFn, fn64: Unary64Fn | null, sizes: number, scalar: boolean): Handler {
  return (cpu, insn) => {
    const size = (insn >>> 22) & 3;
    const q = scalar || (insn & (1 << 30)) !== 0;
    if (
      (sizes & (1 << size)) === 0 || (size === 3 && (!q || fn64 === null)) || (scalar && size !== 3)
    ) {
      return unallocatedEncoding(cpu, insn);
    }
    checkFpAccess(cpu);
    const n = (insn >>> 5) & 31, d = insn & 31;
    if (size === 3) {
      const v = cpu.v, w = S.w;
      const lanes = scalar ? 1 : 2;
      for (let i = 0; i < lanes; i++) {
        fn64!(v[n * 4 + 2 * i], v[n * 4 + 2 * i + 1]);
        w[2 * i] = R64[0];
        w[2 * i + 1] = R64[1];
      }
      S.commit(cpu, d, !scalar);
      return;
    }
    const esize = 8 << size, lanes = (q ? 16 : 8) >>> size, mask = laneMask(esize);
    for (let i = 0; i < lanes; i++) {
      setSElem(S, i, esize, fn(cpu, elem(cpu, n, i, esize), esize) & mask);
    }
    S.commit(cpu, d, q);
  };
}

/**
 * CMEQ (zero) with a byte-lane fast path (the NUL search of string
 * routines); other element sizes go to `generic`.
 */
function cmeqZeroBytes(generic: Handler): Handler {
  return (cpu, insn) => {
    if (((insn >>> 22) & 3) !== 0) return generic(cpu, insn);
    checkFpAccess(cpu);
    const q = (insn & (1 << 30)) !== 0;
    const nb = ((insn >>> 5) & 31) << 4, vb = cpu.vb, out = S.b;
    const lanes = q ? 16 : 8;
    for (let i = 0; i < lanes; i++) out[i] = vb[nb + i] === 0 ? 0xff : 0;
    S.commit(cpu, insn & 31, q);
  };
}

/** REV16 (container 16), REV32 (32), REV64 (64): reverse `esize` elements within containers. */
function rev(containerBits: number): Handler {
  return (cpu, insn) => {
    const size = (insn >>> 22) & 3, esize = 8 << size;
    if (esize >= containerBits) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const q = (insn & (1 << 30)) !== 0;
    const n = (insn >>> 5) & 31, d = insn & 31;
    const lanes = (q ? 16 : 8) >>> size, per = containerBits / esize;
    for (let i = 0; i < lanes; i++) {
      const base = i - (i % per);
      setSElem(S, base + per - 1 - (i % per), esize, elem(cpu, n, i, esize));
    }
    S.commit(cpu, d, q);
  };
}

/** CNT (size 00): population count per byte. */
function cnt(cpu: Cpu, insn: number): void {
  if (((insn >>> 22) & 3) !== 0) return unallocatedEncoding(cpu, insn);
  checkFpAccess(cpu);
  const q = (insn & (1 << 30)) !== 0;
  const n = (insn >>> 5) & 31;
  for (let i = 0; i < 16; i++) {
    let x = cpu.vb[n * 16 + i];
    x = x - ((x >>> 1) & 0x55);
    x = (x & 0x33) + ((x >>> 2) & 0x33);
    S.b[i] = (x + (x >>> 4)) & 0x0f;
  }
  S.commit(cpu, insn & 31, q);
}

/** NOT (size 00) and RBIT (size 01), U = 1, opcode 00101. */
function notRbit(cpu: Cpu, insn: number): void {
  const size = (insn >>> 22) & 3;
  if (size > 1) return unallocatedEncoding(cpu, insn);
  checkFpAccess(cpu);
  const q = (insn & (1 << 30)) !== 0;
  const n = (insn >>> 5) & 31;
  for (let i = 0; i < 16; i++) {
    const x = cpu.vb[n * 16 + i];
    if (size === 0) S.b[i] = ~x;
    else {
      let r = 0;
      for (let k = 0; k < 8; k++) r |= ((x >>> k) & 1) << (7 - k);
      S.b[i] = r;
    }
  }
  S.commit(cpu, insn & 31, q);
}

/** Narrowing kinds: XTN, SQXTN, UQXTN, SQXTUN. */
const enum Narrow {
  Xtn,
  SqXtn,
  UqXtn,
  SqXtun,
}

/** XTN/XTN2 and the saturating narrows: 2*esize lanes of Vn to esize lanes of Vd (upper half for Q = 1). */
function narrow(kind: Narrow): Handler {
  return (cpu, insn) => {
    const size = (insn >>> 22) & 3;
    if (size === 3) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const q = (insn & (1 << 30)) !== 0;
    const n = (insn >>> 5) & 31, d = insn & 31;
    const esize = 8 << size, lanes = 8 >>> size, mask = laneMask(esize);
    const v = cpu.v;
    // Keep the lower half of Vd for the "2" form.
    S.w[0] = v[d * 4];
    S.w[1] = v[d * 4 + 1];
    const base = q ? lanes : 0;
    for (let i = 0; i < lanes; i++) {
      let x: number;
      if (esize === 32) {
        const lo = v[n * 4 + 2 * i], hi = v[n * 4 + 2 * i + 1];
        x = narrow64(cpu, kind, lo, hi);
      } else {
        const wide = elem(cpu, n, i, esize * 2);
        x = kind === Narrow.Xtn
          ? wide
          : kind === Narrow.UqXtn
          ? satU(cpu, wide, esize)
          : kind === Narrow.SqXtn
          ? satS(cpu, sx(wide, esize * 2), esize)
          : satU(cpu, sx(wide, esize * 2), esize);
      }
      setSElem(S, base + i, esize, x & mask);
    }
    if (!q) S.w[2] = S.w[3] = 0;
    S.commit(cpu, d, true);
  };
}

function narrow64(cpu: Cpu, kind: Narrow, lo: number, hi: number): number {
  if (kind === Narrow.Xtn) return lo;
  const neg = (hi | 0) < 0;
  if (kind === Narrow.UqXtn) return hi !== 0 ? satU(cpu, 2 ** 33, 32) : lo;
  if (kind === Narrow.SqXtun) {
    if (neg) return satU(cpu, -1, 32);
    return hi !== 0 ? satU(cpu, 2 ** 33, 32) : lo;
  }
  // SqXtn: fits when hi is the sign extension of lo
  if ((hi | 0) === ((lo | 0) >> 31)) return lo;
  return satS(cpu, neg ? -(2 ** 40) : 2 ** 40, 32);
}

/** SADDLP/UADDLP (`acc` false) and SADALP/UADALP: add adjacent pairs into lanes twice as wide. */
function addPairsLong(acc: boolean): Handler {
  return (cpu, insn) => {
    const size = (insn >>> 22) & 3;
    if (size === 3) return unallocatedEncoding(cpu, insn);
    checkFpAccess(cpu);
    const q = (insn & (1 << 30)) !== 0, unsigned = (insn & (1 << 29)) !== 0;
    const n = (insn >>> 5) & 31, d = insn & 31, v = cpu.v;
    const esize = 8 << size, wide = esize * 2, lanes = (q ? 8 : 4) >>> size;
    for (let i = 0; i < lanes; i++) {
      let a = elem(cpu, n, 2 * i, esize), b = elem(cpu, n, 2 * i + 1, esize);
      if (!unsigned) {
        a = sx(a, esize);
        b = sx(b, esize);
      }
      if (wide === 64) {
        let sum = a + b; // |sum| < 2^33
        const neg = sum < 0;
        if (neg) sum = -sum;
        const hi = Math.floor(sum / 4294967296), lo = sum - hi * 4294967296;
        if (neg) sub64(0, 0, lo, hi);
        else {
          R64[0] = lo >>> 0;
          R64[1] = hi >>> 0;
        }
        if (acc) add64(R64[0], R64[1], v[d * 4 + 2 * i], v[d * 4 + 2 * i + 1]);
        S.w[2 * i] = R64[0];
        S.w[2 * i + 1] = R64[1];
      } else {
        const r = a + b + (acc ? elem(cpu, d, i, wide) : 0);
        setSElem(S, i, wide, r & laneMask(wide));
      }
    }
    S.commit(cpu, d, q);
  };
}

function build(): EncodingEntry[] {
  const out: EncodingEntry[] = [];
  const add = (u: number, opcode: number, name: string, exec: Handler, scalar = false) =>
    out.push({
      pattern: `${scalar ? "01" : "0x"} ${u} ${scalar ? "11110" : "01110"} xx 10000 ${
        opcode.toString(2).padStart(5, "0")
      } 10 xxxxx xxxxx`,
      name: name + (scalar ? " (scalar)" : " (vector)"),
      exec,
    });
  add(0, 0b00000, "REV64", rev(64));
  add(0, 0b00001, "REV16", rev(16));
  add(1, 0b00000, "REV32", rev(32));
  add(0, 0b00101, "CNT", cnt);
  add(0, 0b00010, "SADDLP", addPairsLong(false));
  add(1, 0b00010, "UADDLP", addPairsLong(false));
  add(0, 0b00110, "SADALP", addPairsLong(true));
  add(1, 0b00110, "UADALP", addPairsLong(true));
  add(1, 0b00101, "NOT/RBIT", notRbit);
  add(0, 0b10010, "XTN", narrow(Narrow.Xtn));
  add(0, 0b10100, "SQXTN", narrow(Narrow.SqXtn));
  add(1, 0b10100, "UQXTN", narrow(Narrow.UqXtn));
  add(1, 0b10010, "SQXTUN", narrow(Narrow.SqXtun));
  const el: [number, number, string, string][] = [
    [0, 0b00100, "CLS", "CLS"],
    [1, 0b00100, "CLZ", "CLZ"],
    [0, 0b01011, "ABS", "ABS"],
    [1, 0b01011, "NEG", "NEG"],
    [0, 0b01000, "CMGT (zero)", "CMGT0"],
    [1, 0b01000, "CMGE (zero)", "CMGE0"],
    [0, 0b01001, "CMEQ (zero)", "CMEQ0"],
    [1, 0b01001, "CMLE (zero)", "CMLE0"],
    [0, 0b01010, "CMLT (zero)", "CMLT0"],
  ];
  for (const [u, opcode, name, key] of el) {
    const [fn, fn64, sizes] = OPS[key];
    const generic = elementwise(fn, fn64, sizes, false);
    add(u, opcode, name, key === "CMEQ0" ? cmeqZeroBytes(generic) : generic);
    if (fn64 !== null) add(u, opcode, name, elementwise(fn, fn64, sizes, true), true);
  }
  return out;
}

/** AdvSIMD two-register miscellaneous integer encodings. */
export const entries: EncodingEntry[] = build();
