/**
 * Random AdvSIMD instruction generators for the fuzzer (V0..V7 only; the
 * classes glibc's string and memory routines and compiler-vectorised code
 * use). Every generator draws only allocated encodings: reserved size/Q
 * combinations are excluded per instruction, as the Arm ARM's decode tables
 * mark them.
 *
 * @module
 */
import { fields } from "./encode.ts";
import type { Group, InstructionClass } from "./generator.ts";
import { POOL_REGS, POOL_VREGS, R31, REG_SCRATCH, REG_TEMP, SCRATCH_SIZE } from "./layout.ts";
import { signed } from "./encode.ts";
import type { Prng } from "./prng.ts";

const V = (r: Prng) => r.below(POOL_VREGS);
const R = (r: Prng) => r.below(POOL_REGS);
const RZ = (r: Prng) => r.chance(0.125) ? R31 : r.below(POOL_REGS);
const bit = (r: Prng) => r.below(2);
const one = (cls: string, word: number): Group => ({ cls, words: [word] });

/** A size/Q pair: 64-bit elements (size 3) need Q = 1; `maxSize` excludes sizes the op lacks. */
function sizeQ(r: Prng, maxSize: number): [number, number] {
  const size = r.below(maxSize + 1);
  return [size, size === 3 ? 1 : bit(r)];
}

/** Three registers of the same type: integer arithmetic, compares, min/max, saturation, logic, shifts. */
function threeSame(r: Prng): Group {
  // [opcode, U, largest allowed size]
  const ops: readonly (readonly [number, number, number])[] = [
    [0b10000, 0, 3], // ADD
    [0b10000, 1, 3], // SUB
    [0b10001, 1, 3], // CMEQ
    [0b10001, 0, 3], // CMTST
    [0b00110, 1, 3], // CMHI
    [0b00111, 1, 3], // CMHS
    [0b00110, 0, 3], // CMGT
    [0b00111, 0, 3], // CMGE
    [0b01100, 1, 2], // UMAX
    [0b01101, 1, 2], // UMIN
    [0b01100, 0, 2], // SMAX
    [0b01101, 0, 2], // SMIN
    [0b00001, 1, 3], // UQADD
    [0b00001, 0, 3], // SQADD
    [0b00101, 1, 3], // UQSUB
    [0b00101, 0, 3], // SQSUB
    [0b01110, 1, 2], // UABD
    [0b01110, 0, 2], // SABD
    [0b01000, 1, 3], // USHL
    [0b01000, 0, 3], // SSHL
    [0b10011, 0, 2], // MUL
    [0b10010, 0, 2], // MLA
    [0b10010, 1, 2], // MLS
    [0b10100, 1, 2], // UMAXP
    [0b10101, 1, 2], // UMINP
    [0b10111, 0, 3], // ADDP
  ];
  if (r.chance(0.25)) {
    // Logical: AND/BIC/ORR/ORN (U=0) and EOR/BSL/BIT/BIF (U=1); size selects the operation.
    return one(
      "simd-logic",
      fields(
        [0, 1],
        [bit(r), 1],
        [bit(r), 1],
        [0b01110, 5],
        [r.below(4), 2],
        [1, 1],
        [V(r), 5],
        [
          0b00011,
          5,
        ],
        [1, 1],
        [V(r), 5],
        [V(r), 5],
      ),
    );
  }
  const [opcode, u, maxSize] = r.pick(ops);
  const [size, q] = sizeQ(r, maxSize);
  return one(
    "simd-3same",
    fields(
      [0, 1],
      [q, 1],
      [u, 1],
      [0b01110, 5],
      [size, 2],
      [1, 1],
      [V(r), 5],
      [opcode, 5],
      [1, 1],
      [
        V(r),
        5,
      ],
      [V(r), 5],
    ),
  );
}

