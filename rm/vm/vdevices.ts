/**
 * The inter-VM vdevices of a VM's `gunyah-vm-config` (gunyah-abi.md §5.8),
 * created through hypercalls: doorbells (§4.2) and message queues (§4.1)
 * between the VM and its peer, each end's capability copied into that VM's
 * cspace with only the rights it needs and its VIRQ bound in that VM's vic.
 *
 * A VM's own ends appear in its `/hypervisor` node (§6.2); the peer's ends
 * are returned by VM_GET_HYP_RESOURCES (§5.6).
 *
 * @module
 */
import {
  CAP_RIGHTS_DOORBELL_RECEIVE,
  CAP_RIGHTS_DOORBELL_SEND,
  CAP_RIGHTS_MSGQUEUE_RECEIVE,
  CAP_RIGHTS_MSGQUEUE_SEND,
  encodeMsgqueueCreateInfo,
  Hypercall,
} from "@gunyah-ts/core/abi";
import type { DtNode } from "@gunyah-ts/core/plugin";
import { ResourceType, RmError } from "../abi.ts";
import { type BuilderPort, must } from "./builder.ts";
import { type VdeviceConfig, VmConfigError } from "./vm_config.ts";
import type { VirqPool } from "./virq_pool.ts";

/** One side of a vdevice: a VM's cspace and vic (RM cspace caps) and its VIRQ pool. */
export interface VdeviceSide {
  readonly vmid: number;
  readonly name: string;
  readonly cspace: bigint;
  readonly vic: bigint;
  readonly virqs: VirqPool;
}

/** A capability one VM holds for a vdevice. */
export interface VdeviceEnd {
  /** Resource type (gunyah-abi.md §5.6). */
  readonly type: number;
  /** CapID in that VM's cspace. */
  readonly cap: bigint;
  /** INTID in that VM's vGIC, or null. */
  readonly virq: number | null;
}

/** A created vdevice. */
export interface BuiltVdevice {
  readonly config: VdeviceConfig;
  /** Resource handle (unique per RM). */
  readonly handle: number;
  readonly peer: number;
  /** The objects (RM cspace master caps), to destroy. */
  readonly objects: readonly bigint[];
  /** The VM's ends, in DT `reg` order (TX before RX for a pair). */
  readonly own: readonly VdeviceEnd[];
  /** The peer's ends. */
  readonly peerEnds: readonly VdeviceEnd[];
  /** VIRQs taken from each side's pool: [side vmid, INTID]. */
  readonly virqs: readonly (readonly [number, number])[];
}

/** A VIRQ pool is empty. */
export class VirqExhausted extends Error {
  override readonly name = "VirqExhausted";
  readonly code: number = RmError.NORESOURCE;
}

let nextHandle = 1;

/** Create vdevice `cfg` between `vm` and `peer`; throws VmBuildError / {@link VirqExhausted}. */
export function createVdevice(
  port: BuilderPort,
  cfg: VdeviceConfig,
  vm: VdeviceSide,
  peer: VdeviceSide,
): BuiltVdevice {
  const { partitionCap: p, cspaceCap: c } = port.env;
  const what = `${vm.name} vdevice ${cfg.node}`;
  const call = (name: string, n: number, ...a: bigint[]) => must(port, what, name, n, ...a);
  const taken: [number, number][] = [];
  const objects: bigint[] = [];
  const virq = (side: VdeviceSide, asked: number | null = null): number => {
    if (asked !== null) {
      if (!side.virqs.claim(asked)) {
        throw new VmConfigError(
          RmError.ARGUMENT_INVALID,
          `${what}: INTID ${asked} (its interrupts property) is already taken in VM '${side.name}'`,
        );
      }
      taken.push([side.vmid, asked]);
      return asked;
    }
    const v = side.virqs.take();
    if (v === null) throw new VirqExhausted(`${what}: no free VIRQ in VM '${side.name}'`);
    taken.push([side.vmid, v]);
    return v;
  };
  const copy = (obj: bigint, to: VdeviceSide, rights: number) =>
    call(
      "cspace_copy_cap_from",
      Hypercall.CSPACE_COPY_CAP_FROM,
      c,
      obj,
      to.cspace,
      BigInt(rights),
      0n,
    )[1];
  const doorbell = (): bigint => {
    const db = call("partition_create_doorbell", Hypercall.PARTITION_CREATE_DOORBELL, p, c, 0n)[1];
    objects.push(db);
    call("object_activate(doorbell)", Hypercall.OBJECT_ACTIVATE, db, 0n);
    return db;
  };
  const queue = (): bigint => {
    const q = call("partition_create_msgqueue", Hypercall.PARTITION_CREATE_MSGQUEUE, p, c, 0n)[1];
    objects.push(q);
    call(
      "msgqueue_configure",
      Hypercall.MSGQUEUE_CONFIGURE,
      q,
      encodeMsgqueueCreateInfo(cfg.queueDepth, cfg.messageSize),
      0n,
    );
    call("object_activate(msgqueue)", Hypercall.OBJECT_ACTIVATE, q, 0n);
    return q;
  };
  /** A doorbell rung by `src`, received by `dst`: [src end, dst end]. */
  const bell = (
    src: VdeviceSide,
    dst: VdeviceSide,
    asked: number | null = null,
  ): [VdeviceEnd, VdeviceEnd] => {
    const db = doorbell();
    const v = virq(dst, asked);
    call("doorbell_bind_virq", Hypercall.DOORBELL_BIND_VIRQ, db, dst.vic, BigInt(v));
    return [
      { type: ResourceType.DOORBELL_SRC, cap: copy(db, src, CAP_RIGHTS_DOORBELL_SEND), virq: null },
      { type: ResourceType.DOORBELL, cap: copy(db, dst, CAP_RIGHTS_DOORBELL_RECEIVE), virq: v },
    ];
  };
  /** A queue from `tx` to `rx`: [sender end, receiver end]. */
  const msgq = (tx: VdeviceSide, rx: VdeviceSide): [VdeviceEnd, VdeviceEnd] => {
    const q = queue();
    const vs = virq(tx), vr = virq(rx);
    call("msgqueue_bind_send_virq", Hypercall.MSGQUEUE_BIND_SEND_VIRQ, q, tx.vic, BigInt(vs), 0n);
    call(
      "msgqueue_bind_receive_virq",
      Hypercall.MSGQUEUE_BIND_RECEIVE_VIRQ,
      q,
      rx.vic,
      BigInt(vr),
      0n,
    );
    return [
      { type: ResourceType.MSG_QUEUE_SEND, cap: copy(q, tx, CAP_RIGHTS_MSGQUEUE_SEND), virq: vs },
      {
        type: ResourceType.MSG_QUEUE_RECV,
        cap: copy(q, rx, CAP_RIGHTS_MSGQUEUE_RECEIVE),
        virq: vr,
      },
    ];
  };
  let own: VdeviceEnd[];
  let peerEnds: VdeviceEnd[];
  try {
    switch (cfg.type) {
      case "doorbell": {
        const [src, dst] = bell(peer, vm, cfg.interrupt);
        own = [dst];
        peerEnds = [src];
        break;
      }
      case "doorbell-source": {
        const [src, dst] = bell(vm, peer);
        own = [src];
        peerEnds = [dst];
        break;
      }
      case "message-queue": {
        const [tx, rx] = cfg.isSender ? msgq(vm, peer) : msgq(peer, vm);
        own = [cfg.isSender ? tx : rx];
        peerEnds = [cfg.isSender ? rx : tx];
        break;
      }
      case "message-queue-pair": {
        const [vmTx, peerRx] = msgq(vm, peer);
        const [peerTx, vmRx] = msgq(peer, vm);
        own = [vmTx, vmRx];
        peerEnds = [peerTx, peerRx];
        break;
      }
      case "rm-rpc":
        throw new Error("rm-rpc is the RM's own channel (rm/rpc/link.ts), not a peer vdevice");
    }
  } catch (e) {
    destroyObjects(port, objects);
    for (const [vmid, v] of taken) (vmid === vm.vmid ? vm : peer).virqs.give(v);
    throw e;
  }
  return {
    config: cfg,
    handle: nextHandle++,
    peer: peer.vmid,
    objects,
    own,
    peerEnds,
    virqs: taken,
  };
}

