/**
 * The resource manager: its ABI numbers, the RPC wire format it speaks over
 * message queues, the component itself, its RPC service and a client.
 *
 * @module
 */
export * from "./abi.ts";
export * from "./rpc/header.ts";
export * from "./rpc/fragment.ts";
export * from "./rpc/endpoint.ts";
export * from "./rpc/link.ts";
export * from "./rpc/private_memory.ts";
export * from "./rpc/service.ts";
export * from "./dt/hypervisor_node.ts";
export * from "./client.ts";
export * from "./resource_manager.ts";
export * from "./error.ts";
export * from "./rpc/handler.ts";
export * from "./mem/mod.ts";
export * from "./irq/lending.ts";
