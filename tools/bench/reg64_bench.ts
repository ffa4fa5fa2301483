/**
 * How to hold 64-bit guest registers: `BigUint64Array` with
 * `BigInt.asUintN(64, …)` versus two `Uint32Array` halves, measured on the
 * shape an interpreter has (a table of handlers, each decoding fields from the
 * instruction word and updating the register file and flags).
 *
 *   deno bench tools/bench/reg64_bench.ts
 *
 * Result recorded in docs/ARCHITECTURE.md ("How 64-bit state is held").
 *
 * @module
 */

type Handler = (insn: number) => void;
const STEPS = 1_000_000;

// A six-instruction loop body: add, adds, lsr #imm, eor, movz, add.
const PROGRAM = new Uint32Array([
  (0 << 27) | (2 << 16) | (1 << 5) | 3,
  (1 << 27) | (3 << 16) | (1 << 5) | 4,
  (2 << 27) | (5 << 10) | (4 << 5) | 1,
  (3 << 27) | (1 << 16) | (4 << 5) | 2,
  (4 << 27) | (77 << 5) | 5,
  (0 << 27) | (5 << 16) | (2 << 5) | 2,
]);
const OPS = PROGRAM.map((w) => w >>> 27);

// --- BigUint64Array ---------------------------------------------------------
const X = new BigUint64Array(32);
const SHIFT: bigint[] = Array.from({ length: 64 }, (_, i) => BigInt(i));
let nzcvBig = 0;
const bigHandlers: Handler[] = [
  (w) => {
    X[w & 31] = BigInt.asUintN(64, X[(w >> 5) & 31] + X[(w >> 16) & 31]);
  },
  (w) => {
    const a = X[(w >> 5) & 31], b = X[(w >> 16) & 31];
    const s = BigInt.asUintN(64, a + b);
    X[w & 31] = s;
    nzcvBig = ((s >> 63n) === 1n ? 8 : 0) | (s === 0n ? 4 : 0) | (s < a ? 2 : 0) |
      ((((a ^ s) & (b ^ s)) >> 63n) === 1n ? 1 : 0);
  },
  (w) => {
    X[w & 31] = X[(w >> 5) & 31] >> SHIFT[(w >> 10) & 63];
  },
  (w) => {
    X[w & 31] = X[(w >> 5) & 31] ^ X[(w >> 16) & 31];
  },
  (w) => {
    X[w & 31] = BigInt((w >>> 5) & 0xffff);
  },
];

// --- Uint32Array halves ------------------------------------------------------
const LO = new Uint32Array(32), HI = new Uint32Array(32);
let nzcvHalves = 0;
const halfHandlers: Handler[] = [
  (w) => {
    const d = w & 31, n = (w >> 5) & 31, m = (w >> 16) & 31;
    const al = LO[n], sl = (al + LO[m]) >>> 0;
    HI[d] = (HI[n] + HI[m] + (sl < al ? 1 : 0)) >>> 0;
    LO[d] = sl;
  },
  (w) => {
    const d = w & 31, n = (w >> 5) & 31, m = (w >> 16) & 31;
    const al = LO[n], bl = LO[m], ah = HI[n], bh = HI[m];
    const sl = (al + bl) >>> 0;
    const t = ah + bh + (sl < al ? 1 : 0), sh = t >>> 0;
    LO[d] = sl;
    HI[d] = sh;
    nzcvHalves = ((sh >>> 31) << 3) | ((sl | sh) === 0 ? 4 : 0) | (t > 0xffffffff ? 2 : 0) |
      (((ah ^ sh) & (bh ^ sh)) >>> 31);
  },
  (w) => {
    const d = w & 31, n = (w >> 5) & 31, s = (w >> 10) & 63;
    const l = LO[n], h = HI[n];
    if (s === 0) {
      LO[d] = l;
      HI[d] = h;
    } else if (s < 32) {
      LO[d] = ((l >>> s) | (h << (32 - s))) >>> 0;
      HI[d] = h >>> s;
    } else {
      LO[d] = h >>> (s - 32);
      HI[d] = 0;
    }
  },
  (w) => {
    const d = w & 31, n = (w >> 5) & 31, m = (w >> 16) & 31;
    LO[d] = LO[n] ^ LO[m];
    HI[d] = HI[n] ^ HI[m];
  },
  (w) => {
    const d = w & 31;
    LO[d] = (w >>> 5) & 0xffff;
    HI[d] = 0;
  },
];

function run(handlers: Handler[]): void {
  for (let i = 0, pc = 0; i < STEPS; i++) {
    handlers[OPS[pc]](PROGRAM[pc]);
    pc = pc + 1 === PROGRAM.length ? 0 : pc + 1;
  }
}

Deno.bench("registers as BigUint64Array", { group: "reg64", baseline: true }, () => {
  X[1] = 0x0123456789abcdefn;
  X[2] = 0x0fedcba987654321n;
  run(bigHandlers);
  if (nzcvBig < 0) throw new Error("unreachable");
});

Deno.bench("registers as Uint32Array halves", { group: "reg64" }, () => {
  LO[1] = 0x89abcdef;
  HI[1] = 0x01234567;
  LO[2] = 0x87654321;
  HI[2] = 0x0fedcba9;
  run(halfHandlers);
  if (nzcvHalves < 0) throw new Error("unreachable");
});
