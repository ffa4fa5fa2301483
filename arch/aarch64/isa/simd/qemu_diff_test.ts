/**
 * Differential test against QEMU (TCG, `-cpu cortex-a57`): random FP and
 * AdvSIMD data-processing instructions (every entry of isa/fp and the
 * non-memory entries of isa/simd, with register fields forced into 0..7)
 * run on random V0..V7 (special FP values, denormals, NaNs with payloads),
 * X0..X7, NZCV and FPCR (RMode, FZ, DN, AHP), both by a bare-metal guest under
 * `qemu-system-aarch64 -M virt` and by this CPU. V0..V7, X0..X7, NZCV and
 * FPSR must match after every instruction. A guest-side UNDEFINED exception
 * is reported as a marker value, so a disagreement on what is allocated
 * shows up as a mismatch. Skipped when QEMU or the cross binutils are absent.
 */
import { assertEquals } from "@gunyah-ts/tests/assert";
import { Harness } from "../../cpu/test_asm.ts";
import { a64Decoder } from "../../decode/a64.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { differingQuads, getVQuads, setVQuads, vQuadName } from "../../test_diff_state.ts";
import { missingReferenceTools, runReferenceGuest } from "../../test_qemu.ts";
import {
  CPACR_EL1_FPEN_NO_TRAP,
  guestProgram,
  instLine,
  pairTransfers,
  quadLines,
} from "../../test_qemu_guest.ts";
import {
  type EncodingCandidate,
  encodingCandidates,
  randomEncoding,
  Xorshift32,
} from "../../test_random.ts";
import { entries as fpEntries } from "../fp/mod.ts";
import { entries as simdEntries } from "./mod.ts";
import { entries as loadStoreEntries } from "./loadstore.ts";
import { entries as structureEntries } from "./structure.ts";

/** Number of random instructions. */
const CASES = 2500;
/** Quads printed per case: V0..V7 (16), X0..X7, NZCV, FPSR. */
const QUADS = 26;
/** Seed of the random stream. */
const SEED = 0x7a11ab1e;

interface Case {
  readonly word: number;
  readonly v: bigint[]; // 16 quads: V0..V7 as lo/hi
  readonly x: bigint[];
  readonly nzcv: number;
  readonly fpcr: number;
}

const SPECIAL32 = [
  0,
  0x80000000,
  0x3f800000,
  0xbf800000,
  0x7f800000,
  0xff800000,
  0x7fc00000,
  0x7fc12345,
  0xffa00001,
  0x7f800001,
  0x00000001,
  0x807fffff,
  0x00800000,
  0x7f7fffff,
  0x3effffff,
  0x4b000001,
  0x4f000000,
  0xcf000001,
  0x5f000000,
  0x3f000000,
  0x40490fdb,
  0x34000000,
];
const SPECIAL64 = [
  0n,
  0x8000000000000000n,
  0x3ff0000000000000n,
  0xbff0000000000000n,
  0x7ff0000000000000n,
  0xfff0000000000000n,
  0x7ff8000000000000n,
  0x7ff8000000012345n,
  0xfff4000000000001n,
  0x7ff0000000000001n,
  1n,
  0x800fffffffffffffn,
  0x0010000000000000n,
  0x7fefffffffffffffn,
  0x3fdfffffffffffffn,
  0x4330000000000001n,
  0x43e0000000000000n,
  0xc3e0000000000001n,
  0x3fe0000000000000n,
  0x400921fb54442d18n,
  0x3e70000000000000n,
  0x36a0000000000000n,
];

function randomQuad(r: Xorshift32): bigint {
  switch (r.next() % 4) {
    case 0:
      return (BigInt(r.next()) << 32n) | BigInt(r.next());
    case 1:
      return r.pick(SPECIAL64);
    case 2:
      return (BigInt(r.pick(SPECIAL32)) << 32n) | BigInt(r.pick(SPECIAL32));
    default: { // small integers and nearby floats
      const k = BigInt(r.next() % 64);
      return r.next() & 1 ? k : (0x3ff0000000000000n + (k << 46n)) | (BigInt(r.next()) & 0xffn);
    }
  }
}

/** The data-processing entries under test and their parsed patterns. */
function candidates(): EncodingCandidate[] {
  const memory = new Set<EncodingEntry>([...loadStoreEntries, ...structureEntries]);
  return encodingCandidates([...fpEntries, ...simdEntries].filter((e) => !memory.has(e)));
}