/**
 * Destroy objects by their RM master caps: revoke every copy (the VMs'
 * caps), then delete the master cap, dropping the RM's reference.
 */
export function destroyObjects(port: BuilderPort, caps: readonly bigint[]): string[] {
  const errors: string[] = [];
  const c = port.env.cspaceCap;
  for (const cap of caps) {
    for (
      const [name, n] of [
        ["cspace_revoke_caps_from", Hypercall.CSPACE_REVOKE_CAPS_FROM],
        ["cspace_delete_cap_from", Hypercall.CSPACE_DELETE_CAP_FROM],
      ] as const
    ) {
      const r = port.call(n, c, cap, 0n);
      if ((r[0] & 0xffff_ffffn) !== 0n) {
        errors.push(`${name}(0x${cap.toString(16)}): error ${r[0]}`);
      }
    }
  }
  return errors;
}

const GIC_FDT_SPI = 0;
const GIC_FDT_EDGE_RISING = 1;
const capCells = (cap: bigint) => [Number((cap >> 32n) & 0xffff_ffffn), Number(cap & 0xffff_ffffn)];
const spiCells = (intid: number) => [GIC_FDT_SPI, intid - 32, GIC_FDT_EDGE_RISING];

/** The VM's devicetree node of a vdevice (gunyah-abi.md §6.2), named `<generate leaf>@<cap>`. */
export function vdeviceDtNode(d: BuiltVdevice): DtNode {
  const leaf = d.config.generate.slice("/hypervisor/".length).split("/")[0].split("@")[0];
  const first = d.own[0];
  const name = `${leaf}@${first.cap.toString(16)}`;
  const reg = d.own.flatMap((e) => capCells(e.cap));
  const interrupts = d.own.flatMap((e) => (e.virq === null ? [] : spiCells(e.virq)));
  const label = { "qcom,label": [d.config.label] };
  switch (d.config.type) {
    case "doorbell":
      return {
        name,
        props: {
          compatible: ["qcom,gunyah-doorbell", "qcom,gunyah-capability"],
          reg,
          interrupts,
          ...label,
        },
      };
    case "doorbell-source":
      return {
        name,
        props: {
          compatible: ["qcom,gunyah-doorbell-source", "qcom,gunyah-capability"],
          reg,
          ...label,
        },
      };
    case "message-queue":
      return {
        name,
        props: {
          compatible: ["qcom,gunyah-message-queue", "qcom,gunyah-capability"],
          reg,
          interrupts,
          ...(d.config.isSender ? { "is-sender": true } : { "is-receiver": true }),
          tx_message_size: [d.config.messageSize],
          tx_queue_depth: [d.config.queueDepth],
          ...label,
        },
      };
    default:
      return {
        name,
        props: {
          compatible: ["qcom,gunyah-message-queue", "qcom,gunyah-capability"],
          reg,
          interrupts,
          "qcom,is-full-duplex": true,
          "qcom,tx-message-size": [d.config.messageSize],
          "qcom,rx-message-size": [d.config.messageSize],
          "qcom,tx-queue-depth": [d.config.queueDepth],
          "qcom,rx-queue-depth": [d.config.queueDepth],
          ...label,
        },
      };
  }
}
