/**
 * Guest RAM for the differential machine: one contiguous, read/write/execute
 * stage-2 mapping over a `SharedArrayBuffer` (as a memextent's pages would
 * be), implementing {@link Stage2View}.
 *
 * @module
 */
import { PAGE_SIZE } from "@gunyah-ts/core/abi";
import {
  S2_ACCESS_R,
  S2_ACCESS_W,
  S2_ACCESS_X,
  type Stage2Mapping,
  type Stage2View,
} from "@gunyah-ts/core/plugin";

/** Stage-2 mappings are made of 4 KiB pages (Gunyah and the contract require it). */

/** A single RAM mapping at `ipaBase`; everything else is MMIO. */
export class FlatRam implements Stage2View {
  /** The one mapping (long-lived, as the contract requires). */
  readonly mapping: Stage2Mapping;
  /** Never changes: this RAM is never unmapped. */
  readonly generation = 0;

  /** RAM of `size` bytes (a multiple of 4 KiB) at IPA `ipaBase` (4 KiB aligned). */
  constructor(ipaBase: number, size: number) {
    if (size <= 0 || size % PAGE_SIZE !== 0 || ipaBase % PAGE_SIZE !== 0) {
      throw new RangeError(
        `RAM must be a positive multiple of 4 KiB at a 4 KiB-aligned IPA (got 0x${
          ipaBase.toString(16)
        } + 0x${size.toString(16)})`,
      );
    }
    const buffer = new SharedArrayBuffer(size);
    this.mapping = {
      ipaBase,
      size,
      bytes: new Uint8Array(buffer),
      view: new DataView(buffer),
      offset: 0,
      access: S2_ACCESS_R | S2_ACCESS_W | S2_ACCESS_X,
    };
  }

  lookup(ipa: number): Stage2Mapping | null {
    const m = this.mapping;
    return ipa >= m.ipaBase && ipa < m.ipaBase + m.size ? m : null;
  }

  /** Copy `data` into RAM at `ipa`; throws with the range if it does not fit. */
  write(ipa: number, data: Uint8Array): void {
    const m = this.mapping;
    if (ipa < m.ipaBase || ipa + data.length > m.ipaBase + m.size) {
      throw new RangeError(
        `0x${ipa.toString(16)}+0x${data.length.toString(16)} is outside RAM 0x${
          m.ipaBase.toString(16)
        }+0x${m.size.toString(16)}`,
      );
    }
    m.bytes.set(data, ipa - m.ipaBase);
  }
}
