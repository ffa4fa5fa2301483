/**
 * Random A64 instruction generators for the differential fuzzer. Each
 * generator produces one *group*: one instruction, or a setup instruction
 * plus the instruction that depends on it (memory accesses compute their
 * address in X27 first; indirect branches load their target with ADR).
 * Branches only jump forward, to a group boundary inside the sequence or
 * to its end, so every sequence terminates.
 *
 * Only architecturally defined encodings are produced: no UNPREDICTABLE or
 * CONSTRAINED UNPREDICTABLE forms (LDP with Rt == Rt2, writeback with
 * Rn == Rt), no reserved field values, no exclusives (monitor behaviour may
 * legitimately differ) and nothing that writes SP or X28.
 *
 * @module
 */
import { fields, signed } from "./encode.ts";
import { POOL_REGS, POOL_VREGS, R31, REG_SCRATCH, REG_TEMP, SCRATCH_SIZE } from "./layout.ts";
import type { Prng } from "./prng.ts";

/** One group of instructions. */
export interface Group {
  /** The class that generated it (for statistics and reports). */
  readonly cls: string;
  /** Instruction words; for a branch group, completed by {@link Group.branch}. */
  words: number[];
  /** For branch groups: how many following groups to skip, and how to patch the words. */
  readonly branch?: {
    readonly skip: number;
    /** Patch `words` given the byte offset from the group's first word to the target. */
    readonly patch: (words: number[], targetFromGroupStart: number) => void;
  };
}

/** An instruction class the fuzzer can draw from. */
export interface InstructionClass {
  /** Class name (used by `--classes` and in reports). */
  readonly name: string;
  /** Whether it needs FP/AdvSIMD (guest built with FP enabled, V registers printed). */
  readonly fp: boolean;
  /** Relative probability of being drawn. */
  readonly weight: number;
  /** Draw one group of this class. */
  generate(r: Prng): Group;
}

const R = (r: Prng) => r.below(POOL_REGS);
/** A pool register, or ZR with probability 1/8 (only where the field means ZR). */
const RZ = (r: Prng) => r.chance(0.125) ? R31 : r.below(POOL_REGS);
const V = (r: Prng) => r.below(POOL_VREGS);
const bit = (r: Prng) => r.below(2);

function one(cls: string, word: number): Group {
  return { cls, words: [word] };
}

/** ADD/ADDS/SUB/SUBS (immediate). Rn and (for non-flag-setting forms) Rd of 31 mean SP: avoided. */
function addSubImm(r: Prng): Group {
  const sf = bit(r), op = bit(r), s = bit(r);
  const rd = s ? RZ(r) : R(r);
  return one(
    "addsub-imm",
    fields([sf, 1], [op, 1], [s, 1], [0b100010, 6], [bit(r), 1], [r.below(4096), 12], [R(r), 5], [
      rd,
      5,
    ]),
  );
}

/** ADD/SUB (shifted register): shift type 3 is reserved; 32-bit amounts below 32. */
function addSubShifted(r: Prng): Group {
  const sf = bit(r);
  return one(
    "addsub-shift",
    fields(
      [sf, 1],
      [bit(r), 1],
      [bit(r), 1],
      [0b01011, 5],
      [r.below(3), 2],
      [0, 1],
      [RZ(r), 5],
      [r.below(sf ? 64 : 32), 6],
      [RZ(r), 5],
      [RZ(r), 5],
    ),
  );
}

/** ADD/SUB (extended register): left shift 0-4; Rn (and Rd unless S) 31 = SP, avoided. */
function addSubExtended(r: Prng): Group {
  const s = bit(r);
  return one(
    "addsub-ext",
    fields(
      [bit(r), 1],
      [bit(r), 1],
      [s, 1],
      [0b01011, 5],
      [0, 2],
      [1, 1],
      [RZ(r), 5],
      [r.below(8), 3],
      [r.below(5), 3],
      [R(r), 5],
      [s ? RZ(r) : R(r), 5],
    ),
  );
}

/** ADC/ADCS/SBC/SBCS. */
function addSubCarry(r: Prng): Group {
  return one(
    "adc-sbc",
    fields([bit(r), 1], [bit(r), 1], [bit(r), 1], [0b11010000, 8], [RZ(r), 5], [0, 6], [RZ(r), 5], [
      RZ(r),
      5,
    ]),
  );
}

