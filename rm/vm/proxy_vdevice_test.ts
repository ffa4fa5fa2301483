/**
 * Proxy scheduling of an RPC-built VM (gunyah-abi.md §1.7) and the inter-VM
 * vdevices generated from its `gunyah-vm-config` (§5.8, §4): a VM with
 * `affinity = "proxy"` runs only inside its owner's `vcpu_run`, which
 * returns its VMMIO reads/writes, EXPECTS_WAKEUP and POWERED_OFF; the owner
 * and the VM exchange data both ways over a message-queue pair and two
 * doorbells; and a VM is built and destroyed 20 times with nothing lost.
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { ObjectType, type Thread, type Vic } from "@gunyah-ts/core";
import type { FakeInterruptController } from "@gunyah-ts/core/testing";
import { Hypercall, HypError, MSGQUEUE_SEND_FLAG_PUSH } from "@gunyah-ts/core/abi";
import { type DtNode, RegisterSet } from "@gunyah-ts/core/plugin";
import {
  ExitType,
  HYP_RESOURCE_ENTRY_SIZE,
  ResourceType,
  RmError,
  RmMsg,
  RmNotify,
  RunState,
  Vmid,
  VmStatus,
} from "../abi.ts";
import { decodeFdt, fdtCells, fdtFind, fdtStrings } from "../dt/fdt.ts";
import {
  createVm,
  DTB_OFFSET,
  DTB_SIZE,
  GUEST_ENTRY,
  MiB,
  PARCEL_RAM,
  PSCI_SYSTEM_OFF,
  RAM,
  rpcSetup,
  stopReq,
  vmDtb,
  vmidReq,
} from "../testdata/rpc_fixture.ts";

/** The emulated UART data register the guest program writes (QEMU virt PL011). */
const UART = 0x0900_0000;

interface Resource {
  type: number;
  partner: number;
  label: number;
  cap: bigint;
  virq: number;
}

function resources(data: Uint8Array): Resource[] {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return Array.from({ length: v.getUint32(0, true) }, (_, i) => {
    const e = 4 + i * HYP_RESOURCE_ENTRY_SIZE;
    return {
      type: v.getUint8(e),
      partner: v.getUint16(e + 2, true),
      label: v.getUint32(e + 8, true),
      cap: BigInt(v.getUint32(e + 12, true)) | (BigInt(v.getUint32(e + 16, true)) << 32n),
      virq: v.getUint32(e + 24, true),
    };
  });
}

const PROXY_DT = () => vmDtb({ affinity: "proxy" });

