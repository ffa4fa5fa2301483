/**
 * The per-vCPU software TLB: a direct-mapped cache from 4 KiB virtual pages
 * to the guest RAM ({@link Stage2Mapping} + byte offset) or MMIO IPA behind
 * them, with the permissions stage 1 and stage 2 grant to EL0 and EL1.
 *
 * Entries are tagged with the ASID that was current when the walk was made,
 * or {@link ASID_GLOBAL} for translations whose descriptor had nG = 0 (and
 * for everything translated with the MMU off). Larger translations (16 KiB
 * and 64 KiB pages, blocks) are cached one 4 KiB piece at a time.
 *
 * Everything is held in typed arrays indexed by entry so that a lookup
 * allocates nothing. The columns a translated WebAssembly block probes
 * (tag, ASID, permission, the page's offset in the Wasm RAM memory and the
 * address of its code mark) are views on the vCPU's state memory at the
 * offsets of cpu/state_memory.ts; the interpreter reads the same arrays.
 *
 * @module
 */
import type { Stage2Mapping } from "@gunyah-ts/core/plugin";
import {
  STATE_MEMORY_BYTES,
  TLB_ASID,
  TLB_MARK_ADDRESS,
  TLB_PERM,
  TLB_TAG_HI,
  TLB_TAG_LO,
  TLB_WASM_OFFSET,
} from "../cpu/state_memory.ts";
import { codeMarkAddress } from "./code_pages.ts";

/** Number of entries (a power of two). */
export const TLB_ENTRIES = 1024;
/** Mask applied to the virtual page number to index the TLB. */
export const TLB_MASK = TLB_ENTRIES - 1;
/** Tag value of an empty entry (no virtual page number reaches it: they are 20 bits). */
export const TLB_INVALID = -1;
/** ASID tag of a global entry (nG = 0, or MMU off). */
export const ASID_GLOBAL = -1;

/** Permission bit: EL0 may read. */
export const P_EL0_R = 0x01;
/** Permission bit: EL0 may write. */
export const P_EL0_W = 0x02;
/** Permission bit: EL0 may execute. */
export const P_EL0_X = 0x04;
/** Permission bit: EL1 may read. */
export const P_EL1_R = 0x08;
/** Permission bit: EL1 may write. */
export const P_EL1_W = 0x10;
/** Permission bit: EL1 may execute. */
export const P_EL1_X = 0x20;
/**
 * The page is Normal memory and SCTLR_EL1.A is 0, so unaligned accesses
 * (other than exclusive/ordered ones) are permitted without a fault.
 */
export const P_UNALIGNED_OK = 0x40;

const NO_MARKS = new Uint8Array(1);
/** Largest page offset an Int32Array entry holds (the last 4 KiB page below 2 GiB). */
const MAX_VIEW_OFFSET = 0x7fff_f000;

/** `wasmOffset`/`markAddress` of a page that has none (MMIO, or RAM outside `wasmRam`). */
export const TLB_NO_ADDRESS = -1;

/**
 * One vCPU's TLB.
 *
 * The state-memory views are `declare`d fields assigned once in the
 * constructor, so they are never defined as `undefined` first (what a plain
 * declaration emits): with plain declarations access_bench.ts's readMem TLB
 * hit measured ~7% slower (9.6 vs 9.0 ms, same sitting), consistent with V8
 * no longer knowing the fields' typed-array type.
 */
