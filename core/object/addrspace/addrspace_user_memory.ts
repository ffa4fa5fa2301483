/**
 * `UserMemory` over an addrspace with virtual = intermediate-physical
 * addresses: buffer access for a caller whose stage 1 is identity-mapped
 * (a native component, or a test), translated through the addrspace's
 * stage-2 entries with their kernel (EL1) access rights. Any byte that is
 * unmapped, not RAM, or lacks the needed right makes the whole copy
 * ERROR_ADDR_INVALID, and nothing is written.
 *
 * @module
 */
import { HypError } from "../../abi/error.ts";
import type { UserMemory } from "../../hypercall/context.ts";
import { S2_ACCESS_R, S2_ACCESS_W } from "../../plugin/contracts.ts";
import type { Addrspace } from "./addrspace.ts";

/** Identity-mapped buffer access through `addrspace`. */
export class AddrspaceUserMemory implements UserMemory {
  readonly addrspace: Addrspace;

  constructor(addrspace: Addrspace) {
    this.addrspace = addrspace;
  }

  readUser(va: bigint, length: number): Uint8Array | HypError {
    const out = new Uint8Array(length);
    return this.#walk(va, length, S2_ACCESS_R, (m, off, at, n) => {
      out.set(m.bytes.subarray(off, off + n), at);
    }) ?? out;
  }

  writeUser(va: bigint, data: Uint8Array): HypError {
    // Check the whole range first so that a failing copy writes nothing.
    const check = this.#walk(va, data.length, S2_ACCESS_W, () => {});
    if (check !== null) return check;
    this.#walk(va, data.length, S2_ACCESS_W, (m, off, at, n) => {
      m.bytes.set(data.subarray(at, at + n), off);
    });
    return HypError.OK;
  }

  #walk(
    va: bigint,
    length: number,
    right: number,
    copy: (m: { bytes: Uint8Array }, offset: number, at: number, n: number) => void,
  ): HypError | null {
    if (va + BigInt(length) > BigInt(Number.MAX_SAFE_INTEGER)) return HypError.ERROR_ADDR_INVALID;
    let ipa = Number(va);
    let at = 0;
    while (at < length) {
      const m = this.addrspace.lookup(ipa);
      if (m === null || (m.access & right) === 0) return HypError.ERROR_ADDR_INVALID;
      const n = Math.min(length - at, m.ipaBase + m.size - ipa);
      copy(m, m.offset + (ipa - m.ipaBase), at, n);
      at += n;
      ipa += n;
    }
    return null;
  }
}
