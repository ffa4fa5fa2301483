/**
 * Translator-vs-interpreter differential fuzzer: seeded random programs run
 * on two vCPUs over identical RAM, one interpreting (`interp`), one
 * translating every block on first execution (`jit`, threshold 0), for the
 * same sequence of random run budgets; after every run the full
 * architectural state is compared (X0..X30, both stack pointers, PC, NZCV,
 * DAIF, EL, ELR/ESR/FAR/SPSR_EL1, retired count, exit record), and RAM and
 * the MMIO access logs at the end of each program.
 *
 * Programs mix random integer data-processing encodings, loads and stores
 * (unsigned, unscaled and register offsets, pre/post-indexed, on SP too;
 * aligned, unaligned: alignment faults since the MMU is off, MMIO; pairs), branches forward and
 * backward, register branches (BR/BLR/RET, also to a misaligned target), hints that execute as NOP,
 * barriers, MRS of SP_EL0/TPIDR_EL1, SVC (taken to a vector
 * that skips the instruction), HVC (an exit), stores into the program itself
 * (self-modifying code), IC IALLU, and an MMIO read that raises the IRQ line
 * in the middle of a block (the IRQ handler lowers it).
 *
 * @module
 */
import { ExitKind, MmioResult, RegisterSet } from "@gunyah-ts/core/plugin";
import { assertEquals } from "@gunyah-ts/tests/assert";
import type { Cpu } from "../cpu/cpu.ts";
import { testInit, TestIrq, TestMmio, TestRam } from "../cpu/test_support.ts";
import { entries as integerEntries } from "../isa/integer/mod.ts";
import { encodingCandidates, randomEncoding, Xorshift32 } from "../test_random.ts";
import { Aarch64Vcpu } from "../vcpu.ts";
import type { CpuModeOptions, JitBackend } from "./config.ts";

const RAM_BASE = 0x40000000;
const RAM_SIZE = 0x10000;
const VBAR = RAM_BASE;
const CODE = RAM_BASE + 0x1000;
const DATA = RAM_BASE + 0x8000;
const MMIO = 0x09000000;
/** An MMIO read here raises the IRQ line; a write to +8 lowers it. */
const MMIO_IRQ_RAISE = MMIO;
const PROGRAM_LENGTH = 48;

/** A TestMmio that drives the vCPU's IRQ line from two magic addresses. */
class IrqMmio extends TestMmio {
  cpu: Cpu | null = null;
  override read(ipa: number, size: number): MmioResult {
    if (ipa === MMIO_IRQ_RAISE && this.cpu !== null) this.cpu.irqLine = true;
    return super.read(ipa, size);
  }
  override write(ipa: number, size: number, lo: number, hi: number): MmioResult {
    if (ipa === MMIO_IRQ_RAISE + 8 && this.cpu !== null) this.cpu.irqLine = false;
    return super.write(ipa, size, lo, hi);
  }
}

interface Machine {
  readonly vcpu: Aarch64Vcpu;
  readonly ram: TestRam;
  readonly mmio: IrqMmio;
}

function machine(options: CpuModeOptions): Machine {
  const ram = new TestRam(RAM_BASE, RAM_SIZE);
  const mmio = new IrqMmio();
  mmio.readLo = 0x12345678;
  mmio.readHi = 0x9abcdef0;
  const vcpu = new Aarch64Vcpu(testInit(ram, { mmio, irq: new TestIrq() }), undefined, options);
  mmio.cpu = vcpu.cpu;
  return { vcpu, ram, mmio };
}

// Encodings (Arm ARM C4.1), written out for the few forms the generator needs.
const MRS_ELR_X17 = 0xd5384031; // MRS X17, ELR_EL1
const MSR_ELR_X17 = 0xd5184031; // MSR ELR_EL1, X17
const MRS_ESR_X16 = 0xd5385210; // MRS X16, ESR_EL1
const ADD_X17_4 = 0x91001231; // ADD X17, X17, #4
const ERET = 0xd69f03e0;
const STR_XZR_X24_8 = 0xf900071f; // STR XZR, [X24, #8]
const DAIFCLR_I = 0xd50342ff; // MSR DAIFClr, #2
const SVC0 = 0xd4000001;
const HVC0 = 0xd4000002;
const IC_IALLU = 0xd508751f;
const ADD_X0_1 = 0x91000400; // the word self-modifying stores write

/** Vector table: synchronous exceptions skip the faulting instruction; IRQs lower the line. */
function vectors(ram: TestRam): void {
  const sync = [MRS_ESR_X16, MRS_ELR_X17, ADD_X17_4, MSR_ELR_X17, ERET];
  const irq = [STR_XZR_X24_8, ERET];
  for (const base of [0x000, 0x200, 0x400]) {
    ram.writeWords(VBAR + base, sync);
    ram.writeWords(VBAR + base + 0x80, irq);
  }
}

