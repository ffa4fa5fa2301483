import { assertEquals } from "@gunyah-ts/tests/assert";
import { CODE, DATA, Harness, ldrLit, ldstImm9, ldstReg, ldstUimm } from "../../cpu/test_asm.ts";
import { R_SP } from "../../cpu/state.ts";
import { ExitKind, MmioResult } from "@gunyah-ts/core/plugin";

const h = new Harness();
const PATTERN = 0x8182838485868788n;

Deno.test("LDR/STR (unsigned offset): B/H/W/X, zero and sign extension to W and X", () => {
  h.ram.writeU64(DATA, PATTERN);
  h.x(1, BigInt(DATA));
  const loads: [number, number, bigint][] = [
    [0, 1, 0x88n], // ldrb w
    [1, 1, 0x8788n], // ldrh w
    [2, 1, 0x85868788n], // ldr w
    [3, 1, PATTERN], // ldr x
    [0, 2, 0xffffffffffffff88n], // ldrsb x
    [1, 2, 0xffffffffffff8788n], // ldrsh x
    [2, 2, 0xffffffff85868788n], // ldrsw
    [0, 3, 0xffffff88n], // ldrsb w
    [1, 3, 0xffff8788n], // ldrsh w
  ];
  for (const [size, opc, expect] of loads) {
    h.x(0, 0xdeaddeaddeaddeadn);
    h.exec(ldstUimm(size, opc, 0, 1, 0));
    assertEquals(h.getX(0), expect, `size ${size} opc ${opc}`);
  }
  h.x(2, 0x1122334455667788n);
  h.exec(ldstUimm(3, 0, 1, 1, 2)); // str x2, [x1, #8]
  h.exec(ldstUimm(2, 0, 4, 1, 2)); // str w2, [x1, #16]
  h.exec(ldstUimm(1, 0, 10, 1, 2)); // strh w2, [x1, #20]
  h.exec(ldstUimm(0, 0, 22, 1, 2)); // strb w2, [x1, #22]
  h.exec(ldstUimm(0, 0, 23, 1, 31)); // strb wzr, [x1, #23]
  assertEquals(h.ram.readU64(DATA + 8), 0x1122334455667788n);
  assertEquals(h.ram.readU64(DATA + 16), 0x0088778855667788n);
  h.exec(ldstUimm(3, 1, 1, 1, 31)); // ldr xzr: discarded
  assertEquals(h.cpu.xlo[31] | h.cpu.xhi[31], 0);
});

Deno.test("LDUR/STUR, pre/post-index writeback, SP base, Rn == Rt as QEMU", () => {
  h.ram.writeU64(DATA, PATTERN);
  h.x(1, BigInt(DATA + 8));
  h.exec(ldstImm9(3, 1, -8, 0, 1, 0)); // ldur x0, [x1, #-8]
  assertEquals([h.getX(0), h.getX(1)], [PATTERN, BigInt(DATA + 8)]);
  h.exec(ldstImm9(3, 1, -8, 3, 1, 0)); // ldr x0, [x1, #-8]!
  assertEquals([h.getX(0), h.getX(1)], [PATTERN, BigInt(DATA)]);
  h.exec(ldstImm9(2, 1, 0x20, 1, 1, 0)); // ldr w0, [x1], #0x20
  assertEquals([h.getX(0), h.getX(1)], [0x85868788n, BigInt(DATA + 0x20)]);
  h.cpu.xlo[R_SP] = DATA + 0x40;
  h.cpu.xhi[R_SP] = 0;
  h.x(2, 0xabcdn);
  h.exec(ldstImm9(3, 0, -16, 3, 31, 2)); // str x2, [sp, #-16]!
  assertEquals([h.cpu.xlo[R_SP], h.ram.readU64(DATA + 0x30)], [DATA + 0x30, 0xabcdn]);
  h.exec(ldstImm9(3, 1, 16, 1, 31, 3)); // ldr x3, [sp], #16
  assertEquals([h.getX(3), h.cpu.xlo[R_SP]], [0xabcdn, DATA + 0x40]);
  // Writeback with Rn == Rt: a load leaves the address, a store stores the old value.
  h.x(4, BigInt(DATA));
  h.exec(ldstImm9(3, 1, 8, 1, 4, 4)); // ldr x4, [x4], #8
  assertEquals(h.getX(4), BigInt(DATA + 8));
  h.x(4, BigInt(DATA + 0x50));
  h.exec(ldstImm9(3, 0, 8, 3, 4, 4)); // str x4, [x4, #8]!
  assertEquals([h.ram.readU64(DATA + 0x58), h.getX(4)], [BigInt(DATA + 0x50), BigInt(DATA + 0x58)]);
});

