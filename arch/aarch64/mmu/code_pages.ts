/**
 * Marks on 4 KiB pages of guest RAM that hold decoded instructions.
 *
 * The decode cache (arch/aarch64/decode/) marks a page when it decodes from
 * it; the store path (mmu/access.ts) checks the mark with one typed-array
 * read and, when set, clears it and calls `cpu.codePageWritten(ipaPage)`.
 * Marks live per {@link Stage2Mapping} (a long-lived object shared by all
 * vCPUs of a VM), so a store by any vCPU sees the marks of every other.
 *
 * @module
 */
import type { Stage2Mapping } from "@gunyah-ts/core/plugin";

/** log2 of the page size the marks are kept at (4 KiB, the smallest translation granule). */
export const CODE_PAGE_SHIFT = 12;

const marks = new WeakMap<Stage2Mapping, Uint8Array>();

/**
 * The mark array of a mapping: one byte per 4 KiB page from `ipaBase`,
 * nonzero when the page holds decoded code. Created on first use.
 */
export function codePageMarks(mapping: Stage2Mapping): Uint8Array {
  let m = marks.get(mapping);
  if (m === undefined) {
    m = new Uint8Array(Math.ceil(mapping.size / (1 << CODE_PAGE_SHIFT)));
    marks.set(mapping, m);
  }
  return m;
}

/** Mark the page holding `ipa` (inside `mapping`) as holding decoded code. */
export function markCodePage(mapping: Stage2Mapping, ipa: number): void {
  codePageMarks(mapping)[Math.floor((ipa - mapping.ipaBase) / (1 << CODE_PAGE_SHIFT))] = 1;
}

/** Clear the mark of the page holding `ipa` (e.g. when the decode cache evicts it). */
export function unmarkCodePage(mapping: Stage2Mapping, ipa: number): void {
  codePageMarks(mapping)[Math.floor((ipa - mapping.ipaBase) / (1 << CODE_PAGE_SHIFT))] = 0;
}
