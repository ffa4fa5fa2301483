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
  /** The VM's RM RPC channel. */
  readonly link: RpcLink;
}

function capCells(cap: bigint): number[] {
  return [Number((cap >> 32n) & 0xffff_ffffn), Number(cap & 0xffff_ffffn)];
}

function spiCells(intid: number): number[] {
  return [GIC_FDT_SPI, intid - GIC_SPI_BASE, GIC_FDT_EDGE_RISING];
}

/** Build the `/hypervisor` node for one VM. */
export function hypervisorDtNode(info: HypervisorNodeInfo): DtNode {
  const { link } = info;
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
    children: [
      {
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
      },
    ],
  };
}
