/**
 * The resource manager: its ABI numbers and the RPC wire format it speaks
 * over message queues.
 *
 * @module
 */
export * from "./abi.ts";
export * from "./rpc/header.ts";
export * from "./rpc/fragment.ts";