/** Logical (immediate) with a valid bitmask: element size, run length and rotation drawn directly. */
function logicalImm(r: Prng): Group {
  const sf = bit(r), opc = r.below(4);
  const sizes = sf ? [2, 4, 8, 16, 32, 64] : [2, 4, 8, 16, 32];
  const e = r.pick(sizes);
  const ones = r.range(1, e - 1);
  const n = e === 64 ? 1 : 0;
  const imms = ((~(e - 1) << 1) & 0x3f) | (ones - 1);
  const immr = r.below(e);
  const rd = opc === 3 ? RZ(r) : R(r); // Rd 31 is SP except for ANDS
  return one(
    "logical-imm",
    fields([sf, 1], [opc, 2], [0b100100, 6], [n, 1], [immr, 6], [imms & 0x3f, 6], [RZ(r), 5], [
      rd,
      5,
    ]),
  );
}

/** AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS (shifted register, any shift incl. ROR). */
function logicalShifted(r: Prng): Group {
  const sf = bit(r);
  return one(
    "logical-shift",
    fields(
      [sf, 1],
      [r.below(4), 2],
      [0b01010, 5],
      [r.below(4), 2],
      [bit(r), 1],
      [RZ(r), 5],
      [r.below(sf ? 64 : 32), 6],
      [RZ(r), 5],
      [RZ(r), 5],
    ),
  );
}

/** MOVN/MOVZ/MOVK (opc 01 is unallocated; 32-bit forms use hw 0-1). */
function moveWide(r: Prng): Group {
  const sf = bit(r);
  return one(
    "move-wide",
    fields([sf, 1], [r.pick([0, 2, 3]), 2], [0b100101, 6], [r.below(sf ? 4 : 2), 2], [
      r.below(65536),
      16,
    ], [R(r), 5]),
  );
}

/** SBFM/BFM/UBFM (N = sf; 32-bit immr/imms below 32). */
function bitfield(r: Prng): Group {
  const sf = bit(r), lim = sf ? 64 : 32;
  return one(
    "bitfield",
    fields([sf, 1], [r.below(3), 2], [0b100110, 6], [sf, 1], [r.below(lim), 6], [r.below(lim), 6], [
      RZ(r),
      5,
    ], [R(r), 5]),
  );
}

/** EXTR (N = sf; 32-bit lsb below 32). */
function extract(r: Prng): Group {
  const sf = bit(r);
  return one(
    "extr",
    fields(
      [sf, 1],
      [0, 2],
      [0b100111, 6],
      [sf, 1],
      [0, 1],
      [RZ(r), 5],
      [r.below(sf ? 64 : 32), 6],
      [
        RZ(r),
        5,
      ],
      [R(r), 5],
    ),
  );
}

/** Data processing (2 source): UDIV/SDIV, LSLV/LSRV/ASRV/RORV, CRC32{B,H,W,X}, CRC32C{...}. */
function dataProc2(r: Prng): Group {
  let sf = bit(r);
  let opcode: number;
  if (r.chance(0.25)) {
    const size = r.below(4);
    sf = size === 3 ? 1 : 0; // CRC32X/CX need sf=1; the others sf=0
    opcode = 0b010000 | (bit(r) << 2) | size;
  } else {
    opcode = r.pick([0b000010, 0b000011, 0b001000, 0b001001, 0b001010, 0b001011]);
  }
  return one(
    "dp-2src",
    fields([sf, 1], [0, 1], [0, 1], [0b11010110, 8], [RZ(r), 5], [opcode, 6], [RZ(r), 5], [
      R(r),
      5,
    ]),
  );
}

/** Data processing (1 source): RBIT, REV16, REV32/REV, REV (64), CLZ, CLS. */
function dataProc1(r: Prng): Group {
  const sf = bit(r);
  const opcode = r.pick(sf ? [0, 1, 2, 3, 4, 5] : [0, 1, 2, 4, 5]);
  return one(
    "dp-1src",
    fields([sf, 1], [1, 1], [0, 1], [0b11010110, 8], [0, 5], [opcode, 6], [RZ(r), 5], [R(r), 5]),
  );
}

