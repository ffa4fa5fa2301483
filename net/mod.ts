/**
 * Host-side networking of gunyah-ts: the Ethernet segments that connect VMs'
 * network devices (the boot configuration's `net:`), and user-mode
 * networking to the host. Devices meet it through the plugin SDK's
 * `EthernetEndpoint`.
 *
 * Connecting to a segment: anything with an `EthernetEndpoint` (a device's
 * link, the user-mode gateway, a test) becomes a port with
 * `segment.attach(portName, endpoint)`, which returns the endpoint that takes
 * the port's frames into the segment (plus `detach()`):
 *
 * ```ts
 * const lan = new EthernetSegment("lan");
 * const uplink = lan.attach("gateway", { receive: (frame) => gateway.input(frame) });
 * uplink.receive(frameFromTheGateway); // false: dropped (and counted)
 * lan.ports(); // per-port counters for the status snapshot
 * ```
 *
 * @module
 */
export * from "./mac.ts";
export * from "./segment.ts";
export * from "./user/mod.ts";