function program(rng: Xorshift32): number[] {
  const integer = encodingCandidates(integerEntries);
  const words: number[] = [DAIFCLR_I];
  while (words.length < PROGRAM_LENGTH - 1) {
    const i = words.length;
    const rt = rng.below(16);
    const k = rng.below(100);
    if (k < 4) {
      // Register branches (BR, BLR, RET) to X27 (an instruction of the program) or X28
      // (misaligned: PC alignment fault); NOP-like hints (YIELD, PACIASP, BTI c, CSDB),
      // DMB/DSB, MRS of SP_EL0 / TPIDR_EL1.
      words.push(
        rng.pick([
          0xd61f0360, // BR X27
          0xd63f0360, // BLR X27
          0xd65f0360, // RET X27
          0xd61f0380, // BR X28
          0xd503203f, // YIELD
          0xd503233f, // PACIASP
          0xd503245f, // BTI c
          0xd503229f, // CSDB
          0xd5033bbf, // DMB ISH
          0xd5033f9f, // DSB SY
          (0xd5384100 | rt) >>> 0, // MRS Xt, SP_EL0
          (0xd538d080 | rt) >>> 0, // MRS Xt, TPIDR_EL1
        ]),
      );
    } else if (k < 45) {
      // Integer data processing; destinations limited to X0..X15.
      words.push(((randomEncoding(rng, rng.pick(integer)) & ~31) | rt) >>> 0);
    } else if (k < 60 && rng.below(2) === 0) {
      // LDUR/STUR, LDR/STR pre/post-indexed (x20, x21, SP), register offset (x20/x21/x24 base
      // plus x22 = 0x10 or x23 = 0xfffffff8 with LSL/UXTW/SXTW/SXTX, scaled or not).
      const size = rng.below(4), opc = rng.below(size < 2 ? 4 : 3);
      const o = opc === 2 && size === 3 ? 1 : opc;
      const head = (size << 30) | 0x38000000 | (o << 22) | rt;
      const form = rng.below(3);
      if (form === 2) {
        const rn = rng.pick([20, 21, 24]), rm = rng.pick([22, 23]);
        const option = rng.pick([2, 3, 6, 7]);
        words.push(
          (head | (1 << 21) | (rm << 16) | (option << 13) | (rng.below(2) << 12) | (2 << 10) |
            (rn << 5)) >>> 0,
        );
      } else {
        const rn = rng.pick([20, 20, 21, 31]);
        const mode = form === 0 ? 0 : rng.pick([1, 3]);
        const imm9 = (rng.below(32) - 16) & 0x1ff;
        words.push((head | (imm9 << 12) | (mode << 10) | (rn << 5)) >>> 0);
      }
    } else if (k < 60) {
      // LDR/STR (unsigned offset), bases: DATA (x20), DATA+odd (x21), MMIO (x24).
      const size = rng.below(4), opc = rng.below(3);
      const rn = rng.pick([20, 20, 20, 21, 24]);
      const o = opc === 2 && size === 3 ? 1 : opc;
      words.push(
        ((size << 30) | 0x39000000 | (o << 22) | (rng.below(16) << 10) | (rn << 5) | rt) >>> 0,
      );
    } else if (k < 65) {
      // LDP/STP (signed offset, pre- or post-indexed) on x20.
      const l = rng.below(2), mode = rng.pick([1, 2, 3]);
      const rt2 = rng.below(16);
      const imm7 = rng.below(8) - 4;
      words.push(
        ((2 << 30) | (0b101 << 27) | (mode << 23) | (l << 22) | ((imm7 & 0x7f) << 15) |
          (rt2 << 10) | (20 << 5) | rt) >>> 0,
      );
    } else if (k < 75) {
      // Conditional branches, forward or backward.
      const off = rng.below(2) === 0 ? 1 + rng.below(4) : -1 - rng.below(8);
      const kind = rng.below(3);
      if (kind === 0) words.push((0x54000000 | ((off & 0x7ffff) << 5) | rng.below(15)) >>> 0);
      else if (kind === 1) {
        words.push(
          ((rng.below(2) << 31) | 0x34000000 | (rng.below(2) << 24) | ((off & 0x7ffff) << 5) |
            rt) >>> 0,
        );
      } else {
        const b = rng.below(64);
        words.push(
          (((b >>> 5) << 31) | 0x36000000 | (rng.below(2) << 24) | ((b & 31) << 19) |
            ((off & 0x3fff) << 5) | rt) >>> 0,
        );
      }
    } else if (k < 78) {
      words.push((0x14000000 | ((1 + rng.below(3)) & 0x3ffffff)) >>> 0); // B forward
    } else if (k < 81) {
      words.push(SVC0);
    } else if (k < 83) {
      words.push(HVC0);
    } else if (k < 88) {
      // STR W26, [X25, #slot]: a self-modifying store into the program.
      words.push((0xb9000000 | (rng.below(PROGRAM_LENGTH) << 10) | (25 << 5) | 26) >>> 0);
    } else if (k < 90) {
      words.push(IC_IALLU);
    } else if (k < 93) {
      words.push((0xf9400000 | (24 << 5) | rt) >>> 0); // LDR Xt, [X24]: raises the IRQ line
    } else {
      // STR/LDR with an unaligned base (alignment fault, MMU off) or to MMIO.
      words.push(
        (0xf8000000 | (rng.below(2) << 22) | (rng.below(256) << 12) | (1 << 10) | (21 << 5) |
          rt) >>> 0,
      );
    }
    void i;
  }
  words.push((0x14000000 | (-(PROGRAM_LENGTH - 1) & 0x3ffffff)) >>> 0); // B to the start
  return words;
}