/** Shift by immediate: SHL, USHR/SSHR, USRA/SSRA, SRI/SLI, SHRN/RSHRN, USHLL/SSHLL. */
function shiftImmediate(r: Prng): Group {
  // [opcode, U, kind]: kind "r" right shift, "l" left shift, "n" narrowing right, "w" widening left
  const ops: readonly (readonly [number, number, string])[] = [
    [0b01010, 0, "l"], // SHL
    [0b00000, 1, "r"], // USHR
    [0b00000, 0, "r"], // SSHR
    [0b00010, 1, "r"], // USRA
    [0b00010, 0, "r"], // SSRA
    [0b01000, 1, "r"], // SRI
    [0b01010, 1, "l"], // SLI
    [0b10000, 0, "n"], // SHRN
    [0b10001, 0, "n"], // RSHRN
    [0b10100, 1, "w"], // USHLL
    [0b10100, 0, "w"], // SSHLL
  ];
  const [opcode, u, kind] = r.pick(ops);
  const narrowOrWide = kind === "n" || kind === "w";
  const sizeLog = r.below(narrowOrWide ? 3 : 4); // 8 << sizeLog bits (narrow: destination size)
  const esize = 8 << sizeLog;
  const q = sizeLog === 3 ? 1 : bit(r);
  let immhb: number;
  if (kind === "l" || kind === "w") immhb = esize + r.below(esize);
  else immhb = 2 * esize - r.range(1, esize);
  return one(
    "simd-shift",
    fields([0, 1], [q, 1], [u, 1], [0b011110, 6], [immhb, 7], [opcode, 5], [1, 1], [V(r), 5], [
      V(r),
      5,
    ]),
  );
}

/** UZP1/2, TRN1/2, ZIP1/2, EXT, TBL/TBX (table registers kept inside V0..V7). */
function permute(r: Prng): Group {
  const choice = r.below(3);
  if (choice === 0) {
    const [size, q] = sizeQ(r, 3);
    return one(
      "simd-permute",
      fields(
        [0, 1],
        [q, 1],
        [0b001110, 6],
        [size, 2],
        [0, 1],
        [V(r), 5],
        [0, 1],
        [
          r.pick([1, 2, 3, 5, 6, 7]),
          3,
        ],
        [0b10, 2],
        [V(r), 5],
        [V(r), 5],
      ),
    );
  }
  if (choice === 1) {
    const q = bit(r);
    return one(
      "simd-ext",
      fields(
        [0, 1],
        [q, 1],
        [0b101110, 6],
        [0, 2],
        [0, 1],
        [V(r), 5],
        [0, 1],
        [
          r.below(q ? 16 : 8),
          4,
        ],
        [0, 1],
        [V(r), 5],
        [V(r), 5],
      ),
    );
  }
  const len = r.below(4);
  return one(
    "simd-tbl",
    fields(
      [0, 1],
      [bit(r), 1],
      [0b001110, 6],
      [0, 2],
      [0, 1],
      [V(r), 5],
      [0, 1],
      [len, 2],
      [
        bit(r),
        1,
      ],
      [0, 2],
      [r.below(POOL_VREGS - len), 5],
      [V(r), 5],
    ),
  );
}