function makeCases(): Case[] {
  const r = new Xorshift32(SEED);
  const d = a64Decoder();
  const pool = candidates();
  const mine = new Set(pool.map((c) => c.entry));
  const h = new Harness();
  h.cpu.sys.setCpacr(CPACR_EL1_FPEN_NO_TRAP);
  const cases: Case[] = [];
  while (cases.length < CASES) {
    const c = r.pick(pool);
    let w = randomEncoding(r, c);
    // Rd, Rn in 0..7; Rm (bits 20:16) in 0..7; Ra in 0..7 for the FP 3-source class.
    w = (w & ~0x318 & ~(3 << 19)) >>> 0;
    if ((w >>> 24) === 0x1f) w = (w & ~(3 << 13)) >>> 0;
    const e = d.lookup(w);
    if (e === null || !mine.has(e)) continue;
    h.cpu.sys.esr = 0;
    h.exec(w);
    if ((h.cpu.sys.esr >>> 26) === 0 && h.cpu.sys.esr !== 0) continue; // UNDEFINED here
    const fpcr = ((r.next() & 3) << 22) | (r.next() % 4 === 0 ? 1 << 24 : 0) |
      (r.next() % 4 === 0 ? 1 << 25 : 0) | (r.next() % 4 === 0 ? 1 << 26 : 0);
    cases.push({
      word: w,
      v: Array.from({ length: 16 }, () => randomQuad(r)),
      x: Array.from({ length: 8 }, () => randomQuad(r)),
      nzcv: r.next() & 15,
      fpcr,
    });
  }
  return cases;
}

function guestSource(cases: readonly Case[]): string {
  const body: string[] = [];
  for (const c of cases) {
    body.push(
      ...pairTransfers("ldp", "q", 0, 8, "x20"),
      ...pairTransfers("ldp", "x", 0, 8, "x20"),
      "  ldp x9, x10, [x20], #16",
      "  msr nzcv, x9",
      "  msr fpcr, x10",
      "  msr fpsr, xzr",
      instLine(c.word),
      "  mrs x9, nzcv",
      "  mrs x10, fpsr",
      ...pairTransfers("stp", "q", 0, 8, "x21"),
      ...pairTransfers("stp", "x", 0, 8, "x21"),
      "  stp x9, x10, [x21], #16",
    );
  }
  body.push("  msr fpcr, xzr");
  const inputs = cases.flatMap((c) =>
    quadLines([...c.v, ...c.x, BigInt((c.nzcv << 28) >>> 0), BigInt(c.fpcr)])
  );
  // An UNDEFINED instruction in the guest sets X0 to the fault marker and is skipped.
  return guestProgram({
    enableFp: true,
    faultMarkRegister: "x0",
    body,
    inputs,
    outputQuads: cases.length * QUADS,
  });
}

Deno.test({
  name:
    "FP and AdvSIMD data processing matches QEMU (cortex-a57) on random instructions, values and FPCR",
  ignore: missingReferenceTools() !== null,
  async fn() {
    const cases = makeCases();
    const quads = await runReferenceGuest(guestSource(cases), { timeoutSeconds: 120 });
    assertEquals(quads.length, cases.length * QUADS);
    const h = new Harness();
    h.cpu.sys.setCpacr(CPACR_EL1_FPEN_NO_TRAP);
    const d = a64Decoder();
    const bad: string[] = [];
    const hex = (v: bigint) => v.toString(16);
    cases.forEach((c, i) => {
      setVQuads(h.cpu, c.v);
      for (let r = 0; r < 8; r++) h.x(r, c.x[r]);
      h.flags = c.nzcv;
      h.cpu.fpcr = c.fpcr;
      h.cpu.fpsr = 0;
      h.exec(c.word);
      const ours = getVQuads(h.cpu, 16);
      for (let r = 0; r < 8; r++) ours.push(h.getX(r));
      ours.push(BigInt((h.flags << 28) >>> 0), BigInt(h.cpu.fpsr >>> 0));
      const theirs = quads.slice(i * QUADS, (i + 1) * QUADS);
      const diff = differingQuads(ours, theirs);
      if (diff.length > 0) {
        const where = diff.map((j) =>
          `${j < 16 ? vQuadName(j) : j < 24 ? `X${j - 16}` : j === 24 ? "NZCV" : "FPSR"}` +
          ` qemu ${hex(theirs[j])} ours ${hex(ours[j])}`
        );
        bad.push(
          `0x${c.word.toString(16)} ${d.nameOf(c.word)} fpcr ${c.fpcr.toString(16)} in V [${
            c.v.map(hex)
          }] X [${c.x.map(hex)}]: ${where.join("; ")}`,
        );
      }
    });
    assertEquals(bad.slice(0, 12), []);
  },
});
