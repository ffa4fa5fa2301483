/**
 * The message-queue module: the MSGQUEUE object and its hypercalls.
 *
 * @module
 */
import type { CoreModule } from "../../module.ts";
import { ObjectType } from "../object_type.ts";
import { msgqueueFactory, registerMsgqueueHypercalls } from "./hypercalls.ts";

/** Message queues (HYP `hyp/ipc/msgqueue`). */
export const msgqueueModule: CoreModule = {
  name: "msgqueue",
  objects: [[ObjectType.MSGQUEUE, msgqueueFactory]],
  hypercalls: registerMsgqueueHypercalls,
};
