/**
 * The memory database: who owns each physical address range.
 *
 * HYP `hyp/interfaces/memdb/memdb.tc`, `hyp/mem/memextent/src/memextent_basic.c`
 * (gunyah-abi.md §2.5): every tracked range has one owner — a partition, a
 * memextent, the allocator or the trace buffer. Moving ownership requires the
 * whole range to belong to the expected owner, else ERROR_MEMDB_NOT_OWNER;
 * inserting requires the range to be untracked, else ERROR_MEMDB_NOT_OWNER
 * too (HYP `memdb_insert` on an owned range).
 *
 * Cold path (configure / activate / donate); a sorted array of ranges.
 *
 * @module
 */
import { HypError } from "../abi/error.ts";

/** Kinds of owner (`memdb_type`). */
export enum MemdbOwnerType {
  NOTYPE = 0,
  PARTITION = 1,
  ALLOCATOR = 2,
  EXTENT = 3,
  TRACE = 4,
}

/** An owner: any object identity plus its kind. */
export interface MemdbOwner {
  readonly memdbType: MemdbOwnerType;
}

/** One tracked range. */
export interface MemdbRange {
  readonly base: number;
  /** Exclusive end. */
  readonly end: number;
  readonly owner: MemdbOwner;
}

/** The database. */
export class Memdb {
  #ranges: MemdbRange[] = [];

  /** All tracked ranges, sorted. */
  get ranges(): readonly MemdbRange[] {
    return this.#ranges;
  }

  /** The owner of `addr`, or `null`. */
  lookup(addr: number): MemdbOwner | null {
    const i = this.#find(addr);
    return i >= 0 ? this.#ranges[i].owner : null;
  }

  /** Whether every byte of `[base, base + size)` belongs to `owner`. */
  isOwner(base: number, size: number, owner: MemdbOwner): boolean {
    let at = base;
    const end = base + size;
    while (at < end) {
      const i = this.#find(at);
      if (i < 0 || this.#ranges[i].owner !== owner) return false;
      at = this.#ranges[i].end;
    }
    return true;
  }

  /** Track a new range; it must be wholly untracked. */
  insert(base: number, size: number, owner: MemdbOwner): HypError {
    if (size <= 0) return HypError.ERROR_ARGUMENT_SIZE;
    const end = base + size;
    for (const r of this.#ranges) {
      if (r.base < end && base < r.end) return HypError.ERROR_MEMDB_NOT_OWNER;
    }
    this.#ranges.push({ base, end, owner });
    this.#normalise();
    return HypError.OK;
  }

  /** Move `[base, base + size)` from `from` to `to`; all of it must belong to `from`. */
  update(base: number, size: number, from: MemdbOwner, to: MemdbOwner): HypError {
    if (size <= 0) return HypError.ERROR_ARGUMENT_SIZE;
    if (!this.isOwner(base, size, from)) return HypError.ERROR_MEMDB_NOT_OWNER;
    const end = base + size;
    const out: MemdbRange[] = [];
    for (const r of this.#ranges) {
      if (r.end <= base || r.base >= end) {
        out.push(r);
        continue;
      }
      if (r.base < base) out.push({ base: r.base, end: base, owner: r.owner });
      if (r.end > end) out.push({ base: end, end: r.end, owner: r.owner });
    }
    out.push({ base, end, owner: to });
    this.#ranges = out;
    this.#normalise();
    return HypError.OK;
  }

  /** Stop tracking `[base, base + size)`, which must belong to `owner`. */
  remove(base: number, size: number, owner: MemdbOwner): HypError {
    if (!this.isOwner(base, size, owner)) return HypError.ERROR_MEMDB_NOT_OWNER;
    const end = base + size;
    const out: MemdbRange[] = [];
    for (const r of this.#ranges) {
      if (r.end <= base || r.base >= end) {
        out.push(r);
        continue;
      }
      if (r.base < base) out.push({ base: r.base, end: base, owner: r.owner });
      if (r.end > end) out.push({ base: end, end: r.end, owner: r.owner });
    }
    this.#ranges = out;
    this.#normalise();
    return HypError.OK;
  }

  #find(addr: number): number {
    let lo = 0;
    let hi = this.#ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.#ranges[mid];
      if (addr < r.base) hi = mid - 1;
      else if (addr >= r.end) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** Sort and merge adjacent ranges with the same owner. */
  #normalise(): void {
    this.#ranges.sort((a, b) => a.base - b.base);
    const merged: MemdbRange[] = [];
    for (const r of this.#ranges) {
      const last = merged[merged.length - 1];
      if (last && last.end === r.base && last.owner === r.owner) {
        merged[merged.length - 1] = { base: last.base, end: r.end, owner: r.owner };
      } else merged.push(r);
    }
    this.#ranges = merged;
  }
}
