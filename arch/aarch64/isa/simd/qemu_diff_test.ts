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
import { assertEquals } from "../../../../tests/assert.ts";
import { Harness } from "../../cpu/test_asm.ts";
import { a64Decoder } from "../../decode/a64.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { parsePattern } from "../../decode/pattern.ts";
import { entries as fpEntries } from "../fp/mod.ts";
import { entries as simdEntries } from "./mod.ts";
import { entries as loadStoreEntries } from "./loadstore.ts";
import { entries as structureEntries } from "./structure.ts";

const TOOLS = ["qemu-system-aarch64", "aarch64-linux-gnu-as", "aarch64-linux-gnu-ld"];
const haveTools = TOOLS.every((t) => {
  try {
    return new Deno.Command(t, { args: ["--version"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
});

/** Number of random instructions. */
const CASES = 2500;
/** Quads printed per case: V0..V7 (16), X0..X7, NZCV, FPSR. */
const QUADS = 26;
/** What the guest's exception handler writes to X0 on an UNDEFINED instruction. */
const UNDEF_MARKER = 0xdeadn;

interface Case {
  readonly word: number;
  readonly v: bigint[]; // 16 quads: V0..V7 as lo/hi
  readonly x: bigint[];
  readonly nzcv: number;
  readonly fpcr: number;
}

class Rng {
  #s = 0x7a11ab1e;
  next(): number {
    let x = this.#s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (this.#s = x >>> 0);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.next() % a.length];
  }
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

function randomQuad(r: Rng): bigint {
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
function candidates(): { entry: EncodingEntry; mask: number; value: number }[] {
  const memory = new Set<EncodingEntry>([...loadStoreEntries, ...structureEntries]);
  return [...fpEntries, ...simdEntries].filter((e) => !memory.has(e)).map((entry) => {
    const p = parsePattern(entry.pattern);
    return { entry, mask: p.mask >>> 0, value: p.value >>> 0 };
  });
}

function makeCases(): Case[] {
  const r = new Rng();
  const d = a64Decoder();
  const pool = candidates();
  const mine = new Set(pool.map((c) => c.entry));
  const h = new Harness();
  h.cpu.sys.setCpacr(0x300000);
  const cases: Case[] = [];
  while (cases.length < CASES) {
    const c = r.pick(pool);
    let w = ((r.next() & ~c.mask) | c.value) >>> 0;
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
  const lines = [
    ".global _start",
    "_start:",
    "  mov x0, #(3 << 20)",
    "  msr cpacr_el1, x0", // FPEN = 0b11
    "  adrp x0, vectors",
    "  add x0, x0, :lo12:vectors",
    "  msr vbar_el1, x0",
    "  isb",
    "  adrp x20, inputs",
    "  add x20, x20, :lo12:inputs",
    "  adrp x21, outputs",
    "  add x21, x21, :lo12:outputs",
  ];
  for (const c of cases) {
    lines.push(
      "  ldp q0, q1, [x20], #32",
      "  ldp q2, q3, [x20], #32",
      "  ldp q4, q5, [x20], #32",
      "  ldp q6, q7, [x20], #32",
      "  ldp x0, x1, [x20], #16",
      "  ldp x2, x3, [x20], #16",
      "  ldp x4, x5, [x20], #16",
      "  ldp x6, x7, [x20], #16",
      "  ldp x9, x10, [x20], #16",
      "  msr nzcv, x9",
      "  msr fpcr, x10",
      "  msr fpsr, xzr",
      `  .inst 0x${c.word.toString(16).padStart(8, "0")}`,
      "  mrs x9, nzcv",
      "  mrs x10, fpsr",
      "  stp q0, q1, [x21], #32",
      "  stp q2, q3, [x21], #32",
      "  stp q4, q5, [x21], #32",
      "  stp q6, q7, [x21], #32",
      "  stp x0, x1, [x21], #16",
      "  stp x2, x3, [x21], #16",
      "  stp x4, x5, [x21], #16",
      "  stp x6, x7, [x21], #16",
      "  stp x9, x10, [x21], #16",
    );
  }
  lines.push(
    "  msr fpcr, xzr",
    "  adrp x22, outputs",
    "  add x22, x22, :lo12:outputs",
    `  movz x23, #${(cases.length * QUADS) & 0xffff}`,
    `  movk x23, #${(cases.length * QUADS) >>> 16}, lsl #16`,
    "  movz x24, #0x0900, lsl #16",
    "1: ldr x10, [x22], #8",
    "  mov x11, #60",
    "2: lsr x12, x10, x11",
    "  and x12, x12, #15",
    "  cmp x12, #10",
    "  add x13, x12, #48",
    "  add x14, x12, #87",
    "  csel x12, x13, x14, lo",
    "  strb w12, [x24]",
    "  subs x11, x11, #4",
    "  b.ge 2b",
    "  mov x12, #10",
    "  strb w12, [x24]",
    "  subs x23, x23, #1",
    "  b.ne 1b",
    "  movz x0, #0x0008",
    "  movk x0, #0x8400, lsl #16",
    "  hvc #0",
    "3: b 3b",
    // Synchronous exception from the current EL (SPx): mark and skip the instruction.
    ".balign 2048",
    "vectors:",
    "  .space 0x200",
    `  mov x0, #${UNDEF_MARKER}`,
    "  mrs x9, elr_el1",
    "  add x9, x9, #4",
    "  msr elr_el1, x9",
    "  eret",
    ".balign 2048",
    ".ltorg",
    ".data",
    ".balign 16",
    "inputs:",
  );
  for (const c of cases) {
    for (const q of c.v) lines.push(`  .quad 0x${q.toString(16)}`);
    for (const q of c.x) lines.push(`  .quad 0x${q.toString(16)}`);
    lines.push(
      `  .quad 0x${((c.nzcv << 28) >>> 0).toString(16)}`,
      `  .quad 0x${c.fpcr.toString(16)}`,
    );
  }
  lines.push(".balign 16", "outputs:", `  .space ${cases.length * QUADS * 8}`);
  return lines.join("\n") + "\n";
}

Deno.test({
  name:
    "FP and AdvSIMD data processing matches QEMU (cortex-a57) on random instructions, values and FPCR",
  ignore: !haveTools,
  fn() {
    const cases = makeCases();
    const dir = Deno.makeTempDirSync();
    Deno.writeTextFileSync(`${dir}/t.s`, guestSource(cases));
    const run = (cmd: string, args: string[]) => {
      const r = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
      if (!r.success) throw new Error(`${cmd} failed: ${new TextDecoder().decode(r.stderr)}`);
      return new TextDecoder().decode(r.stdout);
    };
    run("aarch64-linux-gnu-as", ["-o", `${dir}/t.o`, `${dir}/t.s`]);
    run("aarch64-linux-gnu-ld", ["-Ttext=0x40080000", "-o", `${dir}/t.elf`, `${dir}/t.o`]);
    const out = run("timeout", [
      "120",
      "qemu-system-aarch64",
      "-M",
      "virt",
      "-cpu",
      "cortex-a57",
      "-m",
      "128",
      "-nographic",
      "-monitor",
      "none",
      "-kernel",
      `${dir}/t.elf`,
    ]);
    Deno.removeSync(dir, { recursive: true });
    const quads = out.split(/\r?\n/).filter((l) => /^[0-9a-f]{16}$/.test(l)).map((l) =>
      BigInt("0x" + l)
    );
    assertEquals(quads.length, cases.length * QUADS);
    const h = new Harness();
    h.cpu.sys.setCpacr(0x300000);
    const d = a64Decoder();
    const bad: string[] = [];
    const hex = (v: bigint) => v.toString(16);
    cases.forEach((c, i) => {
      for (let k = 0; k < 16; k++) {
        h.cpu.v[(k >> 1) * 4 + (k & 1) * 2] = Number(c.v[k] & 0xffffffffn);
        h.cpu.v[(k >> 1) * 4 + (k & 1) * 2 + 1] = Number(c.v[k] >> 32n);
      }
      for (let r = 0; r < 8; r++) h.x(r, c.x[r]);
      h.flags = c.nzcv;
      h.cpu.fpcr = c.fpcr;
      h.cpu.fpsr = 0;
      h.exec(c.word);
      const ours: bigint[] = [];
      for (let k = 0; k < 16; k++) {
        const w = (k >> 1) * 4 + (k & 1) * 2;
        ours.push((BigInt(h.cpu.v[w + 1]) << 32n) | BigInt(h.cpu.v[w]));
      }
      for (let r = 0; r < 8; r++) ours.push(h.getX(r));
      ours.push(BigInt((h.flags << 28) >>> 0), BigInt(h.cpu.fpsr >>> 0));
      const theirs = quads.slice(i * QUADS, (i + 1) * QUADS);
      const diff = ours.map((v, j) => (v !== theirs[j] ? j : -1)).filter((j) => j >= 0);
      if (diff.length > 0) {
        const where = diff.map((j) =>
          `${
            j < 16
              ? `V${j >> 1}.${j & 1 ? "hi" : "lo"}`
              : j < 24
              ? `X${j - 16}`
              : j === 24
              ? "NZCV"
              : "FPSR"
          }` +
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