export class Tlb {
  /** Virtual address bits 31:12 of the cached page, or {@link TLB_INVALID} (state memory). */
  declare readonly tagLo: Int32Array;
  /** Virtual address bits 63:32 of the cached page, as a signed 32-bit value (state memory). */
  declare readonly tagHi: Int32Array;
  /** ASID the entry belongs to, or {@link ASID_GLOBAL} (state memory). */
  declare readonly asid: Int32Array;
  /** OR of the P_* bits (state memory). */
  declare readonly perm: Uint8Array;
  /**
   * Byte offset of the page in {@link wasmRam} (the same value as `off`), or
   * {@link TLB_NO_ADDRESS} when the page is MMIO, RAM of another memory, or
   * has no {@link markAddress} (state memory). Where it is >= 0,
   * `markAddress` is too.
   */
  declare readonly wasmOffset: Int32Array;
  /**
   * Byte address of the page's code mark (`marks[i][markIndex[i]]`) in
   * `codeMarkMemory()` (mmu/code_pages.ts) for RAM pages, else
   * {@link TLB_NO_ADDRESS} (state memory).
   */
  declare readonly markAddress: Int32Array;
  /**
   * The RAM memory `wasmOffset` indexes: the `memory` of the first mapping
   * filled that has one, then fixed for the vCPU's life (a translated block
   * instance imports it once). Null until then.
   */
  wasmRam: WebAssembly.Memory | null = null;
  /** `wasmRam.buffer` when it was adopted: a mapping's view must be on this buffer at byte 0. */
  #wasmRamBuffer: ArrayBufferLike | null = null;
  /** Translation table level of the final descriptor (for permission fault syndromes). */
  readonly level: Uint8Array = new Uint8Array(TLB_ENTRIES);
  /** MAIR attribute byte of the translation (0 = Device-nGnRnE). */
  readonly attr: Uint8Array = new Uint8Array(TLB_ENTRIES);
  /** The RAM mapping behind the page, or null for MMIO (a packed array: built element by element). */
  readonly map: (Stage2Mapping | null)[] = Array.from({ length: TLB_ENTRIES }, () => null);
  /**
   * Byte offset in `map.view` of the page's first byte (RAM only). An
   * Int32Array on purpose: V8 indexes a DataView several times faster with
   * a small-integer offset than with one read from a Float64Array.
   */
  readonly off: Int32Array = new Int32Array(TLB_ENTRIES);
  /** IPA of the page's first byte. */
  readonly ipa: Float64Array = new Float64Array(TLB_ENTRIES);
  /** Code-page marks of `map` (see code_pages.ts); a dummy array for MMIO. */
  readonly marks: Uint8Array[] = Array.from({ length: TLB_ENTRIES }, () => NO_MARKS);
  /** Index into `marks` of this page. */
  readonly markIndex: Int32Array = new Int32Array(TLB_ENTRIES);

  /** ASID that non-global entries must carry to hit (kept by the system registers). */
  curAsid = 0;
  /** Stage2View.generation the entries were made under. */
  generation = 0;

  /**
   * A TLB whose probed columns are views on `stateBuffer` (a vCPU's state
   * memory buffer, cpu/state_memory.ts layout), or on a buffer of its own of
   * the same layout when none is given (unit tests).
   */
  constructor(stateBuffer?: ArrayBufferLike) {
    const buf = stateBuffer ?? new ArrayBuffer(STATE_MEMORY_BYTES);
    if (buf.byteLength < STATE_MEMORY_BYTES) {
      throw new RangeError(
        `the TLB needs a state memory of ${STATE_MEMORY_BYTES} bytes, got ${buf.byteLength}`,
      );
    }
    this.tagLo = new Int32Array(buf, TLB_TAG_LO, TLB_ENTRIES).fill(TLB_INVALID);
    this.tagHi = new Int32Array(buf, TLB_TAG_HI, TLB_ENTRIES);
    this.asid = new Int32Array(buf, TLB_ASID, TLB_ENTRIES);
    this.perm = new Uint8Array(buf, TLB_PERM, TLB_ENTRIES);
    this.wasmOffset = new Int32Array(buf, TLB_WASM_OFFSET, TLB_ENTRIES).fill(TLB_NO_ADDRESS);
    this.markAddress = new Int32Array(buf, TLB_MARK_ADDRESS, TLB_ENTRIES).fill(TLB_NO_ADDRESS);
  }

  /** Drop every entry. */
  flushAll(): void {
    this.tagLo.fill(TLB_INVALID);
    this.map.fill(null);
  }

  /** Drop every entry belonging to `asid` that is not global. */
  flushAsid(asid: number): void {
    for (let i = 0; i < TLB_ENTRIES; i++) {
      if (this.asid[i] === asid) this.drop(i);
    }
  }

  /** Drop every non-global entry (whatever its ASID). */
  flushNonGlobal(): void {
    for (let i = 0; i < TLB_ENTRIES; i++) {
      if (this.asid[i] !== ASID_GLOBAL) this.drop(i);
    }
  }

