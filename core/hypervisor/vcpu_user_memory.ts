/**
 * Hypercall buffers (`user_ptr_t`) of a vCPU: guest virtual addresses,
 * translated through the vCPU's current stage 1 (`ArchVcpu.translate`, as
 * an EL1 access) and then its address space's stage 2, one 4 KiB page at a
 * time. Any page that does not translate, is not RAM, or lacks the needed
 * stage-2 right makes the whole copy ERROR_ADDR_INVALID; a failing write
 * copies nothing.
 *
 * @module
 */
import { HypError } from "../abi/error.ts";
import type { UserMemory } from "../hypercall/context.ts";
import type { Thread } from "../object/thread/thread.ts";
import {
  S2_ACCESS_R,
  S2_ACCESS_W,
  type Stage2Mapping,
  type Stage2View,
} from "../plugin/contracts.ts";

/** Granule of the copies: a stage-1 page can map anywhere, so each 4 KiB page is translated. */
const USER_PAGE = 0x1000;

/** Whether `o` implements {@link Stage2View} (the addrspace object does). */
export function isStage2View(o: object | null): o is Stage2View {
  return o !== null && typeof (o as { lookup?: unknown }).lookup === "function" &&
    typeof (o as { generation?: unknown }).generation === "number";
}

/** The buffers of one vCPU. */
export class VcpuUserMemory implements UserMemory {
  /** Buffers of `thread`. */
  constructor(readonly thread: Thread) {}

  #map(va: bigint, write: boolean): { m: Stage2Mapping; at: number } | null {
    const arch = this.thread.arch;
    if (arch === null) return null;
    const ipa = arch.translate(va, write);
    if (ipa === null) return null;
    const s2 = this.thread.addrspace;
    if (!isStage2View(s2)) return null;
    const m = s2.lookup(ipa);
    if (m === null || (m.access & (write ? S2_ACCESS_W : S2_ACCESS_R)) === 0) return null;
    return { m, at: m.offset + (ipa - m.ipaBase) };
  }

  readUser(va: bigint, length: number): Uint8Array | HypError {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const cur = va + BigInt(done);
      const chunk = Math.min(length - done, USER_PAGE - Number(cur & BigInt(USER_PAGE - 1)));
      const r = this.#map(cur, false);
      if (r === null) return HypError.ERROR_ADDR_INVALID;
      out.set(r.m.bytes.subarray(r.at, r.at + chunk), done);
      done += chunk;
    }
    return out;
  }

  writeUser(va: bigint, data: Uint8Array): HypError {
    // Translate every page first so a failing copy writes nothing.
    const spans: { m: Stage2Mapping; at: number; from: number; len: number }[] = [];
    let done = 0;
    while (done < data.length) {
      const cur = va + BigInt(done);
      const chunk = Math.min(data.length - done, USER_PAGE - Number(cur & BigInt(USER_PAGE - 1)));
      const r = this.#map(cur, true);
      if (r === null) return HypError.ERROR_ADDR_INVALID;
      spans.push({ m: r.m, at: r.at, from: done, len: chunk });
      done += chunk;
    }
    for (const s of spans) s.m.bytes.set(data.subarray(s.from, s.from + s.len), s.at);
    return HypError.OK;
  }
}
