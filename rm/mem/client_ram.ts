/**
 * RAM of a host client (the host's VMM): physical RAM the platform adds to
 * the RM's partition at run time for a client that has no stage 2 of its
 * own, and takes back once the client returned it.
 *
 * The Gunyah RM learns which RAM the HLOS owns from its boot configuration
 * and records it as the HLOS's, so the HLOS can lend and share it (MEM_LEND,
 * MEM_SHARE). A host client here owns RAM the same way, except that the
 * platform adds a fresh region per VM the client builds and removes it when
 * that VM is gone: the platform tells the RM through the
 * {@link ClientRamSource} it gave the RM at construction, never by calling
 * an RM method. On `added` the RM claims the range as a memextent of its
 * partition (`partition_create_memextent`, `memextent_configure`,
 * `object_activate`) and records it as the client's own RAM at IPA =
 * physical address (a native component's `user_ptr_t` is physical); parcels
 * of it are memextents derived from that one. On `removing` the RM refuses
 * while any page is still in a parcel (MEM_INUSE), else forgets the record
 * and deletes the extent, which gives the range back to its partition; the
 * platform then removes it from the memory database and from physical RAM.
 *
 * @module
 */

/** A physical RAM range of a host client. */
export interface ClientRamRange {
  /** The client's VMID (its `attachClient` VMID). */
  readonly vmid: number;
  /** Physical base (page aligned). */
  readonly base: number;
  /** Bytes (a multiple of 4 KiB). */
  readonly size: number;
}

/** What the RM does when the platform adds or takes back client RAM. */
export interface ClientRamListener {
  /** `range` is now RAM of the RM's partition for client `range.vmid`; throws to refuse. */
  added(range: ClientRamRange): void;
  /**
   * The platform wants `range` back; throws an `RmRequestError` (MEM_INUSE)
   * while any page of it is in a memory parcel. When it returns, the range is
   * the RM partition's again (no extent holds it) and the platform removes it.
   */
  removing(range: ClientRamRange): void;
}

/** The platform's side: where the RM subscribes when it starts. */
export interface ClientRamSource {
  /** Register the RM's listener (once). */
  watch(listener: ClientRamListener): void;
}
