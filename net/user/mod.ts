/**
 * User-mode networking (QEMU's `-nic user`): a gateway station on a segment
 * with DHCP, DNS, ICMP echo and TCP/UDP NAT through the host's sockets, and
 * loopback port forwards to guests.
 *
 * @module
 */
export * from "./gateway.ts";
export * from "./options.ts";
export { TCP_OUR_MSS, TCP_RECEIVE_BUDGET, TCP_SEND_BUDGET } from "./tcp_connection.ts";
export { TCP_MAX_CONNECTIONS } from "./tcp_nat.ts";
export { UDP_MAX_FLOWS } from "./udp_nat.ts";
