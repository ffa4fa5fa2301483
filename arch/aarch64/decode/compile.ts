/**
 * Compiles the encoding tables of all instruction groups (./entry.ts) into one
 * fast decoder, once, at start-up.
 *
 * Layout: the word's bits 31:21 (11 bits, which hold the A64 `op0` field and
 * most class-selecting bits) pick one of 2048 buckets; each bucket lists the
 * entries that can match a word with those bits, most specific first, as flat
 * mask/value typed arrays scanned linearly. Decoding happens once per
 * instruction slot of a code page (./cache.ts), so the scan is not on the
 * per-instruction path.
 *
 * Build-time checks: every pattern must parse; two entries whose patterns
 * can match the same word must be ordered by specificity (the fixed bits of
 * one contain the fixed bits of the other, and they are not identical).
 * Anything else throws {@link DecoderBuildError} naming both entries.
 *
 * @module
 */
import type { EncodingEntry, Handler } from "./entry.ts";
import { type ParsedPattern, parsePattern } from "./pattern.ts";

/** Bits of the instruction word that select a bucket: 31..21. */
const BUCKET_SHIFT = 21;
/** Number of buckets (2^11). */
const BUCKET_COUNT = 1 << (32 - BUCKET_SHIFT);

/** Raised while building a decoder from inconsistent tables. */
export class DecoderBuildError extends Error {
  /** Error name. */
  override readonly name = "DecoderBuildError";
}

/** A named encoding table, as an instruction group exports it. */
export interface EncodingGroup {
  /** Group name for error messages, e.g. `"integer"`. */
  readonly name: string;
  /** The group's entries. */
  readonly entries: readonly EncodingEntry[];
}

interface Compiled {
  readonly entry: EncodingEntry;
  readonly group: string;
  readonly p: ParsedPattern;
}

/** The compiled decoder: word → handler. */
export class A64Decoder {
  readonly #start: Uint32Array;
  readonly #masks: Uint32Array;
  readonly #values: Uint32Array;
  readonly #entries: readonly EncodingEntry[];
  readonly #unallocated: Handler;
  /** Number of table entries compiled in. */
  readonly size: number;

  /** @internal Use {@link compileDecoder}. */
  constructor(
    start: Uint32Array,
    masks: Uint32Array,
    values: Uint32Array,
    entries: readonly EncodingEntry[],
    unallocated: Handler,
    size: number,
  ) {
    this.#start = start;
    this.#masks = masks;
    this.#values = values;
    this.#entries = entries;
    this.#unallocated = unallocated;
    this.size = size;
  }

  /** The entry matching `insn`, or `null` when the encoding is unallocated here. */
  lookup(insn: number): EncodingEntry | null {
    const word = insn >>> 0;
    const b = word >>> BUCKET_SHIFT;
    const end = this.#start[b + 1];
    const masks = this.#masks, values = this.#values;
    for (let i = this.#start[b]; i < end; i++) {
      if (((word & masks[i]) >>> 0) === values[i]) return this.#entries[i];
    }
    return null;
  }

  /** The handler for `insn`: the matching entry's, or the unallocated-encoding handler. */
  decode(insn: number): Handler {
    const e = this.lookup(insn);
    return e === null ? this.#unallocated : e.exec;
  }

  /** Whether `handler` is the unallocated-encoding handler this decoder returns. */
  isUnallocated(handler: Handler): boolean {
    return handler === this.#unallocated;
  }

  /** Instruction name for `insn` (diagnostics), or `"UNALLOCATED"`. */
  nameOf(insn: number): string {
    const e = this.lookup(insn);
    return e === null ? "UNALLOCATED" : e.name;
  }
}

function describe(c: Compiled): string {
  return `${c.group}: ${c.entry.name} "${c.entry.pattern}"`;
}

/**
 * Build a decoder from encoding groups. `unallocated` is returned for every
 * word no entry matches (it should take the UNDEFINED exception).
 *
 * @example
 * ```ts
 * const dec = compileDecoder([{ name: "demo", entries }], undefinedHandler);
 * const h = dec.decode(0xd503201f);
 * ```
 * @throws DecoderBuildError on a malformed pattern or an ambiguous overlap.
 */
export function compileDecoder(
  groups: readonly EncodingGroup[],
  unallocated: Handler,
): A64Decoder {
  const all: Compiled[] = [];
  for (const g of groups) {
    for (const entry of g.entries) {
      let p: ParsedPattern;
      try {
        p = parsePattern(entry.pattern);
      } catch (e) {
        throw new DecoderBuildError(`${g.name}: ${entry.name}: ${(e as Error).message}`);
      }
      all.push({ entry, group: g.name, p });
    }
  }
  // Pairwise consistency: overlapping patterns must be strictly nested.
  for (let i = 0; i < all.length; i++) {
    const a = all[i].p;
    for (let j = i + 1; j < all.length; j++) {
      const b = all[j].p;
      const common = (a.mask & b.mask) >>> 0;
      if (((a.value ^ b.value) & common) !== 0) continue; // disjoint
      const aInB = ((a.mask & b.mask) >>> 0) === a.mask;
      const bInA = ((a.mask & b.mask) >>> 0) === b.mask;
      if (a.mask === b.mask || (!aInB && !bInA)) {
        throw new DecoderBuildError(
          `ambiguous encodings: ${describe(all[i])} and ${describe(all[j])} ` +
            `match the same words and neither is more specific`,
        );
      }
    }
  }
  // Most specific first; the sort is stable, so ties keep table order.
  const order = all.slice().sort((x, y) => y.p.fixedBits - x.p.fixedBits);
  const buckets: Compiled[][] = [];
  for (let b = 0; b < BUCKET_COUNT; b++) buckets.push([]);
  for (const c of order) {
    const topMask = c.p.mask >>> BUCKET_SHIFT;
    const topValue = c.p.value >>> BUCKET_SHIFT;
    const free = (~topMask & (BUCKET_COUNT - 1)) >>> 0;
    // Enumerate all subsets of the free bits.
    let sub = 0;
    for (;;) {
      buckets[(topValue | sub) >>> 0].push(c);
      if (sub === free) break;
      sub = ((sub - free) & free) >>> 0;
    }
  }
  let total = 0;
  for (const b of buckets) total += b.length;
  const start = new Uint32Array(BUCKET_COUNT + 1);
  const masks = new Uint32Array(total), values = new Uint32Array(total);
  const entries: EncodingEntry[] = new Array(total);
  let k = 0;
  for (let b = 0; b < BUCKET_COUNT; b++) {
    start[b] = k;
    for (const c of buckets[b]) {
      masks[k] = c.p.mask;
      values[k] = c.p.value;
      entries[k] = c.entry;
      k++;
    }
  }
  start[BUCKET_COUNT] = k;
  return new A64Decoder(start, masks, values, entries, unallocated, all.length);
}
