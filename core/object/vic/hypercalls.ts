/**
 * Hypercall adapters for vic, vpm_group and hwirq: hwirq_bind_virq (0x26),
 * hwirq_unbind_virq (0x27), vic_configure (0x28), vic_attach_vcpu (0x29),
 * vpm_group_attach_vcpu (0x3c), vpm_group_bind_virq (0x43),
 * vpm_group_unbind_virq (0x44), vpm_group_get_state (0x45),
 * vpm_group_configure (0x66). Lookup order and rights follow HYP
 * `hyp/vm/vic_base/src/hypercalls.c` and the vpm hypercalls
 * (gunyah-abi.md §1.5).
 *
 * @module
 */
import { HypError, throwHypError, throwIfError } from "../../abi/error.ts";
import { decodeVirqInfo, VPM_GROUP_OPTION_NO_AGGREGATION } from "../../abi/formats.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import {
  CAP_RIGHTS_HWIRQ_BIND_VIC,
  CAP_RIGHTS_VIC_ATTACH_VCPU,
  CAP_RIGHTS_VIC_BIND_SOURCE,
  CAP_RIGHTS_VPM_GROUP_ATTACH_VCPU,
  CAP_RIGHTS_VPM_GROUP_BIND_VIRQ,
  CAP_RIGHTS_VPM_GROUP_QUERY,
} from "../../abi/rights.ts";
import { lookupForConfigure } from "../../cspace/hypercalls.ts";
import type { HypercallContext } from "../../hypercall/context.ts";
import { argU32, type HypercallTable } from "../../hypercall/table.ts";
import { isAttachableThread } from "../attachable_thread.ts";
import type { Hwirq } from "../hwirq/hwirq.ts";
import type { GunyahObject } from "../object.ts";
import { ObjectState, ObjectType } from "../object_type.ts";
import type { Partition } from "../partition/partition.ts";
import { VpmGroup } from "../vpm_group/vpm_group.ts";
import { Vic } from "./vic.ts";

/** The vic object factory. */
export function vicFactory(partition: Partition): Vic {
  return new Vic(partition);
}

/** The vpm_group object factory. */
export function vpmGroupFactory(partition: Partition): VpmGroup {
  return new VpmGroup(partition);
}

function bindVic(ctx: HypercallContext, cap: bigint): Vic {
  return ctx.cspace.lookup<Vic>(cap, ObjectType.VIC, CAP_RIGHTS_VIC_BIND_SOURCE);
}

/** The thread named by `cap` (OBJECT_ACTIVATE, any state), which must still be INIT and attachable. */
function initThread(ctx: HypercallContext, cap: bigint): GunyahObject {
  const thread = lookupForConfigure(ctx, cap, ObjectType.THREAD);
  if (thread.state !== ObjectState.INIT) {
    throwHypError(HypError.ERROR_OBJECT_STATE, "thread not INIT");
  }
  return thread;
}

/** Register the vic, vpm_group and hwirq hypercalls. */
export function registerVicHypercalls(table: HypercallTable): void {
  table.registerHypercall(Hypercall.VIC_CONFIGURE, "vic_configure", (ctx, a) => {
    const vic = lookupForConfigure<Vic>(ctx, a[0], ObjectType.VIC);
    vic.configure(argU32(a, 1), argU32(a, 2), a[3], argU32(a, 4));
  });
  table.registerHypercall(Hypercall.VIC_ATTACH_VCPU, "vic_attach_vcpu", (ctx, a) => {
    const vic = ctx.cspace.lookup<Vic>(a[0], ObjectType.VIC, CAP_RIGHTS_VIC_ATTACH_VCPU);
    const thread = initThread(ctx, a[1]);
    if (!isAttachableThread(thread)) throwHypError(HypError.ERROR_ARGUMENT_INVALID, "not a vCPU");
    const index = argU32(a, 2);
    vic.checkVcpuIndex(index);
    throwIfError(thread.attachVic(vic, index));
  });
  table.registerHypercall(Hypercall.HWIRQ_BIND_VIRQ, "hwirq_bind_virq", (ctx, a) => {
    const hwirq = ctx.cspace.lookup<Hwirq>(a[0], ObjectType.HWIRQ, CAP_RIGHTS_HWIRQ_BIND_VIC);
    hwirq.source.bind(bindVic(ctx, a[1]), decodeVirqInfo(a[2]));
  });
  table.registerHypercall(Hypercall.HWIRQ_UNBIND_VIRQ, "hwirq_unbind_virq", (ctx, a) => {
    ctx.cspace.lookup<Hwirq>(a[0], ObjectType.HWIRQ, CAP_RIGHTS_HWIRQ_BIND_VIC).source.unbind();
  });
  table.registerHypercall(Hypercall.VPM_GROUP_CONFIGURE, "vpm_group_configure", (ctx, a) => {
    if ((a[1] & ~BigInt(VPM_GROUP_OPTION_NO_AGGREGATION)) !== 0n) {
      throwHypError(HypError.ERROR_UNIMPLEMENTED, "undefined vpm_group options");
    }
    lookupForConfigure<VpmGroup>(ctx, a[0], ObjectType.VPM_GROUP).configure(Number(a[1]));
  });
  table.registerHypercall(Hypercall.VPM_GROUP_ATTACH_VCPU, "vpm_group_attach_vcpu", (ctx, a) => {
    const group = ctx.cspace.lookup<VpmGroup>(
      a[0],
      ObjectType.VPM_GROUP,
      CAP_RIGHTS_VPM_GROUP_ATTACH_VCPU,
    );
    const thread = initThread(ctx, a[1]);
    if (!isAttachableThread(thread)) throwHypError(HypError.ERROR_ARGUMENT_INVALID, "not a vCPU");
    const index = argU32(a, 2);
    group.checkVcpuIndex(index);
    throwIfError(thread.attachVpmGroup(group, index));
  });
  table.registerHypercall(Hypercall.VPM_GROUP_BIND_VIRQ, "vpm_group_bind_virq", (ctx, a) => {
    const g = ctx.cspace.lookup<VpmGroup>(
      a[0],
      ObjectType.VPM_GROUP,
      CAP_RIGHTS_VPM_GROUP_BIND_VIRQ,
    );
    g.source.bind(bindVic(ctx, a[1]), decodeVirqInfo(a[2]));
  });
  table.registerHypercall(Hypercall.VPM_GROUP_UNBIND_VIRQ, "vpm_group_unbind_virq", (ctx, a) => {
    ctx.cspace.lookup<VpmGroup>(a[0], ObjectType.VPM_GROUP, CAP_RIGHTS_VPM_GROUP_BIND_VIRQ).source
      .unbind();
  });
  table.registerHypercall(Hypercall.VPM_GROUP_GET_STATE, "vpm_group_get_state", (ctx, a, r) => {
    const g = ctx.cspace.lookup<VpmGroup>(a[0], ObjectType.VPM_GROUP, CAP_RIGHTS_VPM_GROUP_QUERY);
    r[1] = BigInt(g.vpmState);
  });
}
