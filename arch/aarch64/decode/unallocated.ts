/**
 * The handler for encodings that no table claims, and for the reserved field
 * values handlers detect themselves: log the word once, then take the
 * UNDEFINED exception (EC 0x00) through the system layer.
 *
 * @module
 */
import type { Cpu } from "../cpu/cpu.ts";
import { undefinedInstruction } from "../sys/exception.ts";

/** Report `insn` (first time only) and take the UNDEFINED exception; throws GUEST_EXCEPTION. */
export function unallocatedEncoding(cpu: Cpu, insn: number): never {
  cpu.reportUnallocated(insn);
  return undefinedInstruction(cpu);
}