/** Data processing (3 source): MADD/MSUB, SMADDL/SMSUBL, UMADDL/UMSUBL, SMULH/UMULH. */
function dataProc3(r: Prng): Group {
  const sf = bit(r);
  let op31 = 0, o0 = bit(r), ra = RZ(r);
  if (sf) {
    op31 = r.pick([0, 1, 2, 5, 6]);
    if (op31 === 2 || op31 === 6) {
      o0 = 0;
      ra = R31;
    }
  }
  return one(
    "dp-3src",
    fields([sf, 1], [0, 2], [0b11011, 5], [op31, 3], [RZ(r), 5], [o0, 1], [ra, 5], [RZ(r), 5], [
      R(r),
      5,
    ]),
  );
}

/** CSEL/CSINC/CSINV/CSNEG with any condition. */
function condSelect(r: Prng): Group {
  return one(
    "cond-select",
    fields(
      [bit(r), 1],
      [bit(r), 1],
      [0, 1],
      [0b11010100, 8],
      [RZ(r), 5],
      [r.below(16), 4],
      [
        bit(r),
        2,
      ],
      [RZ(r), 5],
      [RZ(r), 5],
    ),
  );
}

/** CCMN/CCMP (register or 5-bit immediate). */
function condCompare(r: Prng): Group {
  return one(
    "cond-compare",
    fields(
      [bit(r), 1],
      [bit(r), 1],
      [1, 1],
      [0b11010010, 8],
      [r.below(32), 5],
      [r.below(16), 4],
      [bit(r), 1],
      [0, 1],
      [RZ(r), 5],
      [0, 1],
      [r.below(16), 4],
    ),
  );
}

/** MRS Xt, NZCV and MSR NZCV, Xt. */
function nzcvMove(r: Prng): Group {
  return one("nzcv", (bit(r) ? 0xd53b4200 : 0xd51b4200) + R(r));
}

/** ADD X27, X28, #imm: the address setup of a memory group. */
function setBase(offset: number): number {
  return fields([1, 1], [0, 1], [0, 1], [0b100010, 6], [0, 1], [offset, 12], [REG_SCRATCH, 5], [
    REG_TEMP,
    5,
  ]);
}

/** Single-register load/store size and opc choices (size, opc): stores, loads, sign-extending loads. */
const LDST_FORMS: readonly (readonly [number, number])[] = [
  [0, 0],
  [1, 0],
  [2, 0],
  [3, 0], // STRB STRH STR(W) STR(X)
  [0, 1],
  [1, 1],
  [2, 1],
  [3, 1], // LDRB LDRH LDR(W) LDR(X)
  [0, 2],
  [1, 2],
  [2, 2], // LDRSB/LDRSH/LDRSW to X
  [0, 3],
  [1, 3], // LDRSB/LDRSH to W
];

function ldstRt(r: Prng, opc: number): number {
  return opc === 0 ? RZ(r) : R(r);
}

/** LDR/STR (unsigned scaled offset) from X28. */
function ldstUnsigned(r: Prng): Group {
  const [size, opc] = r.pick(LDST_FORMS);
  const imm12 = r.below((SCRATCH_SIZE >> size) - 1);
  return one(
    "ldst-uimm",
    fields([size, 2], [0b111, 3], [0, 1], [0b01, 2], [opc, 2], [imm12, 12], [REG_SCRATCH, 5], [
      ldstRt(r, opc),
      5,
    ]),
  );
}

/** LDUR/STUR (unscaled, any alignment), or pre/post-index with writeback of X27. */
function ldstUnscaledOrIndexed(r: Prng): Group {
  const [size, opc] = r.pick(LDST_FORMS);
  const mode = r.pick([0b00, 0b01, 0b11]); // unscaled, post-index, pre-index
  const imm9 = r.range(-256, 255 - 8);
  return {
    cls: mode === 0 ? "ldst-unscaled" : "ldst-prepost",
    words: [
      setBase(SCRATCH_SIZE / 2),
      fields(
        [size, 2],
        [0b111, 3],
        [0, 1],
        [0, 2],
        [opc, 2],
        [0, 1],
        [signed(imm9, 9), 9],
        [
          mode,
          2,
        ],
        [REG_TEMP, 5],
        [ldstRt(r, opc), 5],
      ),
    ],
  };
}