Deno.test("proxy scheduling: the VM runs only in its owner's vcpu_run; VMMIO write/read, EXPECTS_WAKEUP, wakeup VIRQ, POWERED_OFF", async () => {
  const s = await rpcSetup({
    [GUEST_ENTRY.toString()]: [
      { op: "store", ipa: UART, size: 1, value: 0x41n },
      { op: "load", ipa: UART + 0x18, size: 4, reg: 1 },
      { op: "wfi" },
      { op: "goto", to: 2 },
    ],
  });
  const { hv, rm, hlos, arch } = s;
  const first = await createVm(s, PROXY_DT());
  const vmid = first.vmid;
  const [vcpu] = resources((await hlos.rpc.call(RmMsg.VM_GET_HYP_RESOURCES, vmidReq(vmid))).data);
  assertEquals(vcpu.type, ResourceType.VIRTUAL_CPU);
  assert(vcpu.virq >= 274 && vcpu.virq < 288, `wakeup VIRQ ${vcpu.virq} in the owner's free SPIs`);
  const hlosVic = hv.rootCspace.lookup<Vic>(
    rm.vm(Vmid.HLOS).objects!.vic,
    ObjectType.VIC,
    0,
    false,
  );
  const ctl = hlosVic.controller as FakeInterruptController;
  assert(hlosVic.sourceOf(vcpu.virq) !== undefined, "the wakeup VIRQ is bound in the owner's vic");

  assertEquals((await hlos.rpc.call(RmMsg.VM_START, vmidReq(vmid))).error, RmError.OK);
  assert(ctl.pending[0].has(vcpu.virq), "power-on raises the wakeup VIRQ");
  const thread = hv.rootCspace.lookup<Thread>(
    rm.vm(vmid).objects!.vcpus[0],
    ObjectType.THREAD,
    0,
    false,
  );
  for (let i = 0; i < 5; i++) hv.step();
  assert(!arch.log.some((l) => l.includes(thread.describeName())), "the scheduler never runs it");

  const run = (resume = 0n) => s.hlos.call(Hypercall.VCPU_RUN, vcpu.cap, resume, 0n, 0n);
  let r = run();
  assertEquals(Number(r[0]), HypError.OK);
  assertEquals([Number(r[1]), Number(r[2]), Number(r[3]), r[4]], [
    RunState.ADDRSPACE_VMMIO_WRITE,
    UART,
    1,
    0x41n,
  ]);
  r = run();
  assertEquals([Number(r[1]), Number(r[2]), Number(r[3])], [
    RunState.ADDRSPACE_VMMIO_READ,
    UART + 0x18,
    4,
  ]);
  r = run(0x90n); // the emulated UART's flag register
  assertEquals(thread.arch!.getRegister(RegisterSet.X, 1), 0x90n);
  assertEquals([Number(r[1]), Number(r[3])], [RunState.EXPECTS_WAKEUP, 1]); // WFI
  // A vCPU the caller does not own through a proxy binding: BUSY.
  const hlosVcpu = s.hlos.call(Hypercall.VCPU_RUN, 0xdeadn, 0n, 0n, 0n);
  assert(Number(hlosVcpu[0]) !== HypError.OK);

  // A forced stop kills it: the wakeup VIRQ fires, vcpu_run reports it exited.
  ctl.pending[0].clear();
  assertEquals((await hlos.rpc.call(RmMsg.VM_STOP, stopReq(vmid, true, 3))).error, RmError.OK);
  assert(ctl.pending[0].has(vcpu.virq), "the kill wakes the proxy scheduler");
  r = run();
  assertEquals([Number(r[1]), r[2]], [RunState.POWERED_OFF, 1n]); // exited
  hlos.rpc.poll();
  const ex = hlos.notes.find((n) => n.msgId === RmNotify.VM_EXITED)!;
  assertEquals(new DataView(ex.payload.buffer).getUint16(2, true), ExitType.VM_STOP_FORCED);

  // SYSTEM_OFF of a proxy VM: POWERED_OFF to the VMM, PLATFORM_OFF to the owner.
  assertEquals((await hlos.rpc.call(RmMsg.VM_RESET, vmidReq(vmid))).error, RmError.OK);
  assertEquals((await hlos.rpc.call(RmMsg.VM_DEALLOCATE, vmidReq(vmid))).error, RmError.OK);
  s.parcels.reclaim(first.handle);
  arch.programs.set(GUEST_ENTRY, [{ op: "smc", imm: 0, x: [PSCI_SYSTEM_OFF] }, { op: "wfi" }]);
  const b = await createVm(s, PROXY_DT());
  const [vb] = resources((await hlos.rpc.call(RmMsg.VM_GET_HYP_RESOURCES, vmidReq(b.vmid))).data);
  assertEquals((await hlos.rpc.call(RmMsg.VM_START, vmidReq(b.vmid))).error, RmError.OK);
  r = s.hlos.call(Hypercall.VCPU_RUN, vb.cap, 0n, 0n, 0n);
  assertEquals([Number(r[1]), r[2]], [RunState.POWERED_OFF, 0n]);
  for (let i = 0; i < 5 && rm.vm(b.vmid).status === VmStatus.RUNNING; i++) hv.step();
  hlos.rpc.poll();
  const ex2 = hlos.notes.filter((n) => n.msgId === RmNotify.VM_EXITED).at(-1)!;
  assertEquals(new DataView(ex2.payload.buffer).getUint16(2, true), ExitType.PLATFORM_OFF);
});

const VDEVICES: readonly DtNode[] = [
  {
    name: "queues",
    props: {
      "vdevice-type": "message-queue-pair",
      "peer-default": true,
      label: [0x11],
      "message-size": [64],
      "queue-depth": [4],
    },
  },
  // The VM asks for SPI 5 (INTID 37), as QEMU's accelerator does for a device's line.
  {
    name: "bell-in",
    props: {
      "vdevice-type": "doorbell",
      "peer-default": true,
      label: [0x22],
      interrupts: [0, 5, 1],
    },
  },
  {
    name: "bell-out",
    props: { "vdevice-type": "doorbell-source", "peer-default": true, label: [0x33] },
  },
];

