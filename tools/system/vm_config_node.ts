/**
 * The `gunyah-vm-config` node the host VMM writes into the devicetree of a
 * VM it builds over RM RPC (gunyah-abi.md §5.8), which the RM reads at
 * VM_INIT: the image name, where the RAM parcel is mapped (`memory
 * { base-address }`), the vCPUs (one per `/cpus/cpu@N` of the platform's
 * tree, `static` affinity: the hypervisor's scheduler runs them, no proxy)
 * and one vdevice, `rm-rpc`, so the VM gets an RM channel of its own as the
 * primary has. The RM answers with the `/hypervisor` overlay.
 *
 * @module
 */
import type { DtNode } from "@gunyah-ts/core/plugin";

/** What the config says. */
export interface VmConfigNodeOptions {
  /** `image-name` (the RM names the VM by it). */
  readonly imageName: string;
  /** IPA of the VM's RAM: where the RM maps the image parcel. */
  readonly memoryBase: number;
}

/** The RM's RPC message size and queue depth (gunyah-abi.md §5.1). */
const RM_RPC_MESSAGE_SIZE = 240;
const RM_RPC_QUEUE_DEPTH = 8;

/** The node, to pass among the platform's `buildDeviceTree` extra nodes. */
export function gunyahVmConfigNode(o: VmConfigNodeOptions): DtNode {
  const base = BigInt(o.memoryBase);
  return {
    name: "gunyah-vm-config",
    props: { "image-name": o.imageName, "os-type": "linux" },
    children: [
      {
        name: "memory",
        props: { "base-address": [Number(base >> 32n), Number(base & 0xffff_ffffn)] },
      },
      { name: "vcpus", props: { affinity: "static" } },
      {
        name: "vdevices",
        props: { generate: "/hypervisor" },
        children: [{
          name: "rm-rpc",
          props: {
            "vdevice-type": "rm-rpc",
            generate: "/hypervisor/qcom,resource-manager-rpc",
            "message-size": [RM_RPC_MESSAGE_SIZE],
            "queue-depth": [RM_RPC_QUEUE_DEPTH],
          },
        }],
      },
    ],
  };
}
