/**
 * VMs the host VMM builds over its RM channel (`GunyahSystem.launch` after
 * the primary): RAM from a fresh region the RM records as the host VMM's,
 * lent with MEM_LEND, VM_CONFIG_IMAGE / VM_INIT from the devicetree's
 * `gunyah-vm-config`, VM_START; destroy gives the region back.
 */
import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { MemdbOwnerType } from "@gunyah-ts/core";
import { TransType, VmStatus } from "@gunyah-ts/rm";
import { HOST_VMM_VMID } from "./host_vmm.ts";
import { GunyahSystem } from "./system.ts";

const MiB = 1 << 20;

/** A flat binary: print "hi\n" on the PL011, then PSCI SYSTEM_OFF over HVC. */
const HELLO = new Uint8Array(
  Uint32Array.of(
    0xd2a12001, // movz x1, #0x0900, lsl #16   (PL011 data register)
    0x52800d02, // movz w2, #'h'
    0x39000022, // strb w2, [x1]
    0x52800d22, // movz w2, #'i'
    0x39000022, // strb w2, [x1]
    0x52800142, // movz w2, #'\n'
    0x39000022, // strb w2, [x1]
    0xd2800100, // movz x0, #0x0008
    0xf2b08000, // movk x0, #0x8400, lsl #16   (PSCI SYSTEM_OFF)
    0xd4000002, // hvc #0
    0x14000000, // b .
  ).buffer,
);
/** A flat guest parked in a WFI loop. */
const WFI_LOOP = new Uint8Array(Uint32Array.of(0xd503207f, 0x17ffffff).buffer);

Deno.test("host VMM: a VM built over RPC on MEM_LEND of the host VMM's own RAM runs, exits, and its RAM goes back", async () => {
  const sys = await GunyahSystem.create({ ramBytes: 48 * MiB });
  sys.launch({ name: "primary", memory: 16 * MiB, vcpus: 1, kernel: WFI_LOOP, bootargs: "" });
  const vm = sys.launch({
    name: "second",
    memory: 16 * MiB,
    vcpus: 1,
    kernel: HELLO,
    bootargs: "",
  });
  const rec = sys.rm.vm(vm.vmid);
  assertEquals([vm.vmid, rec.name, rec.owner, rec.caps], [0x80, "second", HOST_VMM_VMID, null]);
  assertEquals(rec.status, VmStatus.RUNNING);
  assertEquals(rec.config?.imageName, "second"); // VM_INIT read the host VMM's gunyah-vm-config

  // The RAM: a region of its own, owned by the host VMM at the RM, lent to the VM.
  const region = sys.vmRam.regions.find((r) => r.clientVmid === HOST_VMM_VMID)!;
  assertEquals(region.size, 16 * MiB);
  assertEquals(sys.rm.ownedMemory(HOST_VMM_VMID).map((o) => o.phys), [region.base]);
  const [parcel] = sys.rm.memoryParcels();
  assertEquals(
    [parcel.owner, parcel.transType, parcel.vms.map((v) => [v.vmid, v.accepted])],
    [HOST_VMM_VMID, TransType.LEND, [[vm.vmid, true]]],
  );
  assertEquals(parcel.regions.map((r) => [r.phys, r.size]), [[region.base, region.size]]);
  assertEquals(sys.hv.memdb.lookup(region.base)?.memdbType, MemdbOwnerType.EXTENT);
  // The read model (dashboard, `gunyah status`) lists the parcel: owner 0x3f, borrower the VM.
  const status = sys.status();
  assertEquals(
    status.memory.parcels.map((p) => [p.owner, p.transaction, p.size, p.vms]),
    [[HOST_VMM_VMID, "lend", 16 * MiB, [{
      vmid: 0x80,
      rights: "rwx",
      accepted: true,
      ipas: ["0x40000000"],
    }]]],
  );
  assertEquals(status.vms.find((v) => v.vmid === 0x80)?.memoryBytes, 16 * MiB);
  // The devicetree it boots with carries the RM's /hypervisor overlay with its RM channel.
  const dts = new TextDecoder().decode(vm.dtb);
  assert(dts.includes("qcom,resource-manager-rpc"), "no RM channel node in the DTB");
  assert(dts.includes("gunyah-vm-config"));

  let out = "";
  vm.console.onOutput((b) => (out += new TextDecoder().decode(b)));
  const run = sys.hv.run({ untilIdle: true });
  assertEquals(await vm.ended, { kind: "system_off" });
  sys.hv.runUntil(() => rec.status === VmStatus.EXITED, 10_000);
  sys.hv.stop();
  await run;
  assertEquals(out, "hi\n");
  assertEquals(rec.status, VmStatus.EXITED); // the RM learnt it from the vCPU's HALT VIRQ

  await sys.resetVm(vm.vmid);
  await sys.destroyVm(vm.vmid);
  assertEquals(sys.rm.find(vm.vmid), null);
  assertEquals(sys.rm.memoryParcels().length, 0); // MEM_RECLAIMed
  assertEquals(sys.rm.ownedMemory(HOST_VMM_VMID).length, 0);
  assertEquals(sys.hv.physicalMemory.regionFor(region.base), null); // the region is gone
  assertEquals(sys.hv.memdb.lookup(region.base), null);
  assertEquals(sys.vmRam.used, 16 * MiB); // only the primary's
  await sys.close();
});

Deno.test("host VMM: creating and destroying 12 VMs in a 48 MiB budget never exhausts it; the VMID comes back", async () => {
  const sys = await GunyahSystem.create({ ramBytes: 48 * MiB });
  sys.launch({ name: "primary", memory: 16 * MiB, vcpus: 1, kernel: WFI_LOOP, bootargs: "" });
  for (let i = 0; i < 12; i++) {
    const vm = sys.launch(
      { name: `vm${i}`, memory: 24 * MiB, vcpus: 2, kernel: WFI_LOOP, bootargs: "" },
      { start: i % 2 === 0 },
    );
    assertEquals(vm.vmid, 0x80);
    if (vm.started) {
      sys.hv.runUntil(() => false, 2_000);
      await sys.stopVm(vm.vmid);
    }
    await sys.resetVm(vm.vmid);
    await sys.destroyVm(vm.vmid);
    assertEquals(sys.vmRam.used, 16 * MiB);
  }
  // The budget is real: 16 + 24 + 24 > 48 MiB.
  sys.launch({ name: "a", memory: 24 * MiB, vcpus: 1, kernel: WFI_LOOP, bootargs: "" }, {
    start: false,
  });
  assertThrows(
    () =>
      sys.launch({ name: "b", memory: 24 * MiB, vcpus: 1, kernel: WFI_LOOP, bootargs: "" }, {
        start: false,
      }),
    Error,
    "needs 24 MiB but only 8 MiB",
  );
  assertEquals(sys.rm.vms.map((v) => v.name).sort(), ["a", "host-vmm", "primary"]);
  await sys.close();
});