/** DUP (element, general), INS (element, general), UMOV, SMOV. */
function copy(r: Prng): Group {
  const size = r.below(4);
  const imm5 = (idx: number) => (idx << (size + 1)) | (1 << size);
  const lanes = 16 >> size;
  switch (r.below(6)) {
    case 0: // DUP (element)
      return one(
        "simd-dup",
        fields(
          [0, 1],
          [size === 3 ? 1 : bit(r), 1],
          [0, 1],
          [0b01110000, 8],
          [imm5(r.below(lanes)), 5],
          [
            0,
            1,
          ],
          [0b0000, 4],
          [1, 1],
          [V(r), 5],
          [V(r), 5],
        ),
      );
    case 1: // DUP (general)
      return one(
        "simd-dup",
        fields(
          [0, 1],
          [size === 3 ? 1 : bit(r), 1],
          [0, 1],
          [0b01110000, 8],
          [imm5(0), 5],
          [0, 1],
          [
            0b0001,
            4,
          ],
          [1, 1],
          [RZ(r), 5],
          [V(r), 5],
        ),
      );
    case 2: // INS (general)
      return one(
        "simd-ins",
        fields(
          [0, 1],
          [1, 1],
          [0, 1],
          [0b01110000, 8],
          [imm5(r.below(lanes)), 5],
          [0, 1],
          [0b0011, 4],
          [
            1,
            1,
          ],
          [RZ(r), 5],
          [V(r), 5],
        ),
      );
    case 3: // INS (element)
      return one(
        "simd-ins",
        fields(
          [0, 1],
          [1, 1],
          [1, 1],
          [0b01110000, 8],
          [imm5(r.below(lanes)), 5],
          [0, 1],
          [
            r.below(lanes) << size,
            4,
          ],
          [1, 1],
          [V(r), 5],
          [V(r), 5],
        ),
      );
    case 4: // UMOV (to W for B/H/S, to X for D)
      return one(
        "simd-umov",
        fields(
          [0, 1],
          [size === 3 ? 1 : 0, 1],
          [0, 1],
          [0b01110000, 8],
          [imm5(r.below(lanes)), 5],
          [
            0,
            1,
          ],
          [0b0111, 4],
          [1, 1],
          [V(r), 5],
          [R(r), 5],
        ),
      );
    default: { // SMOV (B/H to W or X, S to X)
      const s = r.below(3);
      const q = s === 2 ? 1 : bit(r);
      return one(
        "simd-smov",
        fields(
          [0, 1],
          [q, 1],
          [0, 1],
          [0b01110000, 8],
          [(r.below(16 >> s) << (s + 1)) | (1 << s), 5],
          [
            0,
            1,
          ],
          [0b0101, 4],
          [1, 1],
          [V(r), 5],
          [R(r), 5],
        ),
      );
    }
  }
}

/** Across lanes: ADDV, UMAXV/UMINV, SMAXV/SMINV, UADDLV/SADDLV (4S only with Q = 1). */
function acrossLanes(r: Prng): Group {
  const [opcode, u] = r.pick(
    [[0b11011, 0], [0b01010, 1], [0b11010, 1], [0b01010, 0], [0b11010, 0], [
      0b00011,
      1,
    ], [0b00011, 0]] as const,
  );
  const size = r.below(3);
  const q = size === 2 ? 1 : bit(r);
  return one(
    "simd-across",
    fields([0, 1], [q, 1], [u, 1], [0b01110, 5], [size, 2], [0b11000, 5], [opcode, 5], [0b10, 2], [
      V(r),
      5,
    ], [V(r), 5]),
  );
}

/** Two-register miscellaneous: REV*, CNT, NOT, CLZ/CLS, compares with zero, ABS/NEG, XTN(2). */
function twoMisc(r: Prng): Group {
  // [opcode, U, allowed sizes]
  const ops: readonly (readonly [number, number, readonly number[]])[] = [
    [0b00000, 0, [0, 1, 2]], // REV64
    [0b00000, 1, [0, 1]], // REV32
    [0b00001, 0, [0]], // REV16
    [0b00101, 0, [0]], // CNT
    [0b00101, 1, [0]], // NOT
    [0b00100, 1, [0, 1, 2]], // CLZ
    [0b00100, 0, [0, 1, 2]], // CLS
    [0b01001, 0, [0, 1, 2, 3]], // CMEQ #0
    [0b01000, 1, [0, 1, 2, 3]], // CMGE #0
    [0b01000, 0, [0, 1, 2, 3]], // CMGT #0
    [0b01001, 1, [0, 1, 2, 3]], // CMLE #0
    [0b01010, 0, [0, 1, 2, 3]], // CMLT #0
    [0b01011, 0, [0, 1, 2, 3]], // ABS
    [0b01011, 1, [0, 1, 2, 3]], // NEG
    [0b10010, 0, [0, 1, 2]], // XTN/XTN2
  ];
  const [opcode, u, sizes] = r.pick(ops);
  const size = r.pick(sizes);
  const q = size === 3 ? 1 : bit(r);
  return one(
    "simd-2misc",
    fields([0, 1], [q, 1], [u, 1], [0b01110, 5], [size, 2], [0b10000, 5], [opcode, 5], [0b10, 2], [
      V(r),
      5,
    ], [V(r), 5]),
  );
}