Deno.test("vdevices: owner and VM exchange data both ways over a message-queue pair and doorbells from the devicetree", async () => {
  const s = await rpcSetup();
  const { hv, rm, hlos, parcels } = s;
  const { vmid, handle } = await createVm(s, vmDtb({ vdevices: VDEVICES }));
  const guestCall = s.callerOf(vmid);

  // The owner's ends, from VM_GET_HYP_RESOURCES.
  const res = resources((await hlos.rpc.call(RmMsg.VM_GET_HYP_RESOURCES, vmidReq(vmid))).data);
  const find = (type: number, label: number) =>
    res.find((e) => e.type === type && e.label === label)!;
  const hTx = find(ResourceType.MSG_QUEUE_SEND, 0x11);
  const hRx = find(ResourceType.MSG_QUEUE_RECV, 0x11);
  const hBellSrc = find(ResourceType.DOORBELL_SRC, 0x22);
  const hBellIn = find(ResourceType.DOORBELL, 0x33);
  assertEquals(
    hTx.virq !== 0xffff_ffff && hRx.virq !== 0xffff_ffff && hBellIn.virq !== 0xffff_ffff,
    true,
  );
  assertEquals(hBellSrc.virq, 0xffff_ffff);
  assert(res.every((e) => e.partner === vmid));

  // The VM's ends, from the /hypervisor overlay in its devicetree.
  const root = decodeFdt(parcels.bytes(handle, DTB_OFFSET, Number(DTB_SIZE))!).root;
  const hyp = fdtFind(root, "/hypervisor")!;
  const node = (prefix: string) => hyp.children.find((c) => c.name.startsWith(prefix + "@"))!;
  const caps = (n: ReturnType<typeof node>) => {
    const c = fdtCells(n, "reg")!;
    return Array.from(
      { length: c.length / 2 },
      (_, i) => (BigInt(c[2 * i]) << 32n) | BigInt(c[2 * i + 1]),
    );
  };
  const q = node("queues"), bin = node("bell-in"), bout = node("bell-out");
  assert(fdtStrings(q, "compatible")!.includes("qcom,gunyah-message-queue"));
  assertEquals(fdtCells(q, "qcom,tx-queue-depth"), [4]);
  assertEquals(fdtStrings(bin, "compatible")![0], "qcom,gunyah-doorbell");
  assertEquals(fdtStrings(bout, "compatible")![0], "qcom,gunyah-doorbell-source");
  const [gTx, gRx] = caps(q);
  const [gBellIn] = caps(bin), [gBellOut] = caps(bout);
  const gRxVirq = fdtCells(q, "interrupts")![4] + 32;
  const gBellVirq = fdtCells(bin, "interrupts")![1] + 32;
  assertEquals(gBellVirq, 32 + 5, "the doorbell is bound to the INTID its config node asked for");

  const guestVic = hv.rootCspace.lookup<Vic>(rm.vm(vmid).objects!.vic, ObjectType.VIC, 0, false);
  const hlosVic = hv.rootCspace.lookup<Vic>(
    rm.vm(Vmid.HLOS).objects!.vic,
    ObjectType.VIC,
    0,
    false,
  );
  const gPending = () => (guestVic.controller as FakeInterruptController).pending[0];
  const hPending = () => (hlosVic.controller as FakeInterruptController).pending[0];
  const mem = (phys: number, n: number) =>
    hv.physicalMemory.regionFor(phys, n)!.bytes.subarray(phys - RAM, phys - RAM + n);
  const hBuf = RAM + 0x9000, gBuf = PARCEL_RAM + 0x9000;

  // Owner → VM.
  mem(hBuf, 5).set([1, 2, 3, 4, 5]);
  let r = s.hlos.call(
    Hypercall.MSGQUEUE_SEND,
    hTx.cap,
    5n,
    BigInt(hBuf),
    BigInt(MSGQUEUE_SEND_FLAG_PUSH),
  );
  assertEquals(Number(r[0]), HypError.OK);
  assert(gPending().has(gRxVirq), "the VM's receive VIRQ is raised");
  r = guestCall(Hypercall.MSGQUEUE_RECEIVE, gRx, BigInt(gBuf), 64n);
  assertEquals([Number(r[0]), Number(r[1])], [HypError.OK, 5]);
  assertEquals([...mem(gBuf, 5)], [1, 2, 3, 4, 5]);
  // VM → owner.
  mem(gBuf, 3).set([9, 8, 7]);
  r = guestCall(Hypercall.MSGQUEUE_SEND, gTx, 3n, BigInt(gBuf), BigInt(MSGQUEUE_SEND_FLAG_PUSH));
  assertEquals(Number(r[0]), HypError.OK);
  assert(hPending().has(hRx.virq), "the owner's receive VIRQ is raised");
  r = s.hlos.call(Hypercall.MSGQUEUE_RECEIVE, hRx.cap, BigInt(hBuf), 64n);
  assertEquals([Number(r[0]), Number(r[1])], [HypError.OK, 3]);
  assertEquals([...mem(hBuf, 3)], [9, 8, 7]);
  // The ends have only their rights: the VM cannot receive on its TX queue.
  assert(Number(guestCall(Hypercall.MSGQUEUE_RECEIVE, gTx, BigInt(gBuf), 64n)[0]) !== HypError.OK);

  // Doorbells both ways.
  assertEquals(Number(s.hlos.call(Hypercall.DOORBELL_SEND, hBellSrc.cap, 0x5n)[0]), HypError.OK);
  assert(gPending().has(gBellVirq));
  r = guestCall(Hypercall.DOORBELL_RECEIVE, gBellIn, ~0n & 0xffff_ffff_ffff_ffffn);
  assertEquals(r[1], 0x5n);
  assertEquals(Number(guestCall(Hypercall.DOORBELL_SEND, gBellOut, 0x30n)[0]), HypError.OK);
  assert(hPending().has(hBellIn.virq));
  assertEquals(s.hlos.call(Hypercall.DOORBELL_RECEIVE, hBellIn.cap, 0x30n)[1], 0x30n);

  // The VM asks for its own ends: the same caps.
  const own = resources(
    (await s.client(Vmid.HLOS, RAM + 0xa000).rpc.call(RmMsg.VM_GET_HYP_RESOURCES, vmidReq(vmid)))
      .data,
  );
  assertEquals(own.length, res.length);
});