/** LDR/STR (register offset): X27 = small index (MOVZ), extended by LSL/UXTW/SXTW/SXTX, optionally scaled. */
function ldstRegister(r: Prng): Group {
  const [size, opc] = r.pick(LDST_FORMS);
  const s = bit(r);
  const maxIndex = ((SCRATCH_SIZE - 8) >> (s ? size : 0)) - 1;
  const index = r.below(maxIndex);
  const option = r.pick([0b010, 0b011, 0b110, 0b111]);
  const movz = fields([1, 1], [0b10, 2], [0b100101, 6], [0, 2], [index, 16], [REG_TEMP, 5]);
  return {
    cls: "ldst-regoff",
    words: [
      movz,
      fields(
        [size, 2],
        [0b111, 3],
        [0, 1],
        [0, 2],
        [opc, 2],
        [1, 1],
        [REG_TEMP, 5],
        [option, 3],
        [s, 1],
        [0b10, 2],
        [REG_SCRATCH, 5],
        [ldstRt(r, opc), 5],
      ),
    ],
  };
}

/** LDP/STP (32/64-bit), LDPSW, LDNP/STNP with signed offsets from X27 (with or without writeback). */
function ldstPair(r: Prng): Group {
  const load = bit(r);
  const opc = load && r.chance(0.25) ? 1 : r.pick([0, 2]); // 01 = LDPSW (loads only)
  const mode = opc === 1 ? r.pick([1, 2, 3]) : r.pick([0, 1, 2, 3]); // 0 = non-temporal
  const scale = opc === 2 ? 8 : 4;
  const imm7 = r.range(-64, 63 - 2);
  const rt = load ? R(r) : RZ(r);
  let rt2 = load ? R(r) : RZ(r);
  if (load && rt2 === rt) rt2 = (rt + 1) % POOL_REGS; // LDP with Rt == Rt2 is UNPREDICTABLE
  void scale;
  return {
    cls: "ldst-pair",
    words: [
      setBase(SCRATCH_SIZE / 2),
      fields([opc, 2], [0b101, 3], [0, 1], [mode, 3], [load, 1], [signed(imm7, 7), 7], [rt2, 5], [
        REG_TEMP,
        5,
      ], [rt, 5]),
    ],
  };
}

/** LDAR/STLR (B/H/W/X) at an address aligned to the access size. */
function ldstAcquireRelease(r: Prng): Group {
  const size = r.below(4), load = bit(r);
  const offset = r.below(SCRATCH_SIZE >> size) << size;
  return {
    cls: "ldar-stlr",
    words: [
      setBase(Math.min(offset, SCRATCH_SIZE - 8)),
      fields(
        [size, 2],
        [0b001000, 6],
        [1, 1],
        [load, 1],
        [0, 1],
        [R31, 5],
        [1, 1],
        [R31, 5],
        [REG_TEMP, 5],
        [load ? R(r) : RZ(r), 5],
      ),
    ],
  };
}

/** Forward branch groups: B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, and ADR + BR/BLR/RET through X27. */
function branch(r: Prng): Group {
  const skip = r.range(0, 3);
  const kind = r.below(7);
  switch (kind) {
    case 0:
    case 1:
      return {
        cls: kind === 0 ? "b" : "bl",
        words: [0],
        branch: {
          skip,
          patch: (w, off) => w[0] = fields([kind, 1], [0b00101, 5], [off / 4, 26]),
        },
      };
    case 2: {
      const cond = r.below(16);
      return {
        cls: "b.cond",
        words: [0],
        branch: {
          skip,
          patch: (w, off) => w[0] = fields([0b01010100, 8], [off / 4, 19], [0, 1], [cond, 4]),
        },
      };
    }
    case 3: {
      const sf = bit(r), op = bit(r), rt = RZ(r);
      return {
        cls: "cbz",
        words: [0],
        branch: {
          skip,
          patch: (w, off) => w[0] = fields([sf, 1], [0b011010, 6], [op, 1], [off / 4, 19], [rt, 5]),
        },
      };
    }
    case 4: {
      const b = r.below(64), op = bit(r), rt = RZ(r);
      return {
        cls: "tbz",
        words: [0],
        branch: {
          skip,
          patch: (w, off) =>
            w[0] = fields([b >> 5, 1], [0b011011, 6], [op, 1], [b & 31, 5], [off / 4, 14], [rt, 5]),
        },
      };
    }
    default: {
      // ADR X27, target; then BR / BLR / RET X27.
      const opc = r.pick([0b0000, 0b0001, 0b0010]);
      return {
        cls: ["br", "blr", "ret"][opc],
        words: [0, 0],
        branch: {
          skip,
          patch: (w, off) => {
            w[0] = fields([0, 1], [off & 3, 2], [0b10000, 5], [off >> 2, 19], [REG_TEMP, 5]);
            w[1] = fields([0b1101011, 7], [opc, 4], [0b11111, 5], [0, 6], [REG_TEMP, 5], [0, 5]);
          },
        },
      };
    }
  }
}

