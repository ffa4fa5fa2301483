/**
 * Differential test against QEMU (TCG, `-cpu cortex-a57`) for the SIMD&FP
 * loads and stores: random encodings of every entry of ./loadstore.ts
 * (except the PC-relative literal form) and ./structure.ts, with the base
 * register X1 pointing into the middle of a 4 KiB buffer, X2 a small signed
 * index/post-increment, and V0..V11 random. V0..V11, the written-back base
 * (relative to the buffer) and a hash of the buffer must match QEMU after
 * every instruction. Skipped when QEMU or the cross binutils are absent.
 */
import { assertEquals } from "@gunyah-ts/tests/assert";
import { Harness, RAM_BASE } from "../../cpu/test_asm.ts";
import { TestRam } from "../../cpu/test_support.ts";
import { a64Decoder } from "../../decode/a64.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { differingQuads, getVQuads, setVQuads, vQuadName } from "../../test_diff_state.ts";
import { missingReferenceTools, runReferenceGuest } from "../../test_qemu.ts";
import {
  CPACR_EL1_FPEN_NO_TRAP,
  guestProgram,
  instLine,
  loadAddress,
  pairTransfers,
  quadLines,
} from "../../test_qemu_guest.ts";
import { encodingCandidates, randomEncoding, Xorshift32 } from "../../test_random.ts";
import { entries as loadStoreEntries } from "./loadstore.ts";
import { entries as structureEntries } from "./structure.ts";

const CASES = 1200;
/** Quads printed per case: V0..V11 (24), X1 - buffer, buffer hash. */
const QUADS = 26;
const BUF = 4096;
/** Buffer address in the test RAM of this side. */
const BUF_AT = RAM_BASE + 0x10000;
/** Seed of the random stream. */
const SEED = 0x9e3779b9;

interface Case {
  readonly word: number;
  readonly v: bigint[];
  readonly x2: bigint;
}

/** The initial buffer contents (also the guest's pristine copy). */
function pristine(): Uint8Array {
  const b = new Uint8Array(BUF);
  for (let i = 0; i < BUF; i++) b[i] = (i * 37 + 11 + (i >> 8)) & 0xff;
  return b;
}

/** rotl-5/xor hash over the buffer's 64-bit words (the guest computes the same). */
function hash(b: Uint8Array): bigint {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let acc = 0n;
  for (let i = 0; i < BUF; i += 8) {
    acc = BigInt.asUintN(64, (acc << 5n) | (acc >> 59n)) ^ dv.getBigUint64(i, true);
  }
  return acc;
}

function makeCases(): Case[] {
  const r = new Xorshift32(SEED);
  const d = a64Decoder();
  const lit = loadStoreEntries.find((e) => e.name.includes("literal"));
  const pool = encodingCandidates(
    [...loadStoreEntries, ...structureEntries].filter((e) => e !== lit),
  );
  const mine = new Set<EncodingEntry>(pool.map((c) => c.entry));
  const h = new Harness(new TestRam(RAM_BASE, 0x20000));
  h.cpu.sys.setCpacr(CPACR_EL1_FPEN_NO_TRAP);
  const cases: Case[] = [];
  while (cases.length < CASES) {
    const c = r.pick(pool);
    let w = randomEncoding(r, c);
    w = ((w & ~0x3e0) | (1 << 5)) >>> 0; // Rn = X1
    w = (w & ~0x18) >>> 0; // Rt in 0..7
    const name = c.entry.name;
    if (name.startsWith("LDP")) w = (w & ~(3 << 13)) >>> 0; // Rt2 in 0..7
    if (name.includes("unsigned offset")) w = (w & ~(0x3f << 16)) >>> 0; // imm12 < 64
    // With the MMU off data accesses are Device memory, where unaligned accesses
    // fault: keep imm9 offsets a multiple of 16 and X2 (below) a multiple of 16.
    if (name.includes("LDUR") || name.includes("pre/post")) w = (w & ~(0xf << 12)) >>> 0;
    if (name.includes("(register") || name.includes("post-index)")) {
      const rm = name.includes("structure") && (r.next() & 1) ? 31 : 2;
      w = ((w & ~(31 << 16)) | (rm << 16)) >>> 0;
    }
    const e = d.lookup(w);
    if (e === null || !mine.has(e)) continue;
    const x2 = BigInt.asUintN(64, BigInt(((r.next() % 9) - 4) * 16));
    h.cpu.sys.esr = 0;
    h.x(1, BigInt(BUF_AT + BUF / 2));
    h.x(2, x2);
    h.mmio.log.length = 0;
    h.exec(w);
    if (h.cpu.sys.esr !== 0) continue; // UNDEFINED (or a fault) here
    if (h.mmio.log.length !== 0) continue; // outside RAM (e.g. UXTW of a negative W2)
    const v = Array.from({ length: 24 }, () => (BigInt(r.next()) << 32n) | BigInt(r.next()));
    cases.push({ word: w, v, x2 });
  }
  return cases;
}

