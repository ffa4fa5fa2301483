import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { Hypervisor } from "@gunyah-ts/core";
import { FakeArch, TEST_BOARD } from "@gunyah-ts/core/testing";
import {
  buildVirtDeviceTreeNodes,
  decodeFdt,
  encodeFdt,
  findNode,
  propCells,
  propStrings,
} from "@gunyah-ts/platform-qemu-virt";
import { dtcAvailable, runDtc } from "@gunyah-ts/platform-qemu-virt/testing";
import { Vmid } from "../abi.ts";
import { ResourceManager } from "../resource_manager.ts";

const RAM = 0x4000_0000;
const RM_MEM = 0x3fff_f000;

async function builtVm() {
  const hv = new Hypervisor({
    board: TEST_BOARD,
    arch: new FakeArch({}),
    cpus: 1,
    ram: [{ base: RM_MEM, size: 0x1000 }, { base: RAM, size: 0x20_0000 }],
  });
  const rm = new ResourceManager({
    privateMemory: { base: RM_MEM, bytes: hv.physicalMemory.regionFor(RM_MEM)!.bytes },
  });
  await hv.addComponent(rm);
  rm.allocateVm("hlos", Vmid.HLOS);
  rm.initVm(Vmid.HLOS, { physBase: RAM, ipaBase: RAM, size: 0x20_0000, vcpus: 2 });
  return rm;
}

Deno.test("the /hypervisor node carries the VM's RM queue caps and VIRQs and is dtc-clean", async () => {
  const rm = await builtVm();
  const node = rm.hypervisorDtNode(Vmid.HLOS)!;
  const link = rm.rpc!.link(Vmid.HLOS)!;
  const root = buildVirtDeviceTreeNodes(
    { ramBase: RAM, ramSize: 0x20_0000, vcpus: 2, bootargs: "" },
    [node],
  );
  const blob = encodeFdt(root);
  const tree = decodeFdt(blob).root;
  const hyp = findNode(tree, "/hypervisor")!;
  assert(propStrings(hyp, "compatible")!.includes("gunyah-hypervisor"));
  const rpc = findNode(tree, `/hypervisor/qcom,resource-manager-rpc@${link.vmTxCap.toString(16)}`)!;
  assertEquals(propStrings(rpc, "compatible")?.[0], "gunyah-resource-manager");
  const reg = propCells(rpc, "reg")!;
  const cap = (i: number) => (BigInt(reg[2 * i]) << 32n) | BigInt(reg[2 * i + 1]);
  assertEquals([cap(0), cap(1)], [link.vmTxCap, link.vmRxCap]);
  assertEquals(propCells(rpc, "interrupts"), [0, link.vmTxVirq - 32, 1, 0, link.vmRxVirq - 32, 1]);
  if (!(await dtcAvailable())) return;
  const r = await runDtc(blob);
  assert(r.ok, r.warnings);
  assertEquals(r.warnings, "");
  assert(
    r.dts.includes('compatible = "gunyah-resource-manager\\0qcom,resource-manager-1-0'),
    r.dts,
  );
});

Deno.test("without private memory the RM serves no RPC and emits no node", async () => {
  const hv = new Hypervisor({
    board: TEST_BOARD,
    arch: new FakeArch({}),
    cpus: 1,
    ram: [{ base: RAM, size: 0x20_0000 }],
  });
  const rm = new ResourceManager();
  await hv.addComponent(rm);
  rm.allocateVm("hlos", Vmid.HLOS);
  rm.initVm(Vmid.HLOS, { physBase: RAM, ipaBase: RAM, size: 0x20_0000, vcpus: 1 });
  assertEquals(rm.rpc, null);
  assertEquals(rm.hypervisorDtNode(Vmid.HLOS), null);
});
