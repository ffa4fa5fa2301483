/**
 * Differential test against QEMU (TCG, `-cpu cortex-a57`) for the SIMD&FP
 * loads and stores: random encodings of every entry of ./loadstore.ts
 * (except the PC-relative literal form) and ./structure.ts, with the base
 * register X1 pointing into the middle of a 4 KiB buffer, X2 a small signed
 * index/post-increment, and V0..V11 random. V0..V11, the written-back base
 * (relative to the buffer) and a hash of the buffer must match QEMU after
 * every instruction. Skipped when QEMU or the cross binutils are absent.
 */
import { assertEquals } from "../../../../tests/assert.ts";
import { Harness, RAM_BASE } from "../../cpu/test_asm.ts";
import { TestRam } from "../../cpu/test_support.ts";
import { a64Decoder } from "../../decode/a64.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { parsePattern } from "../../decode/pattern.ts";
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

const CASES = 1200;
/** Quads printed per case: V0..V11 (24), X1 - buffer, buffer hash. */
const QUADS = 26;
const BUF = 4096;
/** Buffer address in the test RAM of this side. */
const BUF_AT = RAM_BASE + 0x10000;

interface Case {
  readonly word: number;
  readonly v: bigint[];
  readonly x2: bigint;
}

class Rng {
  #s = 0x9e3779b9;
  next(): number {
    let x = this.#s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (this.#s = x >>> 0);
  }
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
  const r = new Rng();
  const d = a64Decoder();
  const lit = loadStoreEntries.find((e) => e.name.includes("literal"));
  const pool = [...loadStoreEntries, ...structureEntries].filter((e) => e !== lit).map((entry) => {
    const p = parsePattern(entry.pattern);
    return { entry, mask: p.mask >>> 0, value: p.value >>> 0 };
  });
  const mine = new Set<EncodingEntry>(pool.map((c) => c.entry));
  const h = new Harness(new TestRam(RAM_BASE, 0x20000));
  h.cpu.sys.setCpacr(0x300000);
  const cases: Case[] = [];
  while (cases.length < CASES) {
    const c = pool[r.next() % pool.length];
    let w = ((r.next() & ~c.mask) | c.value) >>> 0;
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
  const lines = [
    ".global _start",
    "_start:",
    "  mov x0, #(3 << 20)",
    "  msr cpacr_el1, x0",
    "  adrp x0, vectors",
    "  add x0, x0, :lo12:vectors",
    "  msr vbar_el1, x0",
    "  isb",
    "  adrp x20, inputs",
    "  add x20, x20, :lo12:inputs",
    "  adrp x21, outputs",
    "  add x21, x21, :lo12:outputs",
    "  bl restore",
  ];
  for (const c of cases) {
    lines.push(
      "  ldp q0, q1, [x20], #32",
      "  ldp q2, q3, [x20], #32",
      "  ldp q4, q5, [x20], #32",
      "  ldp q6, q7, [x20], #32",
      "  ldp q8, q9, [x20], #32",
      "  ldp q10, q11, [x20], #32",
      "  ldr x2, [x20], #8",
      "  adrp x1, buffer",
      "  add x1, x1, :lo12:buffer",
      `  add x1, x1, #${BUF / 2}`,
      `  .inst 0x${c.word.toString(16).padStart(8, "0")}`,
      "  bl record",
    );
  }
  lines.push(
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
    // record: V0..V11, X1 - buffer, hash(buffer); then restore the buffer.
    "record:",
    "  stp q0, q1, [x21], #32",
    "  stp q2, q3, [x21], #32",
    "  stp q4, q5, [x21], #32",
    "  stp q6, q7, [x21], #32",
    "  stp q8, q9, [x21], #32",
    "  stp q10, q11, [x21], #32",
    "  adrp x3, buffer",
    "  add x3, x3, :lo12:buffer",
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
    "  adrp x3, buffer",
    "  add x3, x3, :lo12:buffer",
    "  adrp x11, pristine",
    "  add x11, x11, :lo12:pristine",
    `  mov x12, #${BUF / 16}`,
    "5: ldp x14, x15, [x11], #16",
    "  stp x14, x15, [x3], #16",
    "  subs x12, x12, #1",
    "  b.ne 5b",
    "  ret",
    // Any synchronous exception: mark X1 and skip the instruction.
    ".balign 2048",
    "vectors:",
    "  .space 0x200",
    "  mov x1, #0xdead",
    "  mrs x9, elr_el1",
    "  add x9, x9, #4",
    "  msr elr_el1, x9",
    "  eret",
    ".balign 2048",
    ".data",
    ".balign 16",
    "pristine:",
  );
  const p = pristine();
  for (let i = 0; i < BUF; i += 16) {
    lines.push(`  .byte ${Array.from(p.subarray(i, i + 16)).join(", ")}`);
  }
  lines.push(".balign 16", "buffer:", `  .space ${BUF}`, ".balign 16", "inputs:");
  for (const c of cases) {
    for (const q of c.v) lines.push(`  .quad 0x${q.toString(16)}`);
    lines.push(`  .quad 0x${c.x2.toString(16)}`);
  }
  lines.push(".balign 16", "outputs:", `  .space ${cases.length * QUADS * 8}`);
  return lines.join("\n") + "\n";
}

Deno.test({
  name:
    "SIMD&FP loads/stores (register, pair, structure) match QEMU (cortex-a57) on random encodings",
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
    const ram = new TestRam(RAM_BASE, 0x20000);
    const h = new Harness(ram);
    h.cpu.sys.setCpacr(0x300000);
    const d = a64Decoder();
    const p = pristine();
    const buf = ram.mapping.bytes.subarray(BUF_AT - RAM_BASE, BUF_AT - RAM_BASE + BUF);
    const bad: string[] = [];
    cases.forEach((c, i) => {
      buf.set(p);
      for (let k = 0; k < 24; k++) {
        h.cpu.v[(k >> 1) * 4 + (k & 1) * 2] = Number(c.v[k] & 0xffffffffn);
        h.cpu.v[(k >> 1) * 4 + (k & 1) * 2 + 1] = Number(c.v[k] >> 32n);
      }
      h.x(1, BigInt(BUF_AT + BUF / 2));
      h.x(2, c.x2);
      h.exec(c.word);
      const ours: bigint[] = [];
      for (let k = 0; k < 24; k++) {
        const w = (k >> 1) * 4 + (k & 1) * 2;
        ours.push((BigInt(h.cpu.v[w + 1]) << 32n) | BigInt(h.cpu.v[w]));
      }
      ours.push(BigInt.asUintN(64, h.getX(1) - BigInt(BUF_AT)), hash(buf));
      const theirs = quads.slice(i * QUADS, (i + 1) * QUADS);
      const diff = ours.map((v, j) => (v !== theirs[j] ? j : -1)).filter((j) => j >= 0);
      if (diff.length > 0) {
        bad.push(
          `0x${c.word.toString(16)} ${d.nameOf(c.word)} x2 ${c.x2.toString(16)}: ` +
            diff.map((j) =>
              `${j < 24 ? `V${j >> 1}.${j & 1 ? "hi" : "lo"}` : j === 24 ? "X1" : "memory"} qemu ${
                theirs[j].toString(16)
              } ours ${ours[j].toString(16)}`
            ).join("; "),
        );
      }
    });
    assertEquals(bad.slice(0, 12), []);
  },
});