// ---------------------------------------------------------------------------
// Scalar FP (V0..V7; S and D precision; half precision only in conversions)
// ---------------------------------------------------------------------------

/** FMUL/FDIV/FADD/FSUB/FMAX/FMIN/FMAXNM/FMINNM/FNMUL. */
function fpDp2(r: Prng): Group {
  return one(
    "fp-2src",
    fields([0b00011110, 8], [bit(r), 2], [1, 1], [V(r), 5], [r.below(9), 4], [0b10, 2], [V(r), 5], [
      V(r),
      5,
    ]),
  );
}

/** FMOV/FABS/FNEG/FSQRT, FCVT between precisions, FRINT{N,P,M,Z,A,X,I}. */
function fpDp1(r: Prng): Group {
  const type = bit(r);
  const ops = [0, 1, 2, 3, type === 0 ? 5 : 4, 7, 8, 9, 10, 11, 12, 14, 15];
  return one(
    "fp-1src",
    fields([0b00011110, 8], [type, 2], [1, 1], [r.pick(ops), 6], [0b10000, 5], [V(r), 5], [
      V(r),
      5,
    ]),
  );
}

/** FMADD/FMSUB/FNMADD/FNMSUB (fused). */
function fpDp3(r: Prng): Group {
  return one(
    "fp-3src",
    fields(
      [0b00011111, 8],
      [bit(r), 2],
      [bit(r), 1],
      [V(r), 5],
      [bit(r), 1],
      [V(r), 5],
      [V(r), 5],
      [
        V(r),
        5,
      ],
    ),
  );
}

/** FCMP/FCMPE (register or #0.0), FCCMP/FCCMPE, FCSEL, FMOV (immediate). */
function fpCompareSelect(r: Prng): Group {
  const type = bit(r);
  switch (r.below(4)) {
    case 0: {
      const zero = bit(r);
      return one(
        "fp-cmp",
        fields([0b00011110, 8], [type, 2], [1, 1], [zero ? 0 : V(r), 5], [0b001000, 6], [V(r), 5], [
          (bit(r) << 4) | (zero << 3),
          5,
        ]),
      );
    }
    case 1:
      return one(
        "fp-ccmp",
        fields([0b00011110, 8], [type, 2], [1, 1], [V(r), 5], [r.below(16), 4], [0b01, 2], [
          V(r),
          5,
        ], [
          bit(r),
          1,
        ], [r.below(16), 4]),
      );
    case 2:
      return one(
        "fp-csel",
        fields([0b00011110, 8], [type, 2], [1, 1], [V(r), 5], [r.below(16), 4], [0b11, 2], [
          V(r),
          5,
        ], [
          V(r),
          5,
        ]),
      );
    default:
      return one(
        "fp-imm",
        fields([0b00011110, 8], [type, 2], [1, 1], [r.below(256), 8], [0b100, 3], [0, 5], [
          V(r),
          5,
        ]),
      );
  }
}

/** FCVT{N,P,M,Z,A}{S,U} to W/X, SCVTF/UCVTF from W/X, FMOV between general and FP registers. */
function fpIntConvert(r: Prng): Group {
  const sf = bit(r), type = bit(r);
  const choice = r.below(4);
  if (choice === 0) {
    // FMOV general <-> FP: sf must match the precision (W<->S, X<->D).
    const toFp = bit(r);
    return one(
      "fp-fmov-gp",
      fields([type, 1], [0b0011110, 7], [type, 2], [1, 1], [0, 2], [0b110 | toFp, 3], [0, 6], [
        toFp ? RZ(r) : V(r),
        5,
      ], [toFp ? V(r) : R(r), 5]),
    );
  }
  if (choice === 1) {
    return one(
      "fp-scvtf",
      fields([sf, 1], [0b0011110, 7], [type, 2], [1, 1], [0, 2], [0b010 | bit(r), 3], [0, 6], [
        RZ(r),
        5,
      ], [V(r), 5]),
    );
  }
  const [rmode, opcode] = r.pick(
    [[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1], [3, 0], [3, 1], [
      0,
      4,
    ], [0, 5]] as const,
  );
  return one(
    "fp-fcvt-int",
    fields([sf, 1], [0b0011110, 7], [type, 2], [1, 1], [rmode, 2], [opcode, 3], [0, 6], [V(r), 5], [
      R(r),
      5,
    ]),
  );
}

