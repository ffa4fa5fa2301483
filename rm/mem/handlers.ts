/**
 * The RM RPC handlers of the memory-parcel messages (gunyah-abi.md §5.4):
 * parse the payload ({@link ./wire.ts}), act on the {@link ParcelManager},
 * answer. Register them with `RmRpcService.registerHandlers`.
 *
 * @module
 */
import { RmMsg } from "../abi.ts";
import type { RpcHandler } from "../rpc/handler.ts";
import type { ParcelManager } from "./parcels.ts";
import {
  parseAccept,
  parseAppend,
  parseCreate,
  parseHandleFlags,
  parseLookup,
  parseNotify,
} from "./wire.ts";

function u32(x: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, x >>> 0, true);
  return out;
}

/** The handlers of MEM_LEND … MEM_QCOM_LOOKUP_SGL over `parcels`, by msg_id. */
export function memParcelHandlers(parcels: ParcelManager): ReadonlyMap<number, RpcHandler> {
  const create: RpcHandler = (caller, p, msgId) =>
    u32(parcels.create(caller, msgId, parseCreate(p)));
  return new Map<number, RpcHandler>([
    [RmMsg.MEM_LEND, create],
    [RmMsg.MEM_SHARE, create],
    [RmMsg.MEM_DONATE, create],
    [RmMsg.MEM_APPEND, (caller, p) => parcels.append(caller, parseAppend(p))],
    [RmMsg.MEM_ACCEPT, (caller, p) => parcels.accept(caller, parseAccept(p))],
    [RmMsg.MEM_RELEASE, (caller, p) => {
      const r = parseHandleFlags(p, "release");
      parcels.release(caller, r.handle, r.flags);
    }],
    [RmMsg.MEM_RECLAIM, (caller, p) => {
      const r = parseHandleFlags(p, "reclaim");
      parcels.reclaim(caller, r.handle, r.flags);
    }],
    [RmMsg.MEM_NOTIFY, (caller, p) => parcels.notify(caller, parseNotify(p))],
    [RmMsg.MEM_QCOM_LOOKUP_SGL, (caller, p) => u32(parcels.lookupSgl(caller, parseLookup(p)))],
  ]);
}