/** Modified immediate: MOVI (8/16/32/64-bit forms), MVNI, ORR/BIC (32-bit shifted), FMOV (vector, single). */
function modifiedImmediate(r: Prng): Group {
  // [op, cmode]
  const [op, cmode] = r.pick(
    [
      [0, 0b1110], // MOVI 8-bit
      [1, 0b1110], // MOVI 64-bit mask
      [0, 0b0000],
      [0, 0b0010],
      [0, 0b0100],
      [0, 0b0110], // MOVI 32-bit shifted
      [1, 0b0000],
      [1, 0b0110], // MVNI 32-bit shifted
      [0, 0b0001],
      [0, 0b0101], // ORR 32-bit
      [1, 0b0011],
      [1, 0b0111], // BIC 32-bit
      [0, 0b1000],
      [0, 0b1010], // MOVI 16-bit shifted
      [0, 0b1100],
      [1, 0b1101], // MOVI/MVNI shifting ones
      [0, 0b1111], // FMOV (vector, single)
    ] as const,
  );
  const imm8 = r.below(256);
  return one(
    "simd-movi",
    fields([0, 1], [bit(r), 1], [op, 1], [0b0111100000, 10], [imm8 >> 5, 3], [cmode, 4], [0, 1], [
      1,
      1,
    ], [
      imm8 & 31,
      5,
    ], [V(r), 5]),
  );
}

/** Vector FP three-same on 4S/2S/2D: FADD/FSUB/FMUL/FDIV/FMAX/FMIN/FMLA/FMLS/FCMEQ/FCMGE/FCMGT. */
function fpVector(r: Prng): Group {
  // [U, a (bit 23), opcode]
  const [u, a, opcode] = r.pick(
    [
      [0, 0, 0b11010],
      [0, 1, 0b11010],
      [1, 0, 0b11011],
      [1, 0, 0b11111],
      [0, 0, 0b11110],
      [0, 1, 0b11110],
      [0, 0, 0b11001],
      [0, 1, 0b11001],
      [0, 0, 0b11100],
      [1, 0, 0b11100],
      [1, 1, 0b11100],
    ] as const,
  );
  const sz = bit(r);
  const q = sz ? 1 : bit(r);
  return one(
    "simd-fp",
    fields([0, 1], [q, 1], [u, 1], [0b01110, 5], [a, 1], [sz, 1], [1, 1], [V(r), 5], [opcode, 5], [
      1,
      1,
    ], [
      V(r),
      5,
    ], [V(r), 5]),
  );
}

/** ADD X27, X28, #offset: the address set-up of a memory group. */
function setBase(offset: number): number {
  return fields([1, 1], [0, 1], [0, 1], [0b100010, 6], [0, 1], [offset, 12], [REG_SCRATCH, 5], [
    REG_TEMP,
    5,
  ]);
}

/**
 * SIMD&FP loads and stores: LDR/STR B/H/S/D/Q (unsigned offset from X28),
 * LDUR/STUR, LDP/STP/LDNP/STNP of S/D/Q, LD1/ST1 of one to four registers
 * and LD1R, from X27 = X28 + 512 (unaligned allowed: Normal memory).
 */
