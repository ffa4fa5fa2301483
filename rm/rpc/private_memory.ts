/**
 * The resource manager's private memory: the RAM its hypercall buffers live
 * in. A native component's `user_ptr_t` buffers are physical addresses
 * (`PhysicalUserMemory`, identity mapped), so the RM needs physical RAM of its
 * own, as the real RM has its root-VM memory.
 *
 * Whoever composes the system gives the RM a physical RAM region (its base
 * and a view of its bytes); when the RM starts it claims the region through
 * hypercalls — `partition_create_memextent`, `memextent_configure` (RW,
 * basic) and `object_activate` — so the memory database records the region
 * as owned by the RM's extent and no VM's memextent can take it
 * (MEMDB_NOT_OWNER). The extent is never mapped: the RM reaches the bytes
 * directly, as its own memory.
 *
 * Layout: one receive buffer and one send buffer of
 * {@link RPC_MESSAGE_SIZE} bytes each. One of each suffices because every
 * msgqueue hypercall copies the message synchronously.
 *
 * @module
 */
import {
  encodeMemextentAttrs,
  errorFromRegister,
  errorName,
  Hypercall,
  HypError,
  MemextentMemtype,
  MemextentType,
  PAGE_SIZE,
  PgtableAccess,
} from "@gunyah-ts/core/abi";
import type { HypercallPort } from "@gunyah-ts/core/plugin";
import { RPC_MESSAGE_SIZE } from "./header.ts";

/** A physical RAM region handed to the RM: its physical base and its bytes. */
export interface RmMemoryRegion {
  /** Physical address of the first byte (page aligned). */
  readonly base: number;
  /** The region's bytes (length a multiple of 4 KiB, at least one page). */
  readonly bytes: Uint8Array;
}

/** Bytes the RM needs: one page holds both message buffers. */
export const RM_PRIVATE_MEMORY_SIZE: number = PAGE_SIZE;

/** The RM's claimed private memory and its two message buffers. */
export class RmPrivateMemory {
  /** Physical address of the receive buffer. */
  readonly rxAddress: bigint;
  /** The receive buffer's bytes. */
  readonly rx: Uint8Array;
  /** Physical address of the send buffer. */
  readonly txAddress: bigint;
  /** The send buffer's bytes. */
  readonly tx: Uint8Array;
  /** CapID (RM cspace) of the memextent that owns the region. */
  readonly memextentCap: bigint;

  private constructor(region: RmMemoryRegion, memextentCap: bigint) {
    this.memextentCap = memextentCap;
    this.rxAddress = BigInt(region.base);
    this.rx = region.bytes.subarray(0, RPC_MESSAGE_SIZE);
    this.txAddress = BigInt(region.base + RPC_MESSAGE_SIZE);
    this.tx = region.bytes.subarray(RPC_MESSAGE_SIZE, 2 * RPC_MESSAGE_SIZE);
  }

  /**
   * Claim `region` for the RM through hypercalls (memextent over it,
   * activated from the RM's partition). Throws an actionable error when the
   * region is unusable or not the partition's to give.
   */
  static claim(
    port: HypercallPort,
    env: { readonly partitionCap: bigint; readonly cspaceCap: bigint },
    region: RmMemoryRegion,
  ): RmPrivateMemory {
    const size = region.bytes.length;
    if (region.base % PAGE_SIZE !== 0 || size % PAGE_SIZE !== 0 || size < RM_PRIVATE_MEMORY_SIZE) {
      throw new RangeError(
        `resource manager: private memory 0x${region.base.toString(16)}+0x${size.toString(16)} ` +
          `must be page aligned and at least ${RM_PRIVATE_MEMORY_SIZE} bytes`,
      );
    }
    const me = RmPrivateMemory.claimExtent(
      port,
      env,
      region.base,
      size,
      PgtableAccess.RW,
      "private memory",
    );
    return new RmPrivateMemory(region, me);
  }

  /**
   * A BASIC memextent over physical `[base, base + size)` with `access`,
   * activated from the caller's partition (which must own the range in the
   * memory database); its cap in the caller's cspace. Throws an actionable
   * error naming the hypercall that failed.
   */
  static claimExtent(
    port: HypercallPort,
    env: { readonly partitionCap: bigint; readonly cspaceCap: bigint },
    base: number,
    size: number,
    access: number,
    what: string,
  ): bigint {
    const must = (call: string, r: bigint[]): bigint[] => {
      const err = errorFromRegister(r[0]);
      if (err !== HypError.OK) {
        throw new Error(
          `resource manager: claiming ${what} 0x${base.toString(16)}+0x${size.toString(16)}: ` +
            `${call} failed with ${errorName(err)} (${err}); give the RM RAM its partition owns ` +
            `and no VM uses`,
        );
      }
      return r;
    };
    const me = must(
      "partition_create_memextent",
      port.call(Hypercall.PARTITION_CREATE_MEMEXTENT, env.partitionCap, env.cspaceCap, 0n),
    )[1];
    const attrs = encodeMemextentAttrs({
      access,
      memtype: MemextentMemtype.ANY,
      type: MemextentType.BASIC,
      append: false,
    });
    const fail = (call: string, r: bigint[]) => {
      try {
        must(call, r);
      } catch (e) {
        port.call(Hypercall.CSPACE_DELETE_CAP_FROM, env.cspaceCap, me, 0n);
        throw e;
      }
    };
    fail(
      "memextent_configure",
      port.call(Hypercall.MEMEXTENT_CONFIGURE, me, BigInt(base), BigInt(size), attrs, 0n),
    );
    fail("object_activate", port.call(Hypercall.OBJECT_ACTIVATE, me, 0n));
    return me;
  }
}
