/**
 * The AArch64 memory system of one vCPU: guest memory access by virtual
 * address (./access.ts), the stage-1 translation table walk (./walk.ts), the
 * software TLB (./tlb.ts), the decode-cache page marks (./code_pages.ts) and
 * the hypervisor's side-effect-free translation (./translate.ts).
 *
 * @module
 */
export {
  ACC_CACHE_MAINT,
  ACC_EXCLUSIVE,
  ACC_ORDERED,
  ACC_UNPRIV,
  checkGeneration,
  fetchWord,
  readMem,
  translateData,
  translateFetch,
  writeMem,
} from "./access.ts";
export {
  CODE_MARK_MEMORY_MAX_PAGES,
  CODE_PAGE_SHIFT,
  codeMarkAddress,
  codeMarkMemory,
  codePageMarks,
  markCodePage,
  unmarkCodePage,
} from "./code_pages.ts";
export { Tlb, TLB_ENTRIES, TLB_NO_ADDRESS } from "./tlb.ts";
export { outputAddressBits, translateStage1, type WalkResult, walkResult } from "./walk.ts";
export { translateForHypervisor } from "./translate.ts";
