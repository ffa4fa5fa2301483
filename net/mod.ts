/**
 * Host-side networking of gunyah-ts: the Ethernet segments that connect VMs'
 * network devices (the boot configuration's `net:`), and user-mode
 * networking to the host. Devices meet it through the plugin SDK's
 * `EthernetEndpoint`.
 *
 * @module
 */
export * from "./mac.ts";
export * from "./user/mod.ts";
