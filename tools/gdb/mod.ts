/**
 * `@gunyah-ts/gdb`: a GDB remote serial protocol stub for gunyah-ts VMs.
 * `deno task boot --gdb 127.0.0.1:1234 [--wait-gdb]` serves it for the
 * primary VM; `gdb-multiarch -ex 'target remote :1234'` attaches (one thread
 * per vCPU, host breakpoints and watchpoints, single step, `monitor`
 * commands for Gunyah state). docs/DEBUGGING.md is the user's guide.
 *
 * @example
 * ```ts ignore
 * const vm = system.launch({ name: "hlos", memory: 64 << 20, vcpus: 1, kernel, bootargs: "" });
 * const server = serveGdb(vmDebugTarget(system, vm), "127.0.0.1:1234");
 * await system.run();
 * await server.close();
 * ```
 *
 * @module
 */
export * from "./server.ts";
export * from "./session.ts";
export * from "./target.ts";
export * from "./vm_target.ts";
export * from "./monitor.ts";
export * from "./target_description.ts";
export { checksum, escapeBinary, framePacket, type Incoming, PacketDecoder } from "./packet.ts";
