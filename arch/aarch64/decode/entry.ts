/**
 * The format of an A64 encoding table: every instruction group (integer,
 * branch, load/store, system, FP, AdvSIMD) exports `entries:
 * EncodingEntry[]`, and {@link compileDecoder} (./compile.ts) turns all of
 * them into one decoder at start-up.
 *
 * A pattern is the 32-bit instruction word written MSB first (bit 31 on the
 * left) with `0`, `1` and `x` (don't care). Spaces and underscores may be
 * used to group the fields the way the Arm ARM's encoding diagrams do:
 *
 * ```ts
 * import type { EncodingEntry } from "./entry.ts";
 * const addImm: EncodingEntry = {
 *   //        sf op S 100010 sh imm12        Rn    Rd
 *   pattern: "x  0  0 100010 x  xxxxxxxxxxxx xxxxx xxxxx",
 *   name: "ADD (immediate)",
 *   exec: (cpu, insn) => {/* ... *\/},
 * };
 * ```
 *
 * Where two patterns match the same word, the one with more fixed bits wins
 * (its set of fixed bits must contain the other's; anything else is rejected
 * as ambiguous when the decoder is built).
 *
 * @module
 */
import type { Cpu } from "../cpu/cpu.ts";

/**
 * Executes one decoded instruction. `insn` is the instruction word as a
 * signed 32-bit integer (bit 31 is the sign; use bit operations such as
 * `insn >>> 31`, never `insn < 0x80000000`). `cpu.pcLo/pcHi` hold the
 * instruction's own address; a handler that changes the flow of control calls
 * `cpu.branchTo`. Must not allocate.
 */
export type Handler = (cpu: Cpu, insn: number) => void;

/** One line of an encoding table. */
export interface EncodingEntry {
  /** 32 characters of `0`/`1`/`x`, bit 31 first; spaces and `_` are ignored. */
  readonly pattern: string;
  /** Instruction name as the Arm ARM writes it, e.g. `"ADD (immediate)"`. */
  readonly name: string;
  /** Semantics. */
  readonly exec: Handler;
}
