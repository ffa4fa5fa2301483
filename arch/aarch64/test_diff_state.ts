/**
 * Test support: moving AArch64 register state between a differential test's
 * 64-bit values ("quads", as the reference guest loads and prints them) and
 * this CPU, and listing where two result vectors disagree.
 *
 * The V registers are handled as quads: quad 2n is the low half (bits 63:0)
 * of Vn and quad 2n + 1 its high half (bits 127:64), the order in which
 * LDP/STP of Q registers lay them out in memory (little-endian).
 *
 * @module
 */
import type { CpuState } from "./cpu/state.ts";

/** 32-bit words per V register in {@link CpuState.v}. */
const WORDS_PER_V = 4;

/** Index in {@link CpuState.v} of the low word of quad `k`. */
function vQuadWord(k: number): number {
  return (k >> 1) * WORDS_PER_V + (k & 1) * 2;
}

/** Write `quads` into V0.. (quad k into the half k & 1 of V(k >> 1)). */
export function setVQuads(cpu: CpuState, quads: readonly bigint[]): void {
  for (let k = 0; k < quads.length; k++) {
    const w = vQuadWord(k);
    cpu.v[w] = Number(quads[k] & 0xffffffffn);
    cpu.v[w + 1] = Number((quads[k] >> 32n) & 0xffffffffn);
  }
}

/** The first `count` quads of V0.. (see the module comment for the order). */
export function getVQuads(cpu: CpuState, count: number): bigint[] {
  const quads: bigint[] = [];
  for (let k = 0; k < count; k++) {
    const w = vQuadWord(k);
    quads.push((BigInt(cpu.v[w + 1]) << 32n) | BigInt(cpu.v[w]));
  }
  return quads;
}

/** The register half quad `k` is: `V3.lo`, `V3.hi`. */
export function vQuadName(k: number): string {
  return `V${k >> 1}.${k & 1 ? "hi" : "lo"}`;
}

/** Indices at which `ours` and `theirs` differ (compared up to the length of `ours`). */
export function differingQuads(ours: readonly bigint[], theirs: readonly bigint[]): number[] {
  const diff: number[] = [];
  for (let j = 0; j < ours.length; j++) if (ours[j] !== theirs[j]) diff.push(j);
  return diff;
}
