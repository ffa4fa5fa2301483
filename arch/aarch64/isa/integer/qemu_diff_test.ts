/**
 * Differential test against QEMU (TCG, `-cpu cortex-a57`): random integer
 * data-processing instructions (immediate and register classes, registers
 * X0..X7) are run on random X0..X7 and NZCV, both by a bare-metal guest under
 * `qemu-system-aarch64 -M virt` (which prints X0..X7 and NZCV after each one
 * on the PL011) and by this CPU; every result must match. Skipped when
 * QEMU or the cross binutils are not installed.
 */
import { assertEquals } from "../../../../tests/assert.ts";
import { Harness, operands } from "../../cpu/test_asm.ts";
import { a64Decoder } from "../../decode/a64.ts";

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
const CASES = 1500;

interface Case {
  readonly word: number;
  readonly x: bigint[];
  readonly nzcv: number;
}

/** Random data-processing words with every register field forced into 0..7. */
function makeCases(): Case[] {
  const h = new Harness();
  const d = a64Decoder();
  const vals = [...operands(CASES * 8)];
  const cases: Case[] = [];
  let s = 0x6a09e667;
  let k = 0;
  while (cases.length < CASES) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    let w = s >>> 0;
    // op0 = 100x (immediate) or x101 (register), excluding PC-relative ADR/ADRP.
    w = (k++ & 1) === 0 ? (w & ~(0xe << 25)) | (0x8 << 25) : (w & ~(0x7 << 25)) | (0x5 << 25);
    // Rd and Rn in 0..7 (clear bits 4:3 and 9:8); register forms and EXTR: Rm
    // in 0..7 (clear 20:19), and Ra in 0..7 for the 3-source class (clear 14:13).
    w = (w & ~0x318) >>> 0;
    if (((w >>> 23) & 0x3f) === 0x27) w = (w & ~(3 << 19)) >>> 0; // EXTR
    if (((w >>> 25) & 7) === 5) {
      w = (w & ~(3 << 19)) >>> 0;
      if (((w >>> 24) & 0x1f) === 0x1b) w = (w & ~(3 << 13)) >>> 0;
    }
    const entry = d.lookup(w);
    if (entry === null || entry.name === "ADR" || entry.name === "ADRP") continue;
    h.cpu.sys.esr = 0;
    h.exec(w);
    if (h.cpu.sys.esr === 0x02000000) continue; // reserved field values
    const x = Array.from({ length: 8 }, (_, i) => vals[(cases.length * 8 + i * 3) % vals.length]);
    cases.push({ word: w, x, nzcv: (s >>> 7) & 15 });
  }
  return cases;
}

function guestSource(cases: readonly Case[]): string {
  const lines = [
    ".global _start",
    "_start:",
    "  ldr x20, =inputs",
    "  ldr x21, =outputs",
  ];
  for (const c of cases) {
    lines.push(
      "  ldp x0, x1, [x20], #16",
      "  ldp x2, x3, [x20], #16",
      "  ldp x4, x5, [x20], #16",
      "  ldp x6, x7, [x20], #16",
      "  ldr x9, [x20], #8",
      "  msr nzcv, x9",
      `  .inst 0x${c.word.toString(16).padStart(8, "0")}`,
      "  mrs x9, nzcv",
      "  stp x0, x1, [x21], #16",
      "  stp x2, x3, [x21], #16",
      "  stp x4, x5, [x21], #16",
      "  stp x6, x7, [x21], #16",
      "  str x9, [x21], #8",
    );
  }
  lines.push(
    // Print every output quad as 16 hex digits and a newline on the PL011.
    "  ldr x22, =outputs",
    `  ldr x23, =${cases.length * 9}`,
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
    // PSCI SYSTEM_OFF through HVC (QEMU virt's PSCI conduit at EL1).
    "  movz x0, #0x0008",
    "  movk x0, #0x8400, lsl #16",
    "  hvc #0",
    "3: b 3b",
    ".ltorg",
    ".data",
    ".balign 16",
    "inputs:",
  );
  for (const c of cases) {
    for (const v of c.x) lines.push(`  .quad 0x${v.toString(16)}`);
    lines.push(`  .quad 0x${((c.nzcv << 28) >>> 0).toString(16)}`);
  }
  lines.push(".balign 16", "outputs:", `  .space ${cases.length * 9 * 8}`);
  return lines.join("\n") + "\n";
}

Deno.test({
  name: "integer data processing matches QEMU (cortex-a57) on random instructions and operands",
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
      "60",
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
    assertEquals(quads.length, cases.length * 9);
    const h = new Harness();
    const d = a64Decoder();
    const bad: string[] = [];
    cases.forEach((c, i) => {
      for (let r = 0; r < 8; r++) h.x(r, c.x[r]);
      h.flags = c.nzcv;
      h.exec(c.word);
      const ours = [
        ...Array.from({ length: 8 }, (_, r) => h.getX(r)),
        BigInt((h.flags << 28) >>> 0),
      ];
      const theirs = quads.slice(i * 9, i * 9 + 9);
      if (ours.some((v, j) => v !== theirs[j])) {
        bad.push(
          `0x${c.word.toString(16)} ${d.nameOf(c.word)}: in [${c.x.map((v) => v.toString(16))}] ` +
            `nzcv ${c.nzcv}; qemu [${theirs.map((v) => v.toString(16))}] ours [${
              ours.map((v) => v.toString(16))
            }]`,
        );
      }
    });
    assertEquals(bad.slice(0, 10), []);
  },
});
