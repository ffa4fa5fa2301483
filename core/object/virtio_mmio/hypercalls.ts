/**
 * Hypercall adapters of the virtio_mmio object (HYP
 * `hyp/vm/virtio_mmio/src/hypercalls.c`, gunyah-abi.md §1.5):
 *
 * | N    | call                                  | lookup (rights)                                   |
 * | ---- | ------------------------------------- | ------------------------------------------------- |
 * | 0x48 | partition_create_virtio_mmio          | partition OBJECT_CREATE, cspace CAP_CREATE        |
 * | 0x49 | virtio_mmio_configure                 | memextent ATTACH (active), then OBJECT_ACTIVATE   |
 * | 0x4a | virtio_mmio_backend_bind_virq         | BIND_BACKEND_VIRQ, vic BIND_SOURCE                |
 * | 0x4b | virtio_mmio_backend_unbind_virq       | BIND_BACKEND_VIRQ                                 |
 * | 0x4c | virtio_mmio_frontend_bind_virq        | BIND_FRONTEND_VIRQ, vic BIND_SOURCE               |
 * | 0x4d | virtio_mmio_frontend_unbind_virq      | BIND_FRONTEND_VIRQ                                |
 * | 0x4e | virtio_mmio_backend_assert_virq       | ASSERT_VIRQ                                       |
 * | 0x4f | virtio_mmio_backend_set_dev_features  | CONFIG                                            |
 * | 0x50 | virtio_mmio_backend_set_queue_num_max | CONFIG                                            |
 * | 0x51 | virtio_mmio_backend_get_drv_features  | CONFIG                                            |
 * | 0x52 | virtio_mmio_backend_get_queue_info    | CONFIG                                            |
 * | 0x53 | virtio_mmio_backend_get_notification  | CONFIG                                            |
 * | 0x54 | virtio_mmio_backend_acknowledge_reset | CONFIG                                            |
 * | 0x55 | virtio_mmio_backend_update_status     | CONFIG                                            |
 *
 * Every call after configure needs an ACTIVE virtio_mmio (typed lookup).
 * `uint32` arguments take the low 32 bits of their register, `virq_t` too.
 *
 * @module
 */
import { HypError, throwHypError } from "../../abi/error.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import {
  CAP_RIGHTS_MEMEXTENT_ATTACH,
  CAP_RIGHTS_VIC_BIND_SOURCE,
  CAP_RIGHTS_VIRTIO_MMIO_ASSERT_VIRQ,
  CAP_RIGHTS_VIRTIO_MMIO_BIND_BACKEND_VIRQ,
  CAP_RIGHTS_VIRTIO_MMIO_BIND_FRONTEND_VIRQ,
  CAP_RIGHTS_VIRTIO_MMIO_CONFIG,
} from "../../abi/rights.ts";
import { lookupForConfigure } from "../../cspace/hypercalls.ts";
import type { HypercallContext } from "../../hypercall/context.ts";
import { argU32, type HypercallTable } from "../../hypercall/table.ts";
import type { Memextent } from "../memextent/memextent.ts";
import { ObjectState, ObjectType } from "../object_type.ts";
import { createObjectByCaps } from "../partition/hypercalls.ts";
import type { Partition } from "../partition/partition.ts";
import type { Vic } from "../vic/vic.ts";
import { QueueWord } from "./registers.ts";
import { VirtioMmio } from "./virtio_mmio.ts";

/** The virtio_mmio object factory. */
export function virtioMmioFactory(partition: Partition): VirtioMmio {
  return new VirtioMmio(partition);
}

function virtioMmio(ctx: HypercallContext, cap: bigint, rights: number): VirtioMmio {
  return ctx.cspace.lookup<VirtioMmio>(cap, ObjectType.VIRTIO_MMIO, rights);
}

function bindVic(ctx: HypercallContext, cap: bigint): Vic {
  return ctx.cspace.lookup<Vic>(cap, ObjectType.VIC, CAP_RIGHTS_VIC_BIND_SOURCE);
}

function queueAddress(v: VirtioMmio, sel: number, low: QueueWord, high: QueueWord): bigint {
  return (BigInt(v.queueWord(sel, high)) << 32n) | BigInt(v.queueWord(sel, low));
}

