/**
 * Memory parcels: the registry ({@link ParcelManager}) other RM parts use —
 * look a parcel up by handle (`get`), its regions (SGL, physical ranges,
 * extents), its ACL (`vms`), a VM's IPA of a parcel byte (`ipaOf`), accept
 * on a VM's behalf (`acceptFor`), return everything of a VM that goes away
 * (`releaseAllFor`) — the wire format, and the RPC handlers.
 *
 * @module
 */
export * from "./parcels.ts";
export * from "./wire.ts";
export * from "./handlers.ts";
export * from "./client_ram.ts";
