/**
 * Who is making a hypercall: the caller's cspace (where its CapIDs are looked
 * up), its partition, its thread, and access to its memory for `user_ptr_t`
 * buffers.
 *
 * For a vCPU the thread module builds this from the vCPU (buffers are guest
 * virtual addresses translated through the vCPU's stage 1 and its
 * addrspace). Native components and tests use {@link IdentityUserMemory}.
 *
 * @module
 */
import type { HypError } from "../abi/error.ts";
import type { Cspace } from "../cspace/cspace.ts";
import type { GunyahObject } from "../object/object.ts";
import type { Partition } from "../object/partition/partition.ts";

/** Copy-in / copy-out of the caller's buffers. */
export interface UserMemory {
  /**
   * Copy `length` bytes from the caller's virtual address `va`. Returns the
   * bytes, or a Gunyah error (ERROR_ADDR_INVALID when any byte is unmapped or
   * not readable).
   */
  readUser(va: bigint, length: number): Uint8Array | HypError;
  /** Copy `data` to the caller's virtual address `va`; OK or a Gunyah error. */
  writeUser(va: bigint, data: Uint8Array): HypError;
}

/** The caller of a hypercall. */
export interface HypercallContext extends UserMemory {
  /** The caller's cspace: every CapID argument is looked up here. */
  readonly cspace: Cspace;
  /** The caller's partition. */
  readonly partition: Partition;
  /**
   * The calling thread (a vCPU object of the thread module), or `null` for a
   * thread-less native caller. Opaque to the core's own hypercalls.
   */
  readonly thread: GunyahObject | null;
}
