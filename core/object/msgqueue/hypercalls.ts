/**
 * Hypercall adapters for message queues (0x17-0x21), rights from HYP
 * `hyp/ipc/msgqueue/src/hypercalls.c` (gunyah-abi.md §1.5).
 *
 * @module
 */
import {
  decodeMsgqueueCreateInfo,
  decodeVirqInfo,
  MSGQUEUE_SEND_FLAG_PUSH,
} from "../../abi/formats.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import {
  CAP_RIGHTS_MSGQUEUE_BIND_RECEIVE,
  CAP_RIGHTS_MSGQUEUE_BIND_SEND,
  CAP_RIGHTS_MSGQUEUE_RECEIVE,
  CAP_RIGHTS_MSGQUEUE_SEND,
  CAP_RIGHTS_VIC_BIND_SOURCE,
} from "../../abi/rights.ts";
import { lookupForConfigure } from "../../cspace/hypercalls.ts";
import type { HypercallContext } from "../../hypercall/context.ts";
import { argU32, type HypercallTable } from "../../hypercall/table.ts";
import { ObjectType } from "../object_type.ts";
import type { Partition } from "../partition/partition.ts";
import type { Vic } from "../vic/vic.ts";
import { Msgqueue } from "./msgqueue.ts";

/** The msgqueue object factory. */
export function msgqueueFactory(partition: Partition): Msgqueue {
  return new Msgqueue(partition);
}

function mq(ctx: HypercallContext, cap: bigint, rights: number): Msgqueue {
  return ctx.cspace.lookup<Msgqueue>(cap, ObjectType.MSGQUEUE, rights);
}

function vic(ctx: HypercallContext, cap: bigint): Vic {
  return ctx.cspace.lookup<Vic>(cap, ObjectType.VIC, CAP_RIGHTS_VIC_BIND_SOURCE);
}

/** Register the msgqueue hypercalls. */
export function registerMsgqueueHypercalls(table: HypercallTable): void {
  table.registerHypercall(
    Hypercall.MSGQUEUE_BIND_SEND_VIRQ,
    "msgqueue_bind_send_virq",
    (ctx, a) => {
      const q = mq(ctx, a[0], CAP_RIGHTS_MSGQUEUE_BIND_SEND);
      q.sendSource.bind(vic(ctx, a[1]), decodeVirqInfo(a[2]));
    },
  );
  table.registerHypercall(
    Hypercall.MSGQUEUE_BIND_RECEIVE_VIRQ,
    "msgqueue_bind_receive_virq",
    (ctx, a) => {
      const q = mq(ctx, a[0], CAP_RIGHTS_MSGQUEUE_BIND_RECEIVE);
      q.receiveSource.bind(vic(ctx, a[1]), decodeVirqInfo(a[2]));
    },
  );
  table.registerHypercall(
    Hypercall.MSGQUEUE_UNBIND_SEND_VIRQ,
    "msgqueue_unbind_send_virq",
    (ctx, a) => {
      mq(ctx, a[0], CAP_RIGHTS_MSGQUEUE_BIND_SEND).sendSource.unbind();
    },
  );
  table.registerHypercall(
    Hypercall.MSGQUEUE_UNBIND_RECEIVE_VIRQ,
    "msgqueue_unbind_receive_virq",
    (ctx, a) => {
      mq(ctx, a[0], CAP_RIGHTS_MSGQUEUE_BIND_RECEIVE).receiveSource.unbind();
    },
  );
  table.registerHypercall(Hypercall.MSGQUEUE_SEND, "msgqueue_send", (ctx, a, r) => {
    const q = mq(ctx, a[0], CAP_RIGHTS_MSGQUEUE_SEND);
    const size = a[1] > 0xffffn ? 0xffff : Number(a[1]);
    const push = (a[3] & BigInt(MSGQUEUE_SEND_FLAG_PUSH)) !== 0n;
    r[1] = q.send(ctx, size, a[2], push) ? 1n : 0n;
  });
  table.registerHypercall(Hypercall.MSGQUEUE_RECEIVE, "msgqueue_receive", (ctx, a, r) => {
    const q = mq(ctx, a[0], CAP_RIGHTS_MSGQUEUE_RECEIVE);
    const bufSize = a[2] > 0xffffn ? 0xffff : Number(a[2]);
    const { size, notEmpty } = q.receive(ctx, a[1], bufSize);
    r[1] = BigInt(size);
    r[2] = notEmpty ? 1n : 0n;
  });
  table.registerHypercall(Hypercall.MSGQUEUE_FLUSH, "msgqueue_flush", (ctx, a) => {
    mq(ctx, a[0], CAP_RIGHTS_MSGQUEUE_RECEIVE).flush();
  });
  table.registerHypercall(
    Hypercall.MSGQUEUE_CONFIGURE_SEND,
    "msgqueue_configure_send",
    (ctx, a) => {
      mq(ctx, a[0], CAP_RIGHTS_MSGQUEUE_SEND).configureSend(argU32(a, 1), argU32(a, 2));
    },
  );
  table.registerHypercall(
    Hypercall.MSGQUEUE_CONFIGURE_RECEIVE,
    "msgqueue_configure_receive",
    (ctx, a) => {
      mq(ctx, a[0], CAP_RIGHTS_MSGQUEUE_RECEIVE).configureReceive(argU32(a, 1), argU32(a, 2));
    },
  );
  table.registerHypercall(Hypercall.MSGQUEUE_CONFIGURE, "msgqueue_configure", (ctx, a) => {
    const q = lookupForConfigure<Msgqueue>(ctx, a[0], ObjectType.MSGQUEUE);
    const info = decodeMsgqueueCreateInfo(a[1]);
    q.configure(info.queueDepth, info.maxMsgSize);
  });
}
