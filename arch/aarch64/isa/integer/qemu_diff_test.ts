/**
 * Differential test against QEMU (TCG, `-cpu cortex-a57`): random integer
 * data-processing instructions (immediate and register classes, registers
 * X0..X7) are run on random X0..X7 and NZCV, both by a bare-metal guest under
 * `qemu-system-aarch64 -M virt` (which prints X0..X7 and NZCV after each one
 * on the PL011) and by this CPU; every result must match. Skipped when
 * QEMU or the cross binutils are not installed.
 */
import { assertEquals } from "@gunyah-ts/tests/assert";
import { Harness, operands } from "../../cpu/test_asm.ts";
import { a64Decoder } from "../../decode/a64.ts";
import { missingReferenceTools, runReferenceGuest } from "../../test_qemu.ts";
import { guestProgram, instLine, pairTransfers, quadLines } from "../../test_qemu_guest.ts";
import { Xorshift32 } from "../../test_random.ts";

/** Number of random instructions. */
const CASES = 1500;
/** Quads per case, loaded before and printed after it: X0..X7, NZCV. */
const QUADS = 9;

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
  const rng = new Xorshift32(0x6a09e667);
  let k = 0;
  while (cases.length < CASES) {
    const s = rng.next();
    let w = s;
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
  const body: string[] = [];
  for (const c of cases) {
    body.push(
      ...pairTransfers("ldp", "x", 0, 8, "x20"),
      "  ldr x9, [x20], #8",
      "  msr nzcv, x9",
      instLine(c.word),
      "  mrs x9, nzcv",
      ...pairTransfers("stp", "x", 0, 8, "x21"),
      "  str x9, [x21], #8",
    );
  }
  const inputs = cases.flatMap((c) => quadLines([...c.x, BigInt((c.nzcv << 28) >>> 0)]));
  return guestProgram({ body, inputs, outputQuads: cases.length * QUADS });
}

Deno.test({
  name: "integer data processing matches QEMU (cortex-a57) on random instructions and operands",
  ignore: missingReferenceTools() !== null,
  async fn() {
    const cases = makeCases();
    const quads = await runReferenceGuest(guestSource(cases), { timeoutSeconds: 60 });
    assertEquals(quads.length, cases.length * QUADS);
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
      const theirs = quads.slice(i * QUADS, (i + 1) * QUADS);
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
