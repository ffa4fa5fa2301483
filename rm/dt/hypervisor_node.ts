/**
 * The `/hypervisor` devicetree node the RM gives a VM it builds
 * (gunyah-abi.md §6): the hypervisor compatibles and the RM RPC
 * message-queue pair node Linux's Gunyah
 * driver probes (`compatible = "gunyah-resource-manager"`, `reg` = TX and
 * RX queue CapIDs, `interrupts` = TX-allowed and RX VIRQs).
 *
 * The VM's identity node (`qcom,gunyah-vm`, §6.2) is left out: it has no
 * `reg`, so under a `simple-bus` dtc warns about it (simple_bus_reg), and
 * Linux does not read it. `simple-bus` itself stays: it is what makes Linux
 * create a platform device for the RPC node so its Gunyah driver can probe.
 *
 * For a VM built from its `gunyah-vm-config` (a secondary, §6.2), the node
 * also has the identity child `qcom,gunyah-vm` (VMID, owner, vendor, image
 * name) — secondaries' devicetrees are not checked by dtc here, and the RM
 * emits it — and one child per vdevice (rm/vm/vdevices.ts `vdeviceDtNode`);
 * its RM RPC node exists only if the config asks for an `rm-rpc` vdevice.
 *
 * Choices where the RM's two forms (§6.2 secondary VM vs HLOS) differ: the
 * node carries the union of both compatible lists, so it satisfies the Linux
 * binding (§6.1, which requires "gunyah-hypervisor") as well as the RM's
 * strings; the RPC node is named `qcom,resource-manager-rpc@<TX CapID in hex,
 * no leading zeros>` so its unit address equals its first `reg` entry (dtc's
 * `simple_bus_reg` and `unit_address_format` checks).
 *
 * @module
 */
import type { DtNode } from "@gunyah-ts/core/plugin";
import { GIC_SPI_BASE } from "@gunyah-ts/core/abi";
import { RPC_MESSAGE_SIZE } from "../rpc/header.ts";
import { RM_RPC_QUEUE_DEPTH, RM_RPC_VM_FREE_IRQ_START, type RpcLink } from "../rpc/link.ts";

/** GIC interrupt-specifier type cell for an SPI (Linux `GIC_SPI`). */
const GIC_FDT_SPI = 0;
/** GIC interrupt-specifier flags cell: edge rising (Linux `IRQ_TYPE_EDGE_RISING`, §6.1 example). */
const GIC_FDT_EDGE_RISING = 1;
/** The RM RPC API version advertised in `qcom,resource-manager-1-0`. */
const RM_API_COMPATIBLE = "qcom,resource-manager-1-0";
/** What goes into the node. */
export interface HypervisorNodeInfo {
  /** The VM's RM RPC channel, if it has one. */
  readonly link: RpcLink | null;
  /** For a secondary VM: its identity (`qcom,gunyah-vm`). */
  readonly identity?: {
    readonly vmid: number;
    readonly owner: number;
    readonly imageName: string;
  };
  /** The VM's vdevice nodes. */
  readonly vdevices?: readonly DtNode[];
}

/** `qcom,vendor` of the identity node (RM `vm_creation.c`). */
const RM_VENDOR = "Qualcomm";

function capCells(cap: bigint): number[] {
  return [Number((cap >> 32n) & 0xffff_ffffn), Number(cap & 0xffff_ffffn)];
}

function spiCells(intid: number): number[] {
  return [GIC_FDT_SPI, intid - GIC_SPI_BASE, GIC_FDT_EDGE_RISING];
}

/** Build the `/hypervisor` node for one VM. */
export function hypervisorDtNode(info: HypervisorNodeInfo): DtNode {
  const { link } = info;
  const children: DtNode[] = [];
  if (info.identity) {
    children.push({
      name: "qcom,gunyah-vm",
      props: {
        compatible: ["qcom,gunyah-vm-id-1.0", "qcom,gunyah-vm-id"],
        "qcom,vmid": [info.identity.vmid],
        "qcom,owner-vmid": [info.identity.owner],
        "qcom,vendor": RM_VENDOR,
        "qcom,image-name": info.identity.imageName,
      },
    });
  }
  if (link) children.push(rpcNode(link));
  children.push(...(info.vdevices ?? []));
  return {
    name: "hypervisor",
    props: {
      compatible: [
        "gunyah-hypervisor",
        "qcom,gunyah-hypervisor-1.0",
        "qcom,gunyah-hypervisor",
        "simple-bus",
      ],
      "#address-cells": [2],
      "#size-cells": [0],
    },
    children,
  };
}

function rpcNode(link: RpcLink): DtNode {
  return {
    name: `qcom,resource-manager-rpc@${link.vmTxCap.toString(16)}`,
    props: {
      compatible: [
        "gunyah-resource-manager",
        RM_API_COMPATIBLE,
        "qcom,resource-manager",
        "qcom,gunyah-message-queue",
        "qcom,gunyah-capability",
      ],
      reg: [...capCells(link.vmTxCap), ...capCells(link.vmRxCap)],
      interrupts: [...spiCells(link.vmTxVirq), ...spiCells(link.vmRxVirq)],
      "qcom,free-irq-start": [RM_RPC_VM_FREE_IRQ_START],
      "qcom,is-full-duplex": true,
      "qcom,tx-message-size": [RPC_MESSAGE_SIZE],
      "qcom,rx-message-size": [RPC_MESSAGE_SIZE],
      "qcom,tx-queue-depth": [RM_RPC_QUEUE_DEPTH],
      "qcom,rx-queue-depth": [RM_RPC_QUEUE_DEPTH],
    },
  };
}
