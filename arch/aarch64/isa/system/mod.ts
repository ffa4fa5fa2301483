/**
 * The A64 "System" and "Exception generation" instruction classes as an
 * encoding table: exception generation (SVC, HVC, SMC, BRK, HLT), ERET,
 * MSR (immediate), hints, barriers, CLREX, SYS/SYSL (TLBI, DC, IC, AT),
 * MRS and MSR (register).
 *
 * Every handler here may change how instructions are fetched or leave the
 * vCPU, so the decoder wraps this table as context-synchronizing.
 *
 * Encodings: DDI 0487, C4.1.66 "Branches, Exception Generating and System
 * instructions".
 *
 * @module
 */
import type { EncodingEntry } from "../../decode/entry.ts";
import { brk, eret, hlt, hvc, smc, svc } from "./exception_generation.ts";
import { barrier, clrex, hint, isb } from "./hints.ts";
import { msrImmediate } from "./msr_immediate.ts";
import { mrs, msrRegister } from "./sysreg_access.ts";
import { sys, sysl } from "./sys_instruction.ts";

/** Encoding table of the system group. */
export const entries: EncodingEntry[] = [
  //          opc    imm16            op2 LL
  { pattern: "11010100 000 xxxxxxxxxxxxxxxx 000 01", name: "SVC", exec: svc },
  { pattern: "11010100 000 xxxxxxxxxxxxxxxx 000 10", name: "HVC", exec: hvc },
  { pattern: "11010100 000 xxxxxxxxxxxxxxxx 000 11", name: "SMC", exec: smc },
  { pattern: "11010100 001 xxxxxxxxxxxxxxxx 000 00", name: "BRK", exec: brk },
  { pattern: "11010100 010 xxxxxxxxxxxxxxxx 000 00", name: "HLT", exec: hlt },
  { pattern: "1101011 0100 11111 000000 11111 00000", name: "ERET", exec: eret },
  //          L  op0 op1  CRn  CRm  op2 Rt
  {
    pattern: "1101010100 0 00 xxx 0100 xxxx xxx 11111",
    name: "MSR (immediate)",
    exec: msrImmediate,
  },
  { pattern: "1101010100 0 00 011 0010 xxxx xxx 11111", name: "HINT", exec: hint },
  { pattern: "1101010100 0 00 011 0011 xxxx 010 11111", name: "CLREX", exec: clrex },
  { pattern: "1101010100 0 00 011 0011 xxxx 100 11111", name: "DSB", exec: barrier },
  { pattern: "1101010100 0 00 011 0011 xxxx 101 11111", name: "DMB", exec: barrier },
  { pattern: "1101010100 0 00 011 0011 xxxx 110 11111", name: "ISB", exec: isb },
  { pattern: "1101010100 0 01 xxx xxxx xxxx xxx xxxxx", name: "SYS", exec: sys },
  { pattern: "1101010100 1 01 xxx xxxx xxxx xxx xxxxx", name: "SYSL", exec: sysl },
  { pattern: "1101010100 0 1x xxx xxxx xxxx xxx xxxxx", name: "MSR (register)", exec: msrRegister },
  { pattern: "1101010100 1 1x xxx xxxx xxxx xxx xxxxx", name: "MRS", exec: mrs },
];
