/**
 * Hypercall adapters for doorbells (0x10-0x15), rights from HYP
 * `hyp/ipc/doorbell/src/hypercalls.c` (gunyah-abi.md §1.5).
 *
 * @module
 */
import { decodeVirqInfo } from "../../abi/formats.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import {
  CAP_RIGHTS_DOORBELL_BIND,
  CAP_RIGHTS_DOORBELL_RECEIVE,
  CAP_RIGHTS_DOORBELL_SEND,
  CAP_RIGHTS_VIC_BIND_SOURCE,
} from "../../abi/rights.ts";
import type { HypercallContext } from "../../hypercall/context.ts";
import type { HypercallTable } from "../../hypercall/table.ts";
import { ObjectType } from "../object_type.ts";
import type { Partition } from "../partition/partition.ts";
import type { Vic } from "../vic/vic.ts";
import { Doorbell } from "./doorbell.ts";

/** The doorbell object factory. */
export function doorbellFactory(partition: Partition): Doorbell {
  return new Doorbell(partition);
}

function doorbell(ctx: HypercallContext, cap: bigint, rights: number): Doorbell {
  return ctx.cspace.lookup<Doorbell>(cap, ObjectType.DOORBELL, rights);
}

/** Register the doorbell hypercalls. */
export function registerDoorbellHypercalls(table: HypercallTable): void {
  table.registerHypercall(Hypercall.DOORBELL_BIND_VIRQ, "doorbell_bind_virq", (ctx, a) => {
    const db = doorbell(ctx, a[0], CAP_RIGHTS_DOORBELL_BIND);
    const vic = ctx.cspace.lookup<Vic>(a[1], ObjectType.VIC, CAP_RIGHTS_VIC_BIND_SOURCE);
    db.source.bind(vic, decodeVirqInfo(a[2]));
  });
  table.registerHypercall(Hypercall.DOORBELL_UNBIND_VIRQ, "doorbell_unbind_virq", (ctx, a) => {
    doorbell(ctx, a[0], CAP_RIGHTS_DOORBELL_BIND).source.unbind();
  });
  table.registerHypercall(Hypercall.DOORBELL_SEND, "doorbell_send", (ctx, a, r) => {
    r[1] = doorbell(ctx, a[0], CAP_RIGHTS_DOORBELL_SEND).send(a[1]);
  });
  table.registerHypercall(Hypercall.DOORBELL_RECEIVE, "doorbell_receive", (ctx, a, r) => {
    r[1] = doorbell(ctx, a[0], CAP_RIGHTS_DOORBELL_RECEIVE).receive(a[1]);
  });
  table.registerHypercall(Hypercall.DOORBELL_RESET, "doorbell_reset", (ctx, a) => {
    doorbell(ctx, a[0], CAP_RIGHTS_DOORBELL_RECEIVE).reset();
  });
  table.registerHypercall(Hypercall.DOORBELL_MASK, "doorbell_mask", (ctx, a) => {
    doorbell(ctx, a[0], CAP_RIGHTS_DOORBELL_RECEIVE).mask(a[1], a[2]);
  });
}
