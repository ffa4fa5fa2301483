/**
 * The VM lifecycle over RM RPC, through the real message queues (gunyah-abi.md
 * §5.4, §5.5, §5.7): VM_ALLOCATE → VM_CONFIG_IMAGE → VM_INIT (the devicetree's
 * `gunyah-vm-config` read, every object built, the `/hypervisor` overlay
 * written) → VM_GET_HYP_RESOURCES → VM_START (PC = image, X0 = DTB) → exits
 * with their exit types → VM_RESET → VM_DEALLOCATE, good and bad input.
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { type Addrspace, ObjectType, type Thread } from "@gunyah-ts/core";
import {
  ExitType,
  HYP_RESOURCE_ENTRY_SIZE,
  ResourceType,
  RmError,
  RmMsg,
  RmNotify,
  Vmid,
  VmStatus,
} from "../abi.ts";
import { decodeFdt, fdtCells, fdtFind, fdtStrings } from "../dt/fdt.ts";
import {
  configImageReq,
  createVm,
  DTB_OFFSET,
  DTB_SIZE,
  GUEST_ENTRY,
  GUEST_RAM_IPA,
  MiB,
  PARCEL_RAM,
  PSCI_SYSTEM_OFF,
  PSCI_SYSTEM_RESET,
  rpcSetup,
  stopReq,
  u32,
  vmDtb,
  vmidReq,
} from "../testdata/rpc_fixture.ts";

const entry = (i: number) => 4 + i * HYP_RESOURCE_ENTRY_SIZE;

function exitedNote(notes: { msgId: number; payload: Uint8Array }[], vmid: number) {
  const n = notes.filter((m) => m.msgId === RmNotify.VM_EXITED);
  const v = n.map((m) => new DataView(m.payload.buffer, m.payload.byteOffset));
  return v.filter((d) => d.getUint16(0, true) === vmid).map((d) => ({
    type: d.getUint16(2, true),
    reason: d.getUint32(8, true),
  }));
}

Deno.test("VM lifecycle over RPC: config image, init from the devicetree, default start, SYSTEM_OFF, reset, deallocate", async () => {
  const s = await rpcSetup({
    [GUEST_ENTRY.toString()]: [{ op: "work", n: 50 }, { op: "smc", imm: 0, x: [PSCI_SYSTEM_OFF] }, {
      op: "wfi",
    }],
  });
  const { hv, rm, hlos, parcels } = s;
  const alloc = await hlos.rpc.call(RmMsg.VM_ALLOCATE, vmidReq(0));
  const id = u32(alloc.data);
  const handle = parcels.create(Vmid.HLOS, [id], PARCEL_RAM, 1 * MiB);
  parcels.bytes(handle, DTB_OFFSET, Number(DTB_SIZE))!.set(vmDtb({ vcpus: 2 }));

  // VM_CONFIG_IMAGE: bad input first, each answered and the RM still serving.
  const bad = async (p: Uint8Array, code: number) =>
    assertEquals((await hlos.rpc.call(RmMsg.VM_CONFIG_IMAGE, p)).error, code);
  await bad(new Uint8Array(20), RmError.MSG_INVALID);
  await bad(configImageReq(0x42, handle), RmError.VMID_INVALID);
  await bad(configImageReq(id, 0x9999), RmError.HANDLE_INVALID);
  await bad(
    configImageReq(id, handle, { dtbOffset: 0xff000n, dtbSize: 0x2000n }),
    RmError.ARGUMENT_INVALID,
  );
  await bad(configImageReq(id, handle, { auth: 1 }), RmError.UNIMPLEMENTED);
  await bad(configImageReq(id, handle, { auth: 9 }), RmError.ARGUMENT_INVALID);
  const other = parcels.create(Vmid.HLOS, [0x77], PARCEL_RAM + 2 * MiB, MiB);
  await bad(configImageReq(id, other), RmError.DENIED); // the parcel does not give the VM access
  assertEquals((await hlos.rpc.call(RmMsg.VM_INIT, vmidReq(id))).error, RmError.VM_STATE); // no image yet
  await bad(configImageReq(id, handle), RmError.OK);
  assertEquals(rm.vm(id).status, VmStatus.INIT);
  await bad(configImageReq(id, handle), RmError.VM_STATE); // only once
  assertEquals((await hlos.rpc.call(RmMsg.VM_START, vmidReq(id))).error, RmError.VM_STATE);

  // VM_INIT builds it from the devicetree.
  assertEquals((await hlos.rpc.call(RmMsg.VM_INIT, vmidReq(id))).error, RmError.OK);
  const rec = rm.vm(id);
  assertEquals(rec.status, VmStatus.READY);
  assertEquals(rec.objects!.vcpus.length, 2);
  assertEquals(rec.config!.imageName, "test_vm");
  const threads = rec.objects!.vcpus.map((c) =>
    hv.rootCspace.lookup<Thread>(c, ObjectType.THREAD, 0, false)
  );
  assertEquals(threads[0].sched.priority, 31); // default 32 + sched-priority -1
  assertEquals(threads[0].sched.baseTimeslice, 2_000_000); // 2000 µs

  // The overlay is in the VM's devicetree, in the parcel.
  const fdt = decodeFdt(parcels.bytes(handle, DTB_OFFSET, Number(DTB_SIZE))!);
  const hypNode = fdtFind(fdt.root, "/hypervisor")!;
  assert(fdtStrings(hypNode, "compatible")!.includes("gunyah-hypervisor"));
  const ident = fdtFind(fdt.root, "/hypervisor/qcom,gunyah-vm")!;
  assertEquals(fdtCells(ident, "qcom,vmid"), [id]);
  assertEquals(fdtCells(ident, "qcom,owner-vmid"), [Vmid.HLOS]);
  assertEquals(fdtStrings(ident, "qcom,image-name"), ["test_vm"]);
  assert(fdtFind(fdt.root, "/gunyah-vm-config") !== null); // the rest is kept

  // The VM's RAM is the parcel at the config's base address.
  const as = hv.rootCspace.lookup<Addrspace>(
    rec.objects!.addrspace,
    ObjectType.ADDRSPACE,
    0,
    false,
  );
  assert(as.lookup(Number(GUEST_RAM_IPA)) !== null);
  assert(as.lookup(Number(GUEST_RAM_IPA) + MiB) === null);

  // Resources: vCPUs for the owner (no wakeup VIRQ: not proxy scheduled); others are denied.
  const res = await hlos.rpc.call(RmMsg.VM_GET_HYP_RESOURCES, vmidReq(id));
  assertEquals(u32(res.data), 2);
  const rv = new DataView(res.data.buffer, res.data.byteOffset);
  assertEquals(rv.getUint8(entry(1)), ResourceType.VIRTUAL_CPU);
  assertEquals(rv.getUint32(entry(1) + 8, true), 1);
  assertEquals(rv.getUint32(entry(1) + 24, true), 0xffff_ffff);

  // VM_START without VM_SET_CONTEXT: PC = image, X0 = devicetree.
  const powerOns: string[] = [];
  hv.events.on("thread.state", (e) => {
    if (e.change === "poweron") powerOns.push(`${e.thread} ${e.detail}`);
  });
  assertEquals((await hlos.rpc.call(RmMsg.VM_START, vmidReq(id))).error, RmError.OK);
  assertEquals(powerOns, [
    `${threads[0].describeName()} pc=0x${GUEST_ENTRY.toString(16)} x0=0x${
      (GUEST_RAM_IPA + DTB_OFFSET).toString(16)
    }`,
  ]);

  // The guest powers the system off: the RM learns it from the HALT VIRQ.
  const status = () => rm.vm(id).status as number;
  for (let i = 0; i < 20 && status() === VmStatus.RUNNING; i++) hv.step();
  assertEquals(rec.status, VmStatus.EXITED);
  hlos.rpc.poll();
  assertEquals(exitedNote(hlos.notes, id), [{ type: ExitType.PLATFORM_OFF, reason: 0 }]);
  assertEquals((await hlos.rpc.call(RmMsg.VM_START, vmidReq(id))).error, RmError.VM_STATE);

  // Reset: objects gone, the owner told; then deallocate returns the VMID and the parcel.
  assertEquals((await hlos.rpc.call(RmMsg.VM_RESET, vmidReq(id))).error, RmError.OK);
  assertEquals(rec.status, VmStatus.RESET);
  assertEquals(rec.objects, null);
  hlos.rpc.poll();
  const st = hlos.notes.filter((n) => n.msgId === RmNotify.VM_STATUS).at(-1)!;
  assertEquals([new DataView(st.payload.buffer).getUint16(0, true), st.payload[4]], [
    id,
    VmStatus.RESET,
  ]);
  assert(threads.every((t) => t.refcount === 0), "the vCPUs are destroyed");
  assertEquals(
    (await hlos.rpc.call(RmMsg.VM_DEALLOCATE, vmidReq(0x42))).error,
    RmError.VMID_INVALID,
  );
  assertEquals((await hlos.rpc.call(RmMsg.VM_DEALLOCATE, vmidReq(id))).error, RmError.OK);
  assertEquals(rm.find(id), null);
  assertEquals(parcels.released, [id]);
  assertEquals(u32((await hlos.rpc.call(RmMsg.VM_ALLOCATE, vmidReq(0))).data), id); // VMID reusable
});

Deno.test("VM lifecycle over RPC: exit types of SYSTEM_RESET, a fault and a forced stop; graceful stop", async () => {
  const s = await rpcSetup({
    [GUEST_ENTRY.toString()]: [
      { op: "work", n: 10 },
      { op: "smc", imm: 0, x: [PSCI_SYSTEM_RESET] },
      {
        op: "wfi",
      },
    ],
  });
  const { hv, rm, hlos, arch } = s;
  const run = async (phys: number) => {
    const { vmid } = await createVm(s, vmDtb(), phys);
    assertEquals((await hlos.rpc.call(RmMsg.VM_START, vmidReq(vmid))).error, RmError.OK);
    return vmid;
  };
  const a = await run(PARCEL_RAM);
  for (let i = 0; i < 20 && rm.vm(a).status === VmStatus.RUNNING; i++) hv.step();
  hlos.rpc.poll();
  assertEquals(exitedNote(hlos.notes, a), [{ type: ExitType.PLATFORM_RESET, reason: 0 }]);

  arch.programs.set(GUEST_ENTRY, [{ op: "work", n: 10 }, { op: "fault", message: "data abort" }]);
  const b = await run(PARCEL_RAM + 2 * MiB);
  for (let i = 0; i < 20 && rm.vm(b).status === VmStatus.RUNNING; i++) hv.step();
  hlos.rpc.poll();
  assertEquals(exitedNote(hlos.notes, b), [{ type: ExitType.SOFTWARE_ERROR, reason: 0 }]);

  arch.programs.set(GUEST_ENTRY, [{ op: "wfi" }, { op: "goto", to: 0 }]);
  const c = await run(PARCEL_RAM + 4 * MiB);
  hv.step();
  // Running: no reset, no deallocate.
  assertEquals((await hlos.rpc.call(RmMsg.VM_DEALLOCATE, vmidReq(c))).error, RmError.VM_STATE);
  assertEquals((await hlos.rpc.call(RmMsg.VM_RESET, vmidReq(c))).error, RmError.VM_STATE);
  // Graceful: the VM is asked (it has no RM channel here, so that is an error) …
  assertEquals(
    (await hlos.rpc.call(RmMsg.VM_STOP, stopReq(c, false, 5))).error,
    RmError.NORESOURCE,
  );
  // … forced: killed now, type 7 with the reason.
  assertEquals((await hlos.rpc.call(RmMsg.VM_STOP, stopReq(c, true, 3))).error, RmError.OK);
  assertEquals(rm.vm(c).status, VmStatus.EXITED);
  for (let i = 0; i < 5; i++) hv.step();
  hlos.rpc.poll();
  assertEquals(exitedNote(hlos.notes, c), [{ type: ExitType.VM_STOP_FORCED, reason: 3 }]);
  for (const v of [a, b, c]) {
    assertEquals((await hlos.rpc.call(RmMsg.VM_RESET, vmidReq(v))).error, RmError.OK);
    assertEquals((await hlos.rpc.call(RmMsg.VM_DEALLOCATE, vmidReq(v))).error, RmError.OK);
  }
  assertEquals(rm.vms.length, 1);
});

Deno.test("VM_INIT failures: no config node, unsupported vdevice, no room for the overlay, bad DTB — INIT_FAILED, reset, and the RM keeps serving", async () => {
  const s = await rpcSetup();
  const { rm, hlos, parcels } = s;
  const attempt = async (dt: Uint8Array, code: number, dtbSize = DTB_SIZE) => {
    const id = u32((await hlos.rpc.call(RmMsg.VM_ALLOCATE, vmidReq(0))).data);
    const h = parcels.create(Vmid.HLOS, [id], PARCEL_RAM, MiB);
    parcels.bytes(h, DTB_OFFSET, Number(dtbSize))!.fill(0).set(dt.subarray(0, Number(dtbSize)));
    const ci = await hlos.rpc.call(RmMsg.VM_CONFIG_IMAGE, configImageReq(id, h, { dtbSize }));
    assertEquals(ci.error, RmError.OK);
    assertEquals((await hlos.rpc.call(RmMsg.VM_INIT, vmidReq(id))).error, code);
    assertEquals(rm.vm(id).status, VmStatus.INIT_FAILED);
    assertEquals(rm.vm(id).objects, null);
    assertEquals((await hlos.rpc.call(RmMsg.VM_DEALLOCATE, vmidReq(id))).error, RmError.OK);
    parcels.reclaim(h);
  };
  await attempt(vmDtb({ noConfig: true }), RmError.ARGUMENT_INVALID);
  await attempt(
    vmDtb({ vdevices: [{ name: "virtio0", props: { "vdevice-type": "virtio-mmio" } }] }),
    RmError.UNIMPLEMENTED,
  );
  const dt = vmDtb();
  await attempt(dt, RmError.NOMEM, BigInt((dt.length + 7) & ~7));
  const broken = dt.slice();
  broken[0] = 0;
  await attempt(broken, RmError.ARGUMENT_INVALID);
  await attempt(vmDtb({ affinity: "everywhere" }), RmError.ARGUMENT_INVALID);
  assert(s.log.some((l) => l.includes("virtio-mmio")));
  assertEquals(u32((await hlos.rpc.call(RmMsg.VM_GET_VMID)).data), Vmid.HLOS);
  assertEquals(rm.vms.length, 1);
});

Deno.test("VM lifecycle over RPC: wrong owners are denied", async () => {
  const s = await rpcSetup();
  const { hlos, rm } = s;
  const { vmid } = await createVm(
    s,
    vmDtb({ vdevices: [{ name: "rm-rpc", props: { "vdevice-type": "rm-rpc" } }] }),
  );
  const guest = s.client(vmid, PARCEL_RAM + 0x8000);
  assertEquals(u32((await guest.rpc.call(RmMsg.VM_GET_VMID)).data), vmid);
  for (const msg of [RmMsg.VM_RESET, RmMsg.VM_DEALLOCATE, RmMsg.VM_INIT, RmMsg.VM_START]) {
    assertEquals((await guest.rpc.call(msg, vmidReq(vmid))).error, RmError.DENIED);
    assertEquals((await guest.rpc.call(msg, vmidReq(Vmid.HLOS))).error, RmError.DENIED);
  }
  assertEquals(
    (await guest.rpc.call(RmMsg.VM_CONFIG_IMAGE, configImageReq(vmid, 0x100))).error,
    RmError.DENIED,
  );
  // The primary (HLOS) cannot be reset over RPC.
  assertEquals((await hlos.rpc.call(RmMsg.VM_RESET, vmidReq(Vmid.HLOS))).error, RmError.DENIED);
  // The secondary's RM node is in its devicetree.
  const fdt = decodeFdt(s.parcels.bytes(0x100, DTB_OFFSET, Number(DTB_SIZE))!);
  const link = rm.rpc!.link(vmid)!;
  assert(
    fdtFind(fdt.root, `/hypervisor/qcom,resource-manager-rpc@${link.vmTxCap.toString(16)}`) !==
      null,
  );
});

Deno.test("lifecycle requests: short payloads, unknown VMIDs and the RM keeps serving", async () => {
  const s = await rpcSetup();
  const { hlos } = s;
  for (const msg of [RmMsg.VM_INIT, RmMsg.VM_START, RmMsg.VM_RESET, RmMsg.VM_DEALLOCATE]) {
    assertEquals(
      (await hlos.rpc.call(msg, new Uint8Array(2))).error,
      RmError.MSG_INVALID,
      `0x${msg.toString(16)}`,
    );
    assertEquals(
      (await hlos.rpc.call(msg, vmidReq(0x99))).error,
      RmError.VMID_INVALID,
      `0x${msg.toString(16)}`,
    );
  }
  assertEquals((await hlos.rpc.call(RmMsg.VM_STOP, new Uint8Array(4))).error, RmError.MSG_INVALID);
  assertEquals(
    (await hlos.rpc.call(RmMsg.VM_CONFIG_IMAGE, new Uint8Array(39))).error,
    RmError.MSG_INVALID,
  );
  const { vmid } = await createVm(s, vmDtb());
  // A READY VM: no second init, no config, no deallocate; reset is allowed (READY → RESET).
  assertEquals((await hlos.rpc.call(RmMsg.VM_INIT, vmidReq(vmid))).error, RmError.VM_STATE);
  assertEquals(
    (await hlos.rpc.call(RmMsg.VM_CONFIG_IMAGE, configImageReq(vmid, 0x100))).error,
    RmError.VM_STATE,
  );
  assertEquals((await hlos.rpc.call(RmMsg.VM_DEALLOCATE, vmidReq(vmid))).error, RmError.VM_STATE);
  assertEquals((await hlos.rpc.call(RmMsg.VM_STOP, stopReq(vmid, true))).error, RmError.VM_STATE);
  assertEquals((await hlos.rpc.call(RmMsg.VM_RESET, vmidReq(vmid))).error, RmError.OK);
  // RESET → configured and initialised again from the same parcel.
  assertEquals(
    (await hlos.rpc.call(RmMsg.VM_CONFIG_IMAGE, configImageReq(vmid, 0x100))).error,
    RmError.OK,
  );
  assertEquals((await hlos.rpc.call(RmMsg.VM_INIT, vmidReq(vmid))).error, RmError.OK);
  assertEquals(u32((await hlos.rpc.call(RmMsg.VM_GET_VMID)).data), Vmid.HLOS);
});