  /**
   * Drop the entries for the virtual page of `vaLo/vaHi` (bits 55:12 compared,
   * as TLBI by VA does). With `asid` >= 0 only that ASID's non-global entry
   * and global entries match; with `asid` < 0 any ASID matches. With
   * `lastLevelOnly` nothing changes here (only final-level entries are cached).
   */
  flushPage(vaLo: number, vaHi: number, asid: number): void {
    // Translations for larger pages/blocks are cached as 4 KiB pieces, and
    // TLBI by VA must drop the whole block it falls in, so compare the whole
    // TLB rather than one slot. Entries differ from the page's by VA.
    const vpn = vaLo >>> 12, hi = vaHi & 0x00ffffff;
    for (let i = 0; i < TLB_ENTRIES; i++) {
      if (this.tagLo[i] === TLB_INVALID) continue;
      if ((this.tagHi[i] & 0x00ffffff) !== hi) continue;
      const a = this.asid[i];
      if (asid >= 0 && a !== ASID_GLOBAL && a !== asid) continue;
      const size = this.blockPages[i];
      if (((this.tagLo[i] ^ vpn) & ~(size - 1)) !== 0) continue;
      this.drop(i);
    }
  }

  /** Size in 4 KiB pages of the translation each entry came from (a power of two). */
  readonly blockPages: Int32Array = new Int32Array(TLB_ENTRIES);

  /** Drop one entry. */
  drop(i: number): void {
    this.tagLo[i] = TLB_INVALID;
    this.map[i] = null;
  }

  /** Install an entry for the page of `vaLo/vaHi`; returns its index. */
  fill(
    vaLo: number,
    vaHi: number,
    asid: number,
    perm: number,
    level: number,
    attr: number,
    blockPages: number,
    ipaPage: number,
    mapping: Stage2Mapping | null,
    marks: Uint8Array | null,
  ): number {
    const vpn = vaLo >>> 12;
    const i = vpn & TLB_MASK;
    this.tagLo[i] = vpn;
    this.tagHi[i] = vaHi | 0;
    this.asid[i] = asid;
    this.perm[i] = perm;
    this.level[i] = level;
    this.attr[i] = attr;
    this.blockPages[i] = blockPages;
    this.ipa[i] = ipaPage;
    this.map[i] = mapping;
    if (mapping !== null) {
      const off = mapping.offset + (ipaPage - mapping.ipaBase);
      if (off > MAX_VIEW_OFFSET) {
        throw new RangeError(
          `guest RAM page at IPA 0x${ipaPage.toString(16)} lies ${off} bytes into its buffer; ` +
            `the TLB supports buffers up to 2 GiB: split guest RAM into mappings of at most 2 GiB`,
        );
      }
      this.off[i] = off;
      const wasmOffset = this.#wasmRamOffset(mapping, off);
      if (marks === null) {
        this.marks[i] = NO_MARKS;
        this.markIndex[i] = 0;
        this.markAddress[i] = TLB_NO_ADDRESS;
        this.wasmOffset[i] = TLB_NO_ADDRESS;
      } else {
        const index = (ipaPage - mapping.ipaBase) / 4096;
        this.marks[i] = marks;
        this.markIndex[i] = index;
        const markAddress = codeMarkAddress(marks, index);
        this.markAddress[i] = markAddress;
        // A block stores to a page directly only when it can also check the page's mark.
        this.wasmOffset[i] = markAddress < 0 ? TLB_NO_ADDRESS : wasmOffset;
      }
    } else {
      this.off[i] = 0;
      this.wasmOffset[i] = TLB_NO_ADDRESS;
      this.marks[i] = NO_MARKS;
      this.markIndex[i] = 0;
      this.markAddress[i] = TLB_NO_ADDRESS;
    }
    return i;
  }

  /**
   * Make `memory` the {@link wasmRam} if there is none yet (a translated
   * block is about to import it); entries filled before keep no offset.
   */
  adoptWasmRam(memory: WebAssembly.Memory): void {
    if (this.wasmRam !== null) return;
    this.wasmRam = memory;
    this.#wasmRamBuffer = memory.buffer;
  }

  /**
   * `off` as an offset in {@link wasmRam} when `mapping`'s bytes are that
   * memory's (adopting the mapping's memory as `wasmRam` if there is none
   * yet), else {@link TLB_NO_ADDRESS}.
   */
  #wasmRamOffset(mapping: Stage2Mapping, off: number): number {
    const memory = mapping.memory;
    if (memory === undefined) return TLB_NO_ADDRESS;
    if (this.wasmRam === null) this.adoptWasmRam(memory);
    else if (memory !== this.wasmRam) return TLB_NO_ADDRESS;
    const view = mapping.view;
    return view.buffer === this.#wasmRamBuffer && view.byteOffset === 0 ? off : TLB_NO_ADDRESS;
  }
}
