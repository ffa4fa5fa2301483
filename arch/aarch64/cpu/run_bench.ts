/**
 * Interpreter throughput on a compute-bound loop of real A64 instructions
 * (integer ALU, shifts, multiply, loads/stores, compare and branch), run
 * through the full vCPU path (decode cache, run loop, MMU with the MMU off).
 *
 *   deno bench --allow-all arch/aarch64/cpu/run_bench.ts
 *
 * MIPS = instructions per bench iteration / time per iteration.
 *
 * @module
 */
import {
  addSubImm,
  addSubShift,
  cbz,
  DATA,
  dp3,
  Harness,
  ldstUimm,
  logShift,
  movWide,
} from "./test_asm.ts";

/** Instructions per bench iteration. */
export const INSTRUCTIONS = 1_000_000;

const h = new Harness();
// x9 = DATA; x0 = loop counter; body of 12 instructions.
h.load([
  movWide(1, 2, 0, 0xffff, 0), // 0: movz x0, #0xffff (outer reload)
  addSubShift(1, 0, 0, 0, 2, 1, 1, 1), // 4: add x1, x1, x2, lsl #1
  logShift(1, 2, 1, 0, 1, 3, 3, 3), // 8: eor x3, x3, x1, lsr #3
  dp3(1, 0, 3, 0, 4, 1, 4), // 12: madd x4, x1, x3, x4
  ldstUimm(3, 1, 0, 9, 5), // 16: ldr x5, [x9]
  addSubShift(1, 0, 0, 0, 4, 0, 5, 5), // 20: add x5, x5, x4
  ldstUimm(3, 0, 0, 9, 5), // 24: str x5, [x9]
  logShift(1, 1, 0, 0, 5, 0, 2, 2), // 28: orr x2, x2, x5
  addSubImm(1, 1, 1, 0, 1, 0, 0), // 32: subs x0, x0, #1
  addSubShift(0, 0, 0, 0, 3, 0, 6, 6), // 36: add w6, w6, w3
  cbz(1, 1, -36, 0), // 40: cbnz x0, 4
  0x17fffff5, // 44: b 0
]);
h.x(9, BigInt(DATA));

Deno.bench(`A64 interpreter: ${INSTRUCTIONS} instructions of an integer/memory loop`, () => {
  h.vcpu.run(INSTRUCTIONS);
});