Deno.test("20 VMs built, started, stopped, reset and deallocated over RPC: no VMID, VIRQ, object or page lost", async () => {
  const s = await rpcSetup({ [GUEST_ENTRY.toString()]: [{ op: "wfi" }, { op: "goto", to: 0 }] });
  const { hv, rm, hlos, parcels } = s;
  const hlosRec = rm.vm(Vmid.HLOS);
  const objects = () => hv.rootCspace.capCount;
  const before = { virqs: hlosRec.virqs.used, caps: objects() };
  const dt = vmDtb({
    affinity: "proxy",
    vcpus: 2,
    vdevices: [...VDEVICES, { name: "rm-rpc", props: { "vdevice-type": "rm-rpc" } }],
  });
  for (let i = 0; i < 20; i++) {
    const { vmid, handle } = await createVm(s, dt);
    assertEquals(vmid, Vmid.DYNAMIC_FIRST, `round ${i}`);
    const res = resources((await hlos.rpc.call(RmMsg.VM_GET_HYP_RESOURCES, vmidReq(vmid))).data);
    assertEquals(res.length, 2 + 4); // 2 vCPUs, 2 queue ends, 2 doorbell ends
    assertEquals((await hlos.rpc.call(RmMsg.VM_START, vmidReq(vmid))).error, RmError.OK);
    const run = s.hlos.call(Hypercall.VCPU_RUN, res[0].cap, 0n, 0n, 0n);
    assertEquals(Number(run[1]), RunState.EXPECTS_WAKEUP);
    assertEquals((await hlos.rpc.call(RmMsg.VM_STOP, stopReq(vmid, true))).error, RmError.OK);
    s.hlos.call(Hypercall.VCPU_RUN, res[0].cap, 0n, 0n, 0n);
    assertEquals((await hlos.rpc.call(RmMsg.VM_RESET, vmidReq(vmid))).error, RmError.OK);
    assertEquals((await hlos.rpc.call(RmMsg.VM_DEALLOCATE, vmidReq(vmid))).error, RmError.OK);
    parcels.reclaim(handle); // the owner's MEM_RECLAIM
    assertEquals(
      hv.memdb.lookup(PARCEL_RAM),
      hv.rootPartition,
      `round ${i}: the parcel's pages are back`,
    );
  }
  assertEquals(rm.vms.length, 1);
  assertEquals(parcels.count, 0);
  assertEquals(hlosRec.virqs.used, before.virqs);
  assertEquals(objects(), before.caps);
  assertEquals(rm.vm(Vmid.HLOS).status, VmStatus.READY);
});