function state(m: Machine): Record<string, string | number | boolean> {
  const v = m.vcpu, c = v.cpu, s = c.sys;
  const r: Record<string, string | number | boolean> = {};
  for (let i = 0; i <= 30; i++) r[`x${i}`] = v.getRegister(RegisterSet.X, i).toString(16);
  r.sp0 = v.getRegister(RegisterSet.SP_EL, 0).toString(16);
  r.sp1 = v.getRegister(RegisterSet.SP_EL, 1).toString(16);
  r.pc = v.getRegister(RegisterSet.PC, 0).toString(16);
  r.nzcv = c.nzcv >>> 0;
  r.daif = c.daif;
  r.el = c.el;
  r.elr = `${s.elrHi.toString(16)}:${s.elrLo.toString(16)}`;
  r.esr = s.esr;
  r.far = `${s.farHi.toString(16)}:${s.farLo.toString(16)}`;
  r.spsr = s.spsr;
  r.retired = c.retiredTotal;
  r.irqLine = c.irqLine;
  r.exit = c.exit.kind;
  r.exitIpa = c.exit.ipa;
  r.lastRun = v.retired;
  return r;
}

function runPair(seed: number, instructions: number, backend: JitBackend): number {
  const rng = new Xorshift32(seed);
  const words = program(rng);
  const pair = [
    machine({ cpuMode: "interp" }),
    machine({ cpuMode: "jit", jitThreshold: 0, jitBackend: backend }),
  ];
  const branchSlot = rng.below(PROGRAM_LENGTH);
  const init: bigint[] = [];
  for (let i = 0; i < 31; i++) init.push((BigInt(rng.next()) << 32n) | BigInt(rng.next()));
  for (const m of pair) {
    vectors(m.ram);
    m.ram.writeWords(CODE, words);
    m.vcpu.reset(BigInt(CODE), 0n);
    m.vcpu.cpu.sys.vbarLo = VBAR;
    for (let i = 0; i < 31; i++) m.vcpu.setRegister(RegisterSet.X, i, init[i]);
    m.vcpu.setRegister(RegisterSet.X, 20, BigInt(DATA + 0x100));
    m.vcpu.setRegister(RegisterSet.X, 21, BigInt(DATA + 0x203));
    m.vcpu.setRegister(RegisterSet.X, 24, BigInt(MMIO));
    m.vcpu.setRegister(RegisterSet.X, 22, 0x10n);
    m.vcpu.setRegister(RegisterSet.X, 23, 0xfffffff8n);
    m.vcpu.setRegister(RegisterSet.X, 25, BigInt(CODE));
    m.vcpu.setRegister(RegisterSet.X, 26, BigInt(ADD_X0_1));
    m.vcpu.setRegister(RegisterSet.X, 27, BigInt(CODE + 4 * branchSlot));
    m.vcpu.setRegister(RegisterSet.X, 28, BigInt(CODE + 2));
    m.vcpu.setRegister(RegisterSet.SP_EL, 1, BigInt(DATA + 0x1000));
  }
  let done = 0, runs = 0;
  while (done < instructions) {
    const budget = 1 + rng.below(400);
    const kinds = pair.map((m) => m.vcpu.run(budget));
    const [a, b] = pair.map(state);
    assertEquals(b, a, `seed 0x${seed.toString(16)}, run ${runs} (budget ${budget})`);
    done += pair[0].vcpu.retired + 1;
    runs++;
    if (kinds[0] === ExitKind.Fault) break;
  }
  const [ma, mb] = pair;
  assertEquals(mb.mmio.log, ma.mmio.log, `seed 0x${seed.toString(16)}: MMIO accesses`);
  assertEquals(
    mb.ram.mapping.bytes,
    ma.ram.mapping.bytes,
    `seed 0x${seed.toString(16)}: RAM contents`,
  );
  return pair[1].vcpu.translatorStats!.blocksTranslated;
}

for (const backend of ["wasm", "js"] as const) {
  Deno.test(`translator (${backend}) vs interpreter: random programs keep identical architectural state`, () => {
    let blocks = 0;
    for (let p = 0; p < 120; p++) blocks += runPair(0x5eed0000 + p * 7919, 3000, backend);
    // The comparison only means something if the translator ran.
    if (blocks < 500) throw new Error(`only ${blocks} blocks were translated`);
  });
}
