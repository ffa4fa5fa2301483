/**
 * Differential test against QEMU (TCG, `-cpu cortex-a57`) for the integer
 * loads and stores: random instructions of every addressing class (unsigned
 * offset, unscaled, pre/post-index, register offset with every extend,
 * pairs incl. LDPSW and LDNP/STNP, LDAR/STLR, LDXR/STXR) run on X0..X11 over a
 * 16 KiB buffer, by a bare-metal guest under `qemu-system-aarch64 -M virt`
 * and by this CPU; the registers after every instruction and the buffer at
 * the end must match. Bases are 16-byte aligned and offsets multiples of the
 * access size (the MMU is off, so memory is Device and unaligned accesses
 * fault). Skipped when QEMU or the cross binutils are not installed.
 */
import { assertEquals } from "@gunyah-ts/tests/assert";
import { Harness, ldstExcl, ldstImm9, ldstPair, ldstReg, ldstUimm } from "../../cpu/test_asm.ts";
import { TestRam } from "../../cpu/test_support.ts";
import { missingReferenceTools, runReferenceGuest } from "../../test_qemu.ts";
import { guestProgram, instLine, pairTransfers, quadLines } from "../../test_qemu_guest.ts";
import { Xorshift32 } from "../../test_random.ts";

/** Where the buffer lives in both machines. */
const BUF = 0x40100000;
/** Buffer size. */
const BUF_SIZE = 0x4000;
/** Registers loaded before and dumped after every instruction: X0..X11. */
const REGS = 12;
const CASES = 1000;

interface Case {
  readonly word: number;
  readonly x: bigint[];
}

function makeCases(): Case[] {
  const rng = new Xorshift32(0x510e527f);
  const rnd = (n: number) => rng.below(n);
  const r64 = () =>
    (BigInt(rnd(0x10000)) << 48n) | (BigInt(rnd(0x1000000)) << 24n) | BigInt(rnd(0x1000000));
  const cases: Case[] = [];
  while (cases.length < CASES) {
    const x: bigint[] = [];
    for (let i = 0; i < 4; i++) x.push(BigInt(BUF + 0x1000 + i * 0x400 + rnd(16) * 16)); // bases
    for (let i = 4; i < 8; i++) x.push(r64()); // data
    x.push(BigInt.asUintN(64, BigInt((rnd(33) - 16) * 8))); // X8: small signed index
    x.push((r64() << 32n & 0xffffffff00000000n) | BigInt(rnd(32) * 8)); // X9: garbage:small
    x.push(r64(), r64()); // X10, X11: status / spare
    const rn = rnd(4), rt = 4 + rnd(4);
    let rt2 = 4 + rnd(4);
    if (rt2 === rt) rt2 = 4 + ((rt2 - 3) & 3);
    const size = rnd(4);
    let word: number;
    switch (rnd(8)) {
      case 0: { // unsigned offset
        let opc = rnd(4);
        if ((size === 3 && opc >= 2) || (size === 2 && opc === 3)) opc = rnd(2);
        word = ldstUimm(size, opc, rnd(0x100 >> size), rn, rt);
        break;
      }
      case 1: // unscaled, pre-index, post-index (aligned offsets)
      case 2: {
        let opc = rnd(4);
        if ((size === 3 && opc >= 2) || (size === 2 && opc === 3)) opc = rnd(2);
        const imm9 = ((rnd(31) - 15) << size) & 0x1ff;
        word = ldstImm9(size, opc, imm9, [0, 1, 3][rnd(3)], rn, rt);
        break;
      }
      case 3: { // register offset
        let opc = rnd(4);
        if ((size === 3 && opc >= 2) || (size === 2 && opc === 3)) opc = rnd(2);
        const option = [2, 3, 6, 7][rnd(4)];
        const rm = option === 2 || option === 6 ? 9 : 8;
        word = ldstReg(size, opc, rm, option, rnd(2), rn, rt);
        break;
      }
      case 4: // pairs
      case 5: {
        const opc = [0, 1, 2][rnd(3)];
        const mode = opc === 1 ? 1 + rnd(3) : rnd(4);
        const l = opc === 1 ? 1 : rnd(2);
        word = ldstPair(opc, mode, l, rnd(17) - 8, rt2, rn, rt);
        break;
      }
      case 6: // LDAR/STLR
        word = ldstExcl(size, 1, rnd(2), 0, 31, 1, 31, rn, rt);
        break;
      default: // LDXR/STXR (status in X10)
        word = ldstExcl(size, 0, rnd(2), 0, rnd(2) ? 10 : 31, rnd(2), 31, rn, rt);
    }
    cases.push({ word, x });
  }
  return cases;
}

function pattern(i: number): number {
  return (i * 0x9e3779b1 + (i >>> 3)) >>> 24;
}

function guestSource(cases: readonly Case[]): string {
  const body: string[] = [];
  for (const c of cases) {
    body.push(
      ...pairTransfers("ldp", "x", 0, REGS, "x20"),
      instLine(c.word),
      ...pairTransfers("stp", "x", 0, REGS, "x21"),
    );
  }
  // The buffer, at BUF.
  const data = ['.section .buf, "aw"', "buffer:"];
  for (let i = 0; i < BUF_SIZE; i += 16) {
    const b = Array.from({ length: 16 }, (_, k) => `0x${pattern(i + k).toString(16)}`);
    data.push(`  .byte ${b.join(", ")}`);
  }
  return guestProgram({
    body,
    inputs: cases.flatMap((c) => quadLines(c.x)),
    outputQuads: cases.length * REGS,
    alsoPrint: [{ label: "buffer", quads: BUF_SIZE / 8 }],
    data,
  });
}

Deno.test({
  name: "integer loads and stores match QEMU (cortex-a57) on random instructions of every class",
  ignore: missingReferenceTools() !== null,
  async fn() {
    const cases = makeCases();
    const quads = await runReferenceGuest(guestSource(cases), {
      timeoutSeconds: 60,
      sectionStarts: { ".buf": BUF, ".data": 0x40200000 },
    });
    assertEquals(quads.length, cases.length * REGS + BUF_SIZE / 8);
    const ram = new TestRam(0x40000000, 0x200000);
    for (let i = 0; i < BUF_SIZE; i++) ram.mapping.bytes[BUF - 0x40000000 + i] = pattern(i);
    const h = new Harness(ram);
    const bad: string[] = [];
    cases.forEach((c, i) => {
      for (let r = 0; r < REGS; r++) h.x(r, c.x[r]);
      h.cpu.sys.esr = 0;
      h.exec(c.word);
      const ours = Array.from({ length: REGS }, (_, r) => h.getX(r));
      const theirs = quads.slice(i * REGS, (i + 1) * REGS);
      if (h.cpu.sys.esr !== 0 || ours.some((v, j) => v !== theirs[j])) {
        bad.push(
          `#${i} 0x${c.word.toString(16)} ${h.vcpu.cpu.decodeCache.decoder.nameOf(c.word)} ` +
            `esr ${h.cpu.sys.esr.toString(16)}: qemu [${theirs.map((v) => v.toString(16))}] ` +
            `ours [${ours.map((v) => v.toString(16))}]`,
        );
      }
    });
    assertEquals(bad.slice(0, 8), []);
    const base = cases.length * REGS;
    for (let q = 0; q < BUF_SIZE / 8; q++) {
      assertEquals(ram.readU64(BUF + q * 8), quads[base + q], `buffer quad ${q}`);
    }
  },
});