function simdLoadStore(r: Prng): Group {
  const load = bit(r);
  switch (r.below(5)) {
    case 0: { // LDR/STR (unsigned offset): size:opc<1> selects B/H/S/D/Q
      const [size, q] = r.pick([[0, 0], [1, 0], [2, 0], [3, 0], [0, 1]] as const);
      const bytes = q ? 16 : 1 << size;
      return one(
        "simd-ldst",
        fields(
          [size, 2],
          [0b111, 3],
          [1, 1],
          [0b01, 2],
          [(q << 1) | load, 2],
          [
            r.below(SCRATCH_SIZE / bytes - 1),
            12,
          ],
          [REG_SCRATCH, 5],
          [V(r), 5],
        ),
      );
    }
    case 1: { // LDUR/STUR
      const [size, q] = r.pick([[0, 0], [1, 0], [2, 0], [3, 0], [0, 1]] as const);
      return {
        cls: "simd-ldst",
        words: [
          setBase(SCRATCH_SIZE / 2),
          fields(
            [size, 2],
            [0b111, 3],
            [1, 1],
            [0, 2],
            [(q << 1) | load, 2],
            [0, 1],
            [
              signed(r.range(-256, 255 - 16), 9),
              9,
            ],
            [0, 2],
            [REG_TEMP, 5],
            [V(r), 5],
          ),
        ],
      };
    }
    case 2: { // LDP/STP/LDNP/STNP of S (00), D (01), Q (10)
      const opc = r.below(3);
      const rt = V(r);
      let rt2 = V(r);
      if (load && rt2 === rt) rt2 = (rt + 1) % POOL_VREGS; // LDP with Rt == Rt2 is UNPREDICTABLE
      return {
        cls: "simd-ldst",
        words: [
          setBase(SCRATCH_SIZE / 2),
          fields(
            [opc, 2],
            [0b101, 3],
            [1, 1],
            [r.pick([0, 2]), 3],
            [load, 1],
            [
              signed(r.range(-16, 14), 7),
              7,
            ],
            [rt2, 5],
            [REG_TEMP, 5],
            [rt, 5],
          ),
        ],
      };
    }
    case 3: { // LD1/ST1 (multiple structures, 1-4 consecutive registers inside V0..V7)
      const [opcode, n] = r.pick([[0b0111, 1], [0b1010, 2], [0b0110, 3], [0b0010, 4]] as const);
      return {
        cls: "simd-ld1",
        words: [
          setBase(SCRATCH_SIZE / 2),
          fields([0, 1], [bit(r), 1], [0b0011000, 7], [load, 1], [0, 6], [opcode, 4], [
            r.below(4),
            2,
          ], [
            REG_TEMP,
            5,
          ], [r.below(POOL_VREGS - n + 1), 5]),
        ],
      };
    }
    default: // LD1R (load one element, replicate)
      return {
        cls: "simd-ld1",
        words: [
          setBase(r.below(SCRATCH_SIZE - 16)),
          fields(
            [0, 1],
            [bit(r), 1],
            [0b0011010, 7],
            [1, 1],
            [0, 1],
            [0, 5],
            [0b110, 3],
            [0, 1],
            [
              r.below(4),
              2,
            ],
            [REG_TEMP, 5],
            [V(r), 5],
          ),
        ],
      };
  }
}

/** The AdvSIMD classes (all need FP enabled). */
export const SIMD_CLASSES: readonly InstructionClass[] = [
  { name: "simd-3same", fp: true, weight: 6, generate: threeSame },
  { name: "simd-shift", fp: true, weight: 3, generate: shiftImmediate },
  { name: "simd-permute", fp: true, weight: 3, generate: permute },
  { name: "simd-copy", fp: true, weight: 3, generate: copy },
  { name: "simd-across", fp: true, weight: 2, generate: acrossLanes },
  { name: "simd-2misc", fp: true, weight: 3, generate: twoMisc },
  { name: "simd-movi", fp: true, weight: 2, generate: modifiedImmediate },
  { name: "simd-fp", fp: true, weight: 3, generate: fpVector },
  { name: "simd-ldst", fp: true, weight: 4, generate: simdLoadStore },
];
