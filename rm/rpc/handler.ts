/**
 * A request handler the RPC service dispatches to by msg_id: given the
 * caller's VMID (the VMID of the channel the request came on), the payload
 * and the msg_id, it returns the reply data after the error word (or
 * nothing), or throws {@link RmRequestError} with the RM error code.
 *
 * @module
 */
export type { RmRequestError } from "../error.ts";

/** One request handler. */
export type RpcHandler = (
  caller: number,
  payload: Uint8Array,
  msgId: number,
) => Uint8Array | undefined | void;
