/**
 * A translated block: a run of guest instructions within one 4 KiB code page
 * compiled to one host function (see ./translator.ts for the design).
 *
 * @module
 */
import type { Cpu } from "../cpu/cpu.ts";
import type { WasmBlockCode } from "./wasm/glue.ts";

/**
 * The host code of a block. Runs the block's instructions on `cpu` (looping
 * while its last branch jumps back to its first instruction and `stop` is not
 * reached), then leaves `cpu` in the exact architectural state after the last
 * instruction it retired: registers, NZCV, PC and `retiredTotal`. A guest
 * exception or MMIO exit inside throws what the interpreter throws, with the
 * state of the faulting instruction.
 */
export type BlockCode = (cpu: Cpu, stop: number, block: TranslatedBlock) => void;

/** One translated block, installed in its page's `blocks` at its first slot. */
export class TranslatedBlock {
  /**
   * False once the block's page was invalidated (a store into it, IC IVAU,
   * IC IALLU, a stage-2 change) or the block was evicted: it must not be
   * entered again, and a running block leaves at its next check.
   */
  valid = true;

  constructor(
    /** The host function. */
    readonly code: BlockCode,
    /** Instructions one pass through the block retires at most. */
    readonly length: number,
    /** IPA of the first instruction. */
    readonly ipa: number,
    /** Characters of generated source or bytes of the module (the code cache's size measure). */
    readonly sourceSize: number,
    /** The WebAssembly side when the block is a WebAssembly module (then the run loop enters it directly). */
    readonly wasm: WasmBlockCode | null = null,
  ) {}
}