function guestSource(cases: readonly Case[]): string {
  const body = ["  bl restore"];
  for (const c of cases) {
    body.push(
      ...pairTransfers("ldp", "q", 0, 12, "x20"),
      "  ldr x2, [x20], #8",
      ...loadAddress("x1", "buffer"),
      `  add x1, x1, #${BUF / 2}`,
      instLine(c.word),
      "  bl record",
    );
  }
  const routines = [
    // record: V0..V11, X1 - buffer, hash(buffer); then restore the buffer.
    "record:",
    ...pairTransfers("stp", "q", 0, 12, "x21"),
    ...loadAddress("x3", "buffer"),
    "  sub x9, x1, x3",
    "  str x9, [x21], #8",
    "  mov x10, #0",
    `  mov x12, #${BUF / 8}`,
    "4: ldr x13, [x3], #8",
    "  ror x10, x10, #59",
    "  eor x10, x10, x13",
    "  subs x12, x12, #1",
    "  b.ne 4b",
    "  str x10, [x21], #8",
    "restore:",
    ...loadAddress("x3", "buffer"),
    ...loadAddress("x11", "pristine"),
    `  mov x12, #${BUF / 16}`,
    "5: ldp x14, x15, [x11], #16",
    "  stp x14, x15, [x3], #16",
    "  subs x12, x12, #1",
    "  b.ne 5b",
    "  ret",
  ];
  const data = [".balign 16", "pristine:"];
  const p = pristine();
  for (let i = 0; i < BUF; i += 16) {
    data.push(`  .byte ${Array.from(p.subarray(i, i + 16)).join(", ")}`);
  }
  data.push(".balign 16", "buffer:", `  .space ${BUF}`);
  // Any synchronous exception in the guest sets X1 to the fault marker and is skipped.
  return guestProgram({
    enableFp: true,
    faultMarkRegister: "x1",
    body,
    inputs: cases.flatMap((c) => quadLines([...c.v, c.x2])),
    outputQuads: cases.length * QUADS,
    routines,
    data,
  });
}

Deno.test({
  name:
    "SIMD&FP loads/stores (register, pair, structure) match QEMU (cortex-a57) on random encodings",
  ignore: missingReferenceTools() !== null,
  async fn() {
    const cases = makeCases();
    const quads = await runReferenceGuest(guestSource(cases), { timeoutSeconds: 120 });
    assertEquals(quads.length, cases.length * QUADS);
    const ram = new TestRam(RAM_BASE, 0x20000);
    const h = new Harness(ram);
    h.cpu.sys.setCpacr(CPACR_EL1_FPEN_NO_TRAP);
    const d = a64Decoder();
    const p = pristine();
    const buf = ram.mapping.bytes.subarray(BUF_AT - RAM_BASE, BUF_AT - RAM_BASE + BUF);
    const bad: string[] = [];
    cases.forEach((c, i) => {
      buf.set(p);
      setVQuads(h.cpu, c.v);
      h.x(1, BigInt(BUF_AT + BUF / 2));
      h.x(2, c.x2);
      h.exec(c.word);
      const ours = getVQuads(h.cpu, 24);
      ours.push(BigInt.asUintN(64, h.getX(1) - BigInt(BUF_AT)), hash(buf));
      const theirs = quads.slice(i * QUADS, (i + 1) * QUADS);
      const diff = differingQuads(ours, theirs);
      if (diff.length > 0) {
        bad.push(
          `0x${c.word.toString(16)} ${d.nameOf(c.word)} x2 ${c.x2.toString(16)}: ` +
            diff.map((j) =>
              `${j < 24 ? vQuadName(j) : j === 24 ? "X1" : "memory"} qemu ${
                theirs[j].toString(16)
              } ours ${ours[j].toString(16)}`
            ).join("; "),
        );
      }
    });
    assertEquals(bad.slice(0, 12), []);
  },
});