Deno.test("register offset: LSL with scaling, UXTW, SXTW with negative index, SXTX", () => {
  for (let i = 0; i < 8; i++) h.ram.writeU64(DATA + i * 8, BigInt(i) * 0x1111n);
  h.x(1, BigInt(DATA + 32));
  h.x(2, 2n);
  h.exec(ldstReg(3, 1, 2, 3, 1, 1, 0)); // ldr x0, [x1, x2, lsl #3]
  assertEquals(h.getX(0), 6n * 0x1111n);
  h.x(2, 0xfffffffffffffffen); // W2 = -2
  h.exec(ldstReg(3, 1, 2, 6, 1, 1, 0)); // ldr x0, [x1, w2, sxtw #3]
  assertEquals(h.getX(0), 2n * 0x1111n);
  h.exec(ldstReg(3, 1, 2, 7, 1, 1, 0)); // ldr x0, [x1, x2, sxtx #3]
  assertEquals(h.getX(0), 2n * 0x1111n);
  h.x(1, BigInt(DATA) - 0x100000000n + 0x100000000n); // base
  h.x(2, 0xffffffff00000010n); // UXTW takes only the low word
  h.exec(ldstReg(3, 1, 2, 2, 0, 1, 0)); // ldr x0, [x1, w2, uxtw]
  assertEquals(h.getX(0), 2n * 0x1111n);
  h.x(2, 1n);
  h.exec(ldstReg(1, 1, 2, 3, 1, 1, 0)); // ldrh w0, [x1, x2, lsl #1]
  assertEquals(h.getX(0), 0n);
  h.cpu.sys.esr = 0;
  h.exec(ldstReg(3, 1, 2, 0, 0, 1, 0)); // option 000: unallocated
  assertEquals(h.cpu.sys.esr, 0x02000000);
});

Deno.test("LDR (literal) W/X/LDRSW, PRFM forms are no-ops even for unmapped addresses", () => {
  h.ram.writeWords(CODE + 0x100, [0x80000001, 0x7fffffff]);
  h.exec(ldrLit(0, 0x100, 0));
  assertEquals(h.getX(0), 0x80000001n);
  h.exec(ldrLit(1, 0x100, 0));
  assertEquals(h.getX(0), 0x7fffffff80000001n);
  h.exec(ldrLit(2, 0x100, 0));
  assertEquals(h.getX(0), 0xffffffff80000001n);
  h.x(1, 0x7000000000n);
  h.cpu.sys.esr = 0;
  h.exec(ldrLit(3, 0x100, 0)); // prfm (literal)
  h.exec(ldstUimm(3, 2, 0, 1, 0)); // prfm [x1]
  h.exec(ldstImm9(3, 2, -1, 0, 1, 0)); // prfum [x1, #-1]
  h.exec(ldstReg(3, 2, 1, 3, 0, 1, 0)); // prfm [x1, x1]
  assertEquals([h.cpu.sys.esr, h.cpu.getPc()], [0, BigInt(CODE + 4)]);
  h.exec(ldstImm9(3, 2, 8, 1, 1, 0)); // size 3 opc 2 post-index: unallocated
  assertEquals(h.cpu.sys.esr, 0x02000000);
});

Deno.test("LDTR/STTR at EL1 with the MMU off; a data abort leaves FAR and the PC", () => {
  h.x(1, BigInt(DATA));
  h.x(2, 0x55n);
  h.exec(ldstImm9(0, 0, 3, 2, 1, 2)); // sttrb w2, [x1, #3]
  h.exec(ldstImm9(0, 3, 3, 2, 1, 0)); // ldtrsb w0, [x1, #3]
  assertEquals(h.getX(0), 0x55n);
  h.cpu.sys.vbarLo = 0x40004000;
  h.x(1, 0x50000000n); // not RAM: the MMIO bus
  h.mmio.readLo = 0x12345678;
  h.mmio.readHi = 0x9abcdef0;
  h.exec(ldstUimm(3, 1, 0, 1, 0));
  assertEquals(h.getX(0), 0x9abcdef012345678n);
  h.mmio.answer = MmioResult.Unclaimed; // no device: synchronous external abort
  h.exec(ldstUimm(3, 1, 0, 1, 0));
  assertEquals([h.cpu.sys.esr >>> 26, h.cpu.sys.farLo, h.cpu.sys.elrLo], [0x25, 0x50000000, CODE]);
  assertEquals(h.mmio.log.at(-1), { write: false, ipa: 0x50000000, size: 8, lo: 0, hi: 0 });
  h.mmio.answer = MmioResult.Handled;
});

Deno.test("an MMIO access answered with Exit leaves the vCPU without retiring the instruction", () => {
  const x = new Harness();
  x.x(1, 0x09000000n);
  x.x(2, 0x41n);
  x.mmio.answer = MmioResult.Exit;
  x.load([ldstUimm(2, 0, 0, 1, 2), ldstUimm(2, 0, 0, 1, 2)]);
  assertEquals(x.vcpu.run(10), ExitKind.Mmio);
  assertEquals(x.vcpu.retired, 0);
  const e = x.vcpu.exit;
  assertEquals([e.ipa, e.size, e.write, e.valueLo], [0x09000000, 4, true, 0x41]);
  assertEquals(x.cpu.getPc(), BigInt(CODE));
  x.mmio.answer = MmioResult.Handled; // the core completed it: re-execute
  assertEquals(x.vcpu.run(2), ExitKind.Budget);
  assertEquals([x.vcpu.retired, x.cpu.getPc()], [2, BigInt(CODE + 8)]);
});