/** Register partition_create_virtio_mmio and the virtio_mmio_* calls. */
export function registerVirtioMmioHypercalls(table: HypercallTable): void {
  table.registerHypercall(
    Hypercall.PARTITION_CREATE_VIRTIO_MMIO,
    "partition_create_virtio_mmio",
    (ctx, a, r) => {
      r[1] = createObjectByCaps(ctx, ObjectType.VIRTIO_MMIO, a[0], a[1]);
    },
  );
  table.registerHypercall(Hypercall.VIRTIO_MMIO_CONFIGURE, "virtio_mmio_configure", (ctx, a) => {
    // HYP looks the memextent up first, then the virtio_mmio in any state.
    const me = ctx.cspace.lookup<Memextent>(
      a[1],
      ObjectType.MEMEXTENT,
      CAP_RIGHTS_MEMEXTENT_ATTACH,
    );
    const v = lookupForConfigure<VirtioMmio>(ctx, a[0], ObjectType.VIRTIO_MMIO);
    if (v.state !== ObjectState.INIT) throwHypError(HypError.ERROR_OBJECT_STATE, "not INIT");
    v.configure(me, argU32(a, 2), a[3], Number(a[4] & 0xffffffffn));
  });
  table.registerHypercall(
    Hypercall.VIRTIO_MMIO_BACKEND_BIND_VIRQ,
    "virtio_mmio_backend_bind_virq",
    (ctx, a) => {
      const v = virtioMmio(ctx, a[0], CAP_RIGHTS_VIRTIO_MMIO_BIND_BACKEND_VIRQ);
      v.bindBackendVirq(bindVic(ctx, a[1]), argU32(a, 2));
    },
  );
  table.registerHypercall(
    Hypercall.VIRTIO_MMIO_BACKEND_UNBIND_VIRQ,
    "virtio_mmio_backend_unbind_virq",
    (ctx, a) => {
      virtioMmio(ctx, a[0], CAP_RIGHTS_VIRTIO_MMIO_BIND_BACKEND_VIRQ).backendSource.unbind();
    },
  );
  table.registerHypercall(
    Hypercall.VIRTIO_MMIO_FRONTEND_BIND_VIRQ,
    "virtio_mmio_frontend_bind_virq",
    (ctx, a) => {
      const v = virtioMmio(ctx, a[0], CAP_RIGHTS_VIRTIO_MMIO_BIND_FRONTEND_VIRQ);
      v.bindFrontendVirq(bindVic(ctx, a[1]), argU32(a, 2));
    },
  );
  table.registerHypercall(
    Hypercall.VIRTIO_MMIO_FRONTEND_UNBIND_VIRQ,
    "virtio_mmio_frontend_unbind_virq",
    (ctx, a) => {
      virtioMmio(ctx, a[0], CAP_RIGHTS_VIRTIO_MMIO_BIND_FRONTEND_VIRQ).frontendSource.unbind();
    },
  );
  table.registerHypercall(
    Hypercall.VIRTIO_MMIO_BACKEND_ASSERT_VIRQ,
    "virtio_mmio_backend_assert_virq",
    (ctx, a) => {
      virtioMmio(ctx, a[0], CAP_RIGHTS_VIRTIO_MMIO_ASSERT_VIRQ).assertVirq(argU32(a, 1));
    },
  );
  table.registerHypercall(
    Hypercall.VIRTIO_MMIO_BACKEND_SET_DEV_FEATURES,
    "virtio_mmio_backend_set_dev_features",
    (ctx, a) => {
      virtioMmio(ctx, a[0], CAP_RIGHTS_VIRTIO_MMIO_CONFIG).setDevFeatures(
        argU32(a, 1),
        argU32(a, 2),
      );
    },
  );
  table.registerHypercall(
    Hypercall.VIRTIO_MMIO_BACKEND_SET_QUEUE_NUM_MAX,
    "virtio_mmio_backend_set_queue_num_max",
    (ctx, a) => {
      virtioMmio(ctx, a[0], CAP_RIGHTS_VIRTIO_MMIO_CONFIG).setQueueNumMax(
        argU32(a, 1),
        argU32(a, 2),
      );
    },
  );
  table.registerHypercall(
    Hypercall.VIRTIO_MMIO_BACKEND_GET_DRV_FEATURES,
    "virtio_mmio_backend_get_drv_features",
    (ctx, a, r) => {
      const v = virtioMmio(ctx, a[0], CAP_RIGHTS_VIRTIO_MMIO_CONFIG);
      r[1] = BigInt(v.drvFeatureWord(argU32(a, 1)));
    },
  );
  table.registerHypercall(
    Hypercall.VIRTIO_MMIO_BACKEND_GET_QUEUE_INFO,
    "virtio_mmio_backend_get_queue_info",
    (ctx, a, r) => {
      const v = virtioMmio(ctx, a[0], CAP_RIGHTS_VIRTIO_MMIO_CONFIG);
      const sel = argU32(a, 1);
      r[1] = BigInt(v.queueWord(sel, QueueWord.NUM));
      r[2] = BigInt(v.queueWord(sel, QueueWord.READY));
      r[3] = queueAddress(v, sel, QueueWord.DESC_LOW, QueueWord.DESC_HIGH);
      r[4] = queueAddress(v, sel, QueueWord.DRV_LOW, QueueWord.DRV_HIGH);
      r[5] = queueAddress(v, sel, QueueWord.DEV_LOW, QueueWord.DEV_HIGH);
    },
  );
  table.registerHypercall(
    Hypercall.VIRTIO_MMIO_BACKEND_GET_NOTIFICATION,
    "virtio_mmio_backend_get_notification",
    (ctx, a, r) => {
      const n = virtioMmio(ctx, a[0], CAP_RIGHTS_VIRTIO_MMIO_CONFIG).takeNotification();
      r[1] = n.vqsBitmap;
      r[2] = BigInt(n.reason);
    },
  );
  table.registerHypercall(
    Hypercall.VIRTIO_MMIO_BACKEND_ACKNOWLEDGE_RESET,
    "virtio_mmio_backend_acknowledge_reset",
    (ctx, a) => {
      virtioMmio(ctx, a[0], CAP_RIGHTS_VIRTIO_MMIO_CONFIG).acknowledgeReset();
    },
  );
  table.registerHypercall(
    Hypercall.VIRTIO_MMIO_BACKEND_UPDATE_STATUS,
    "virtio_mmio_backend_update_status",
    (ctx, a) => {
      virtioMmio(ctx, a[0], CAP_RIGHTS_VIRTIO_MMIO_CONFIG).updateStatus(argU32(a, 1));
    },
  );
}
