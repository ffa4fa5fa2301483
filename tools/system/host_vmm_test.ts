/**
 * The host VMM: the tools' VM control as RM RPC over its own queue pair —
 * VM_SET_CONTEXT + VM_START, VM_STOP (force) with NOTIFY_VM_EXITED back, the
 * RM's refusals (state, owner rules) as errors naming the RM error code.
 */
import { assert, assertEquals, assertRejects } from "@gunyah-ts/tests/assert";
import { ExitType, RmError, RmNotify, VmStatus } from "@gunyah-ts/rm";
import { VmRequestError } from "./control.ts";
import { HOST_VMM_VMID, HostVmmError } from "./host_vmm.ts";
import { GunyahSystem } from "./system.ts";

/** A flat guest parked in a WFI loop. */
const WFI_LOOP = new Uint8Array(Uint32Array.of(0xd503207f, 0x17ffffff).buffer);

Deno.test("host VMM: its own VMID and RM channel; start and stop over RPC; refusals with RM codes", async () => {
  const system = await GunyahSystem.create({ ramBytes: 32 << 20 });
  const vm = system.launch(
    { name: "primary", memory: 16 << 20, vcpus: 1, kernel: WFI_LOOP, bootargs: "" },
    { start: false },
  );
  const vmm = system.hostVmm;
  assertEquals(vmm.vmid, HOST_VMM_VMID);
  assertEquals(system.rm.find(HOST_VMM_VMID)?.status, VmStatus.RUNNING);
  assertEquals(system.rm.vm(vm.vmid).owner, HOST_VMM_VMID); // the host VMM owns what launch builds
  assertEquals(system.vmRecords().map((v) => v.vmid), [3]); // the client is not listed as a VM
  assertEquals(await vmm.vmStatus(vm.vmid), VmStatus.READY); // VM_GET_STATE over RPC

  // Stopping a VM that is not running: the RM's VM_STATE, as the system's "refused".
  const e = await assertRejects(() => system.stopVm(vm.vmid), VmRequestError, "VM_STATE");
  assertEquals((e as VmRequestError).reason, "refused");

  await system.startVm(vm.vmid);
  assert(vm.started);
  assertEquals(system.vmRecord(vm.vmid).status, "running");
  system.hv.runUntil(() => false, 50_000);
  await system.stopVm(vm.vmid, 7);
  assertEquals(system.vmRecord(vm.vmid).status, "exited");
  const note = vmm.notifications.find((n) => n.msgId === RmNotify.VM_EXITED)!;
  const v = new DataView(note.payload.buffer, note.payload.byteOffset);
  assertEquals(
    [v.getUint16(0, true), v.getUint16(2, true), v.getUint32(8, true)],
    [vm.vmid, ExitType.VM_STOP_FORCED, 7],
  );

  // The primary (VMID 3) cannot be reset over RPC (the RM's rule), and the RM keeps serving.
  const reset = await assertRejects(() => vmm.resetVm(vm.vmid), HostVmmError, "DENIED");
  assertEquals((reset as HostVmmError).code, RmError.DENIED);
  // The RM's VMM policy lets the host VMM VM_ALLOCATE (an ordinary VM is DENIED:
  // rm/rpc/service_test.ts); VM_DEALLOCATE frees the VMID again.
  const vmid = vmm.allocateVm();
  assertEquals([vmid, system.rm.vm(vmid).owner], [0x80, HOST_VMM_VMID]);
  await vmm.deallocateVm(vmid);
  assertEquals(system.rm.find(vmid), null);
  assertEquals(await vmm.vmStatus(vm.vmid), VmStatus.EXITED);
  await system.close();
});
