/**
 * Test support: execute one system-group instruction word on a TestCpu the
 * way the run loop does (PC advance unless the handler branched, exceptions
 * and exits caught), plus encoders for the words.
 *
 * @module
 */
import { CPU_EXIT, GUEST_EXCEPTION } from "../../cpu/state.ts";
import type { TestCpu } from "../../sys/test_support.ts";
import type { Handler } from "../../decode/entry.ts";
import { entries } from "./mod.ts";

type HandlerCpu = Parameters<Handler>[0];

function compile(p: string): [number, number] {
  const bits = p.replace(/[ _]/g, "");
  if (bits.length !== 32) throw new Error(`pattern ${p} has ${bits.length} bits`);
  let mask = 0, value = 0;
  for (let i = 0; i < 32; i++) {
    const c = bits[i];
    const bit = 31 - i;
    if (c === "x") continue;
    mask |= 1 << bit;
    if (c === "1") value |= 1 << bit;
  }
  return [mask >>> 0, value >>> 0];
}

const compiled = entries.map((e) => ({ e, mv: compile(e.pattern) }));

/** Outcome of {@link exec}. */
export type Outcome = "done" | "exception" | "exit";

/** Execute `insn` on `cpu`; returns what happened. Throws if no entry matches. */
export function exec(cpu: TestCpu, insn: number): Outcome {
  const hits = compiled.filter(({ mv }) => ((insn & mv[0]) >>> 0) === mv[1]);
  if (hits.length !== 1) {
    throw new Error(`${hits.length} system entries match 0x${(insn >>> 0).toString(16)}`);
  }
  cpu.branched = false;
  try {
    // TestCpu has every member the system handlers use (SystemCpu), not the whole Cpu.
    hits[0].e.exec(cpu as unknown as HandlerCpu, insn);
  } catch (e) {
    if (e === GUEST_EXCEPTION) return "exception";
    if (e === CPU_EXIT) return "exit";
    throw e;
  }
  if (!cpu.branched) cpu.pcLo = (cpu.pcLo + 4) >>> 0;
  return "done";
}

/** Whether any entry of the system table matches `insn`. */
export function matches(insn: number): boolean {
  return compiled.some(({ mv }) => ((insn & mv[0]) >>> 0) === mv[1]);
}

/** MRS Xt, <key>. */
export function mrsWord(key: number, rt: number): number {
  return (0xd5200000 | (key << 5) | rt) >>> 0;
}
/** MSR <key>, Xt. */
export function msrWord(key: number, rt: number): number {
  return (0xd5000000 | (key << 5) | rt) >>> 0;
}
/** SYS with op0 = 1 key (op1, CRn, CRm, op2), Xt. */
export function sysWord(key: number, rt: number): number {
  return (0xd5000000 | (key << 5) | rt) >>> 0;
}
/** SVC/HVC/SMC/BRK/HLT #imm. */
export function excWord(kind: "svc" | "hvc" | "smc" | "brk" | "hlt", imm: number): number {
  const base =
    { svc: 0xd4000001, hvc: 0xd4000002, smc: 0xd4000003, brk: 0xd4200000, hlt: 0xd4400000 }[
      kind
    ];
  return (base | (imm << 5)) >>> 0;
}
/** ERET. */
export const ERET = 0xd69f03e0;
/** HINT #n. */
export function hintWord(n: number): number {
  return (0xd503201f | (n << 5)) >>> 0;
}
/** MSR DAIFSet/DAIFClr/SPSel, #imm. */
export function msrImmWord(op1: number, op2: number, crm: number): number {
  return (0xd500401f | (op1 << 16) | (crm << 8) | (op2 << 5)) >>> 0;
}
