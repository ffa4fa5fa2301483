/**
 * The layout of a vCPU's state memory: one 64 KiB `WebAssembly.Memory` per
 * vCPU holding the state that translated WebAssembly blocks (jit/wasm/) read
 * and write directly, viewed from JavaScript through typed arrays at these
 * byte offsets (the interpreter uses the same arrays, so there is one copy of
 * each value).
 *
 * - General registers: the low and high halves of the {@link GPR_SLOTS}
 *   register slots (cpu/state.ts `xlo`/`xhi`).
 * - Block exchange words: what a translated block and its JavaScript glue
 *   pass each other besides the registers (NZCV, PC, budget, ASID, EL in;
 *   NZCV, PC, retired count, exit reasons out).
 * - TLB columns a block's inline fast path probes (mmu/tlb.ts): tag, ASID,
 *   permission, the page's byte offset in the vCPU's Wasm RAM memory
 *   ({@link TLB_WASM_OFFSET}, -1 when the page is not in it) and the address
 *   of the page's code mark in the code-mark memory (mmu/code_pages.ts).
 *
 * Every offset is a multiple of 8; the whole layout fits one Wasm page.
 *
 * @module
 */

/** Bytes of one vCPU's state memory: one WebAssembly page. */
export const STATE_MEMORY_BYTES = 65536;

/** `xlo`: low halves of the general-register slots (Uint32, GPR_SLOTS of them). */
export const STATE_X_LO = 0;
/** `xhi`: high halves of the general-register slots (Uint32). */
export const STATE_X_HI = 256;

/** Block exchange: PSTATE.NZCV in bits 31:28 (Int32). */
export const STATE_NZCV = 512;
/** Block exchange: PC low half (Int32, unsigned value). */
export const STATE_PC_LO = 516;
/** Block exchange: PC high half (Int32, unsigned value). */
export const STATE_PC_HI = 520;
/** Block exchange: instructions retired by the block in this entry (Int32). */
export const STATE_RETIRED = 524;
/** Block exchange: high half of the last slow-path read (Int32). */
export const STATE_MEM_HI = 528;
/** Block exchange: scratch words for the glue (8 Int32). */
export const STATE_SCRATCH = 544;
/** Block input: instructions the block may retire in this entry (Int32). */
export const STATE_BUDGET = 576;
/** Block input: the current ASID (TLB `curAsid`, Int32). */
export const STATE_ASID = 580;
/** Block input: 1 at EL0, 0 at EL1 (Int32). */
export const STATE_EL0 = 584;
/** Chaining: instructions retired by earlier blocks of this dispatch (Int32). */
export const STATE_CHAIN_BASE = 588;
/** Chaining: the vCPU's translation epoch * 2 + EL when the dispatch began (Int32). */
export const STATE_TRANSLATION_KEY = 592;
/** Chaining: the code generation (blocks dropped, block-id epochs) when the dispatch began (Int32). */
export const STATE_CODE_GEN = 596;
/** Chaining: blocks entered from other blocks in this dispatch (Int32). */
export const STATE_CHAINED = 600;

/**
 * The jump cache: {@link JUMP_CACHE_ENTRIES} entries of {@link JUMP_CACHE_ENTRY_BYTES}
 * bytes, indexed by PC bits 11:2, each PC low and high half, translation epoch and EL, code
 * generation, block id and block length (Int32 each): a translated block
 * that ends at a PC found here with the current epoch and generation goes
 * on into that block without returning to the run loop.
 */
export const JUMP_CACHE = 24576;
/** Entries of the jump cache (a power of two). */
export const JUMP_CACHE_ENTRIES = 1024;
/** Bytes of one jump-cache entry. */
export const JUMP_CACHE_ENTRY_BYTES = 24;

/** TLB column: VA page number bits 31:12 (Int32, -1 = invalid), TLB_ENTRIES of them. */
export const TLB_TAG_LO = 1024;
/** TLB column: VA bits 63:32 (Int32). */
export const TLB_TAG_HI = 5120;
/** TLB column: ASID (Int32, -1 = global). */
export const TLB_ASID = 9216;
/** TLB column: byte offset of the page in the vCPU's Wasm RAM memory, -1 when not there (Int32). */
export const TLB_WASM_OFFSET = 13312;
/** TLB column: byte address of the page's code mark in the code-mark memory (Int32). */
export const TLB_MARK_ADDRESS = 17408;
/** TLB column: permission bits P_* of mmu/tlb.ts (Uint8). */
export const TLB_PERM = 21504;
/** First byte after the layout. */
export const STATE_END = JUMP_CACHE + JUMP_CACHE_ENTRIES * JUMP_CACHE_ENTRY_BYTES;