/** The integer, memory, branch and scalar FP classes, with their relative weights. */
export const SCALAR_CLASSES: readonly InstructionClass[] = [
  { name: "addsub-imm", fp: false, weight: 6, generate: addSubImm },
  { name: "addsub-shift", fp: false, weight: 6, generate: addSubShifted },
  { name: "addsub-ext", fp: false, weight: 4, generate: addSubExtended },
  { name: "adc-sbc", fp: false, weight: 3, generate: addSubCarry },
  { name: "logical-imm", fp: false, weight: 5, generate: logicalImm },
  { name: "logical-shift", fp: false, weight: 5, generate: logicalShifted },
  { name: "move-wide", fp: false, weight: 4, generate: moveWide },
  { name: "bitfield", fp: false, weight: 5, generate: bitfield },
  { name: "extr", fp: false, weight: 2, generate: extract },
  { name: "dp-2src", fp: false, weight: 5, generate: dataProc2 },
  { name: "dp-1src", fp: false, weight: 3, generate: dataProc1 },
  { name: "dp-3src", fp: false, weight: 4, generate: dataProc3 },
  { name: "cond-select", fp: false, weight: 4, generate: condSelect },
  { name: "cond-compare", fp: false, weight: 4, generate: condCompare },
  { name: "nzcv", fp: false, weight: 1, generate: nzcvMove },
  { name: "ldst-uimm", fp: false, weight: 4, generate: ldstUnsigned },
  { name: "ldst-unscaled", fp: false, weight: 4, generate: ldstUnscaledOrIndexed },
  { name: "ldst-regoff", fp: false, weight: 3, generate: ldstRegister },
  { name: "ldst-pair", fp: false, weight: 3, generate: ldstPair },
  { name: "ldar-stlr", fp: false, weight: 1, generate: ldstAcquireRelease },
  { name: "branch", fp: false, weight: 4, generate: branch },
  { name: "fp-2src", fp: true, weight: 5, generate: fpDp2 },
  { name: "fp-1src", fp: true, weight: 4, generate: fpDp1 },
  { name: "fp-3src", fp: true, weight: 3, generate: fpDp3 },
  { name: "fp-cmp-sel", fp: true, weight: 3, generate: fpCompareSelect },
  { name: "fp-int", fp: true, weight: 3, generate: fpIntConvert },
];

/** A generated sequence: groups with branches patched. */
export interface Sequence {
  /** The groups, branches patched. */
  readonly groups: readonly Group[];
  /** All words in order. */
  readonly words: readonly number[];
  /**
   * Instructions certainly executed: the words of groups that no branch can
   * skip (a lower bound of what runs, used for the "instructions compared" count).
   */
  readonly executedAtLeast: number;
}

/** Generate `groupCount` groups from `classes` (weighted) and patch the branches. */
export function generateSequence(
  r: Prng,
  classes: readonly InstructionClass[],
  groupCount: number,
): Sequence {
  const total = classes.reduce((n, c) => n + c.weight, 0);
  const groups: Group[] = [];
  for (let i = 0; i < groupCount; i++) {
    let x = r.below(total);
    let cls = classes[0];
    for (const c of classes) {
      if (x < c.weight) {
        cls = c;
        break;
      }
      x -= c.weight;
    }
    groups.push(cls.generate(r));
  }
  return link(groups);
}

/**
 * Patch every branch of `groups` to skip its groups (clamped to the end of
 * the sequence) and count the instructions no branch can skip.
 */
export function link(groups: readonly Group[]): Sequence {
  const maybeSkipped = new Uint8Array(groups.length);
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (!g.branch) continue;
    const last = Math.min(groups.length, i + 1 + g.branch.skip);
    let off = g.words.length * 4;
    for (let j = i + 1; j < last; j++) {
      off += groups[j].words.length * 4;
      maybeSkipped[j] = 1;
    }
    g.branch.patch(g.words, off);
  }
  const words: number[] = [];
  let executedAtLeast = 0;
  groups.forEach((g, i) => {
    words.push(...g.words);
    if (!maybeSkipped[i]) executedAtLeast += g.words.length;
  });
  return { groups, words, executedAtLeast };
}