Deno.test("vdevices: two secondary VMs exchange data both ways over a message-queue pair with `peer = <vmid>`", async () => {
  const s = await rpcSetup();
  const { hv } = s;
  const rmRpc = { name: "rm-rpc", props: { "vdevice-type": "rm-rpc" } };
  const a = await createVm(s, vmDtb({ vdevices: [rmRpc] }), PARCEL_RAM);
  const b = await createVm(
    s,
    vmDtb({
      vdevices: [{
        name: "to-a",
        props: { "vdevice-type": "message-queue-pair", peer: [a.vmid], label: [0x44] },
      }],
    }),
    PARCEL_RAM + 2 * MiB,
  );
  // A learns its ends from the RM over its own channel; B from its devicetree.
  const aClient = s.client(a.vmid, PARCEL_RAM + 0x8000);
  const res = resources((await aClient.rpc.call(RmMsg.VM_GET_HYP_RESOURCES, vmidReq(b.vmid))).data);
  assertEquals(res.map((e) => [e.type, e.partner, e.label]), [
    [ResourceType.MSG_QUEUE_SEND, b.vmid, 0x44],
    [ResourceType.MSG_QUEUE_RECV, b.vmid, 0x44],
  ]);
  // The owner sees B's vCPU but not A's ends.
  const owner = resources(
    (await s.hlos.rpc.call(RmMsg.VM_GET_HYP_RESOURCES, vmidReq(b.vmid))).data,
  );
  assertEquals(owner.map((e) => e.type), [ResourceType.VIRTUAL_CPU]);
  const root = decodeFdt(s.parcels.bytes(b.handle, DTB_OFFSET, Number(DTB_SIZE))!).root;
  const node = fdtFind(root, "/hypervisor")!.children.find((c) => c.name.startsWith("to-a@"))!;
  const reg = fdtCells(node, "reg")!;
  const [bTx, bRx] = [0, 1].map((i) => (BigInt(reg[2 * i]) << 32n) | BigInt(reg[2 * i + 1]));

  const callA = s.callerOf(a.vmid), callB = s.callerOf(b.vmid);
  const mem = (phys: number, n: number) => {
    const r = hv.physicalMemory.regionFor(phys, n)!;
    return r.bytes.subarray(phys - r.base, phys - r.base + n);
  };
  const aBuf = PARCEL_RAM + 0x9000, bBuf = PARCEL_RAM + 2 * MiB + 0x9000;
  const push = BigInt(MSGQUEUE_SEND_FLAG_PUSH);
  mem(aBuf, 4).set([0xa, 0xb, 0xc, 0xd]);
  assertEquals(
    Number(callA(Hypercall.MSGQUEUE_SEND, res[0].cap, 4n, BigInt(aBuf), push)[0]),
    HypError.OK,
  );
  let r = callB(Hypercall.MSGQUEUE_RECEIVE, bRx, BigInt(bBuf), 240n);
  assertEquals([Number(r[0]), Number(r[1]), ...mem(bBuf, 4)], [HypError.OK, 4, 0xa, 0xb, 0xc, 0xd]);
  mem(bBuf, 2).set([0x42, 0x24]);
  assertEquals(Number(callB(Hypercall.MSGQUEUE_SEND, bTx, 2n, BigInt(bBuf), push)[0]), HypError.OK);
  r = callA(Hypercall.MSGQUEUE_RECEIVE, res[1].cap, BigInt(aBuf), 240n);
  assertEquals([Number(r[0]), Number(r[1]), ...mem(aBuf, 2)], [HypError.OK, 2, 0x42, 0x24]);

  // A peer that is not there: VM_INIT fails, naming it.
  let failed = 0;
  try {
    await createVm(
      s,
      vmDtb({ vdevices: [{ name: "x", props: { "vdevice-type": "doorbell", peer: [0x99] } }] }),
      PARCEL_RAM + 4 * MiB,
    );
  } catch (e) {
    failed = (e as Error).message.includes(`RM error ${RmError.VMID_INVALID}`) ? 1 : 2;
  }
  assertEquals(failed, 1);

  // A doorbell whose interrupts is no SPI: VM_INIT fails with ARGUMENT_INVALID.
  failed = 0;
  try {
    await createVm(
      s,
      vmDtb({
        vdevices: [{
          name: "y",
          props: { "vdevice-type": "doorbell", "peer-default": true, interrupts: [1, 5, 1] },
        }],
      }),
      PARCEL_RAM + 8 * MiB,
    );
  } catch (e) {
    failed = (e as Error).message.includes(`RM error ${RmError.ARGUMENT_INVALID}`) ? 1 : 2;
  }
  assertEquals(failed, 1);
});
