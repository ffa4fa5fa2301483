/**
 * Creating a VM's RM RPC channel through hypercalls (gunyah-abi.md §4.1,
 * §5.1, §6): two message queues (max_msg_size 240, depth 8, as the RM's
 * `vm_config_hlos_vdevices_setup`), their VIRQs bound into the VM's vic and
 * the RM's own vic, and the VM's end of each queue copied into the VM's
 * cspace with only the right it needs (SEND on its TX queue, RECEIVE on its
 * RX queue).
 *
 * @module
 */
import {
  CAP_RIGHTS_MSGQUEUE_RECEIVE,
  CAP_RIGHTS_MSGQUEUE_SEND,
  encodeMsgqueueCreateInfo,
  errorFromRegister,
  errorName,
  GIC_SPI_BASE,
  Hypercall,
  HypError,
} from "@gunyah-ts/core/abi";
import type { HypercallPort } from "@gunyah-ts/core/plugin";
import { RPC_MESSAGE_SIZE } from "./header.ts";

/** Depth of each RM RPC queue (RM `vm_config.c`: `depth = 8U`). */
export const RM_RPC_QUEUE_DEPTH = 8;

/**
 * SPI numbers (not INTIDs) of a VM's RM RPC VIRQs: TX ("TX allowed", the
 * not-full VIRQ of the VM→RM queue) and RX (the not-empty VIRQ of the RM→VM
 * queue). Chosen above every SPI QEMU's virt machine assigns (UART 1, RTC 2,
 * virtio-mmio 16..47, platform bus up to 175) and inside the 256 SPIs our
 * VMs' vGICs implement (rm/vm/builder.ts DEFAULT_VM_SPIS).
 */
export const RM_RPC_VM_TX_SPI = 240;
/** See {@link RM_RPC_VM_TX_SPI}. */
export const RM_RPC_VM_RX_SPI = 241;
/** First INTID a VM may treat as free after the RM's (`qcom,free-irq-start`). */
export const RM_RPC_VM_FREE_IRQ_START: number = GIC_SPI_BASE + RM_RPC_VM_RX_SPI + 1;

/** What the RM needs to know about the VM to link it. */
export interface RpcLinkTarget {
  /** The VM's name, for error messages. */
  readonly name: string;
  /** The VM's cspace (RM cspace CapID). */
  readonly cspaceCap: bigint;
  /** The VM's vic (RM cspace CapID). */
  readonly vicCap: bigint;
}

/** A VM's RM RPC channel. */
export interface RpcLink {
  /** RM cspace: the VM→RM queue (master cap). */
  readonly rmRxQueue: bigint;
  /** RM cspace: the RM→VM queue (master cap). */
  readonly rmTxQueue: bigint;
  /** RM vic INTID of the VM→RM queue's not-empty VIRQ. */
  readonly rmRxVirq: number;
  /** RM vic INTID of the RM→VM queue's not-full VIRQ. */
  readonly rmTxVirq: number;
  /** VM cspace: the VM's TX queue (VM→RM), SEND only. */
  readonly vmTxCap: bigint;
  /** VM cspace: the VM's RX queue (RM→VM), RECEIVE only. */
  readonly vmRxCap: bigint;
  /** VM vGIC INTID of its TX-allowed VIRQ. */
  readonly vmTxVirq: number;
  /** VM vGIC INTID of its RX VIRQ. */
  readonly vmRxVirq: number;
}

/** A hypercall needed for the link failed. */
export class RpcLinkError extends Error {
  /** Error name. */
  override readonly name = "RpcLinkError";
  /** The VM's name, the failing hypercall and its Gunyah error. */
  constructor(readonly vm: string, readonly call: string, readonly code: number) {
    super(`RM RPC channel of VM '${vm}': ${call} failed with ${errorName(code)} (${code})`);
  }
}

/**
 * Create the queue pair of `vm`, binding the RM-side VIRQs to INTIDs
 * `rmRxVirq` / `rmTxVirq` of the RM's vic `rmVicCap`.
 */
export function createRpcLink(
  port: HypercallPort,
  env: { readonly partitionCap: bigint; readonly cspaceCap: bigint; readonly vicCap: bigint },
  vm: RpcLinkTarget,
  rmRxVirq: number,
  rmTxVirq: number,
): RpcLink {
  const must = (call: string, n: number, ...args: bigint[]): bigint[] => {
    const r = port.call(n, ...args);
    const err = errorFromRegister(r[0]);
    if (err !== HypError.OK) throw new RpcLinkError(vm.name, call, err);
    return r;
  };
  const queue = (): bigint => {
    const q = must(
      "partition_create_msgqueue",
      Hypercall.PARTITION_CREATE_MSGQUEUE,
      env.partitionCap,
      env.cspaceCap,
      0n,
    )[1];
    must(
      "msgqueue_configure",
      Hypercall.MSGQUEUE_CONFIGURE,
      q,
      encodeMsgqueueCreateInfo(RM_RPC_QUEUE_DEPTH, RPC_MESSAGE_SIZE),
      0n,
    );
    must("object_activate(msgqueue)", Hypercall.OBJECT_ACTIVATE, q, 0n);
    return q;
  };
  const toVm = queue();
  const fromVm = queue();
  const vmTxVirq = GIC_SPI_BASE + RM_RPC_VM_TX_SPI;
  const vmRxVirq = GIC_SPI_BASE + RM_RPC_VM_RX_SPI;
  const bind = (call: string, n: number, q: bigint, vic: bigint, virq: number) =>
    must(call, n, q, vic, BigInt(virq), 0n);
  bind(
    "msgqueue_bind_receive_virq(VM→RM, RM vic)",
    Hypercall.MSGQUEUE_BIND_RECEIVE_VIRQ,
    fromVm,
    env.vicCap,
    rmRxVirq,
  );
  bind(
    "msgqueue_bind_send_virq(VM→RM, VM vic)",
    Hypercall.MSGQUEUE_BIND_SEND_VIRQ,
    fromVm,
    vm.vicCap,
    vmTxVirq,
  );
  bind(
    "msgqueue_bind_send_virq(RM→VM, RM vic)",
    Hypercall.MSGQUEUE_BIND_SEND_VIRQ,
    toVm,
    env.vicCap,
    rmTxVirq,
  );
  bind(
    "msgqueue_bind_receive_virq(RM→VM, VM vic)",
    Hypercall.MSGQUEUE_BIND_RECEIVE_VIRQ,
    toVm,
    vm.vicCap,
    vmRxVirq,
  );
  const copy = (q: bigint, rights: number, what: string) =>
    must(
      `cspace_copy_cap_from(${what})`,
      Hypercall.CSPACE_COPY_CAP_FROM,
      env.cspaceCap,
      q,
      vm.cspaceCap,
      BigInt(rights),
      0n,
    )[1];
  return {
    rmRxQueue: fromVm,
    rmTxQueue: toVm,
    rmRxVirq,
    rmTxVirq,
    vmTxCap: copy(fromVm, CAP_RIGHTS_MSGQUEUE_SEND, "VM TX queue"),
    vmRxCap: copy(toVm, CAP_RIGHTS_MSGQUEUE_RECEIVE, "VM RX queue"),
    vmTxVirq,
    vmRxVirq,
  };
}
