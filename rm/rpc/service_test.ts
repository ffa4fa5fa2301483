/**
 * End-to-end tests of the RM RPC: TypeScript clients talk to the RM
 * component through real msgqueue hypercalls (in their VM's cspace, buffers
 * in their VM's RAM), the RM serves them from its VIRQs, and the
 * hypervisor's rounds deliver those VIRQs.
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { Hypervisor, ObjectType } from "@gunyah-ts/core";
import { FakeArch, TEST_BOARD } from "@gunyah-ts/core/testing";
import type { Cspace, Msgqueue, Thread } from "@gunyah-ts/core";
import {
  HYP_RESOURCE_ENTRY_SIZE,
  ResourceType,
  RmError,
  RmMsg,
  RmNotify,
  Vmid,
  VmStatus,
} from "../abi.ts";
import { RmClient } from "../client.ts";
import { ResourceManager } from "../resource_manager.ts";
import type { RpcMessage } from "./fragment.ts";
import { fragment } from "./fragment.ts";
import { RPC_OUTBOX_LIMIT } from "./endpoint.ts";
import { RPC_MAX_CONTENT, RpcType } from "./header.ts";
import {
  configImageReq,
  createVm,
  DTB_OFFSET,
  DTB_SIZE,
  PARCEL_RAM,
  rpcSetup,
  vmDtb,
} from "../testdata/rpc_fixture.ts";

/** The config vdevice that gives a secondary its own RM channel. */
const RM_RPC_VDEVICE = { name: "rm-rpc", props: { "vdevice-type": "rm-rpc" } };

const RAM = 0x4000_0000;
const RM_MEM = 0x3fff_f000;
const MiB = 0x10_0000;
/** Entry of the fake guest program: wait for interrupts forever. */
const IDLE_ENTRY = 0x4000_1000n;

interface Client {
  readonly rpc: RmClient;
  readonly notes: RpcMessage[];
  readonly drops: string[];
  readonly cspace: Cspace;
}

async function setup() {
  const arch = new FakeArch({ [IDLE_ENTRY.toString()]: [{ op: "wfi" }, { op: "goto", to: 0 }] });
  const hv = new Hypervisor({
    board: TEST_BOARD,
    arch,
    cpus: 1,
    ram: [{ base: RM_MEM, size: 0x1000 }, { base: RAM, size: 8 * MiB }],
  });
  const log: string[] = [];
  const consoleOut: { vmid: number; bytes: Uint8Array }[] = [];
  const rm = new ResourceManager({
    privateMemory: { base: RM_MEM, bytes: hv.physicalMemory.regionFor(RM_MEM)!.bytes },
    log: (m) => log.push(m),
    consoleSink: (vmid, bytes) => consoleOut.push({ vmid, bytes }),
  });
  await hv.addComponent(rm);
  rm.allocateVm("hlos", Vmid.HLOS);
  rm.initVm(Vmid.HLOS, { physBase: RAM, ipaBase: RAM, size: 2 * MiB, vcpus: 1 });

  /** A client acting for VM `vmid`: its cspace, a buffer in its RAM at `bufPhys`. */
  const client = (vmid: number, bufPhys: number): Client => {
    const rec = rm.vm(vmid);
    const link = rm.rpc!.link(vmid)!;
    const cspace = hv.rootCspace.lookup<Cspace>(rec.caps!.cspace, ObjectType.CSPACE, 0, false);
    const ctx = hv.nativeContext(cspace, hv.rootPartition);
    const notes: RpcMessage[] = [];
    const drops: string[] = [];
    const rpc = new RmClient({
      port: { call: (n, ...a) => hv.dispatcher.table.call(ctx, n, ...a) },
      txCap: link.vmTxCap,
      rxCap: link.vmRxCap,
      buffer: {
        address: BigInt(bufPhys),
        bytes: hv.physicalMemory.regionFor(bufPhys, 256)!.bytes.subarray(bufPhys - RAM),
      },
      wait: () => {
        hv.step();
      },
      onNotification: (n) => notes.push(n),
      onDrop: (why) => drops.push(why),
      maxWaits: 100,
    });
    return { rpc, notes, drops, cspace };
  };
  return { hv, rm, log, consoleOut, client, hlos: client(Vmid.HLOS, RAM + 0x8000) };
}

function vmidReq(vmid: number, extra = 0): Uint8Array {
  const p = new Uint8Array(4 + extra);
  new DataView(p.buffer).setUint16(0, vmid, true);
  return p;
}

function u32(d: Uint8Array, at = 0): number {
  return new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(at, true);
}

Deno.test("RM RPC: VM_GET_VMID, unknown msg_id, malformed payloads, own hyp resources", async () => {
  const { rm, hlos, log } = await setup();
  const vmid = await hlos.rpc.call(RmMsg.VM_GET_VMID);
  assertEquals(vmid.error, RmError.OK);
  assertEquals(u32(vmid.data), Vmid.HLOS);

  assertEquals((await hlos.rpc.call(0x5600_00ff)).error, RmError.UNIMPLEMENTED);
  assertEquals(
    (await hlos.rpc.call(RmMsg.VM_ALLOCATE, new Uint8Array(2))).error,
    RmError.MSG_INVALID,
  );
  assertEquals(
    (await hlos.rpc.call(RmMsg.VM_GET_HYP_RESOURCES, vmidReq(0x42))).error,
    RmError.VMID_INVALID,
  );

  const res = await hlos.rpc.call(RmMsg.VM_GET_HYP_RESOURCES, vmidReq(Vmid.HLOS));
  assertEquals(res.error, RmError.OK);
  assertEquals(res.data.length, 4 + 2 * HYP_RESOURCE_ENTRY_SIZE);
  assertEquals(u32(res.data), 2);
  const link = rm.rpc!.link(Vmid.HLOS)!;
  const v = new DataView(res.data.buffer, res.data.byteOffset);
  const entry = (i: number) => 4 + i * HYP_RESOURCE_ENTRY_SIZE;
  assertEquals(v.getUint8(entry(0)), ResourceType.MSG_QUEUE_SEND);
  assertEquals(v.getUint8(entry(1)), ResourceType.MSG_QUEUE_RECV);
  assertEquals(v.getUint16(entry(0) + 2, true), Vmid.RM);
  const cap = (i: number) =>
    BigInt(v.getUint32(entry(i) + 12, true)) | (BigInt(v.getUint32(entry(i) + 16, true)) << 32n);
  assertEquals(cap(0), link.vmTxCap);
  assertEquals(cap(1), link.vmRxCap);
  assertEquals(v.getUint32(entry(0) + 24, true), link.vmTxVirq);
  assertEquals(v.getUint32(entry(1) + 24, true), link.vmRxVirq);
  // The caps are the VM's: SEND-only on its TX queue.
  hlos.cspace.lookup<Msgqueue>(link.vmTxCap, ObjectType.MSGQUEUE, 0x1);
  assert(log.some((l) => l.includes("need 4")));
});

Deno.test("RM RPC: malformed messages are dropped with a reason and the channel keeps working", async () => {
  const { rm, hlos, log } = await setup();
  const ep = rm.rpc!.endpoint(Vmid.HLOS)!;
  assertEquals(hlos.rpc.sendRaw(new Uint8Array([0x21, 1, 0])), 0); // shorter than a header
  assertEquals(hlos.rpc.sendRaw(new Uint8Array([0x31, 1, 0, 0, 0x24, 0, 0, 0x56])), 0); // api byte
  // A continuation with nothing in progress, and a notification to the RM.
  const two = fragment({
    type: RpcType.REQUEST,
    seq: 77,
    msgId: 0x56000024,
    payload: new Uint8Array(300),
  });
  hlos.rpc.sendRaw(two[1]);
  hlos.rpc.sendRaw(
    fragment({
      type: RpcType.NOTIFICATION,
      seq: 1,
      msgId: 0x56000024,
      payload: new Uint8Array(),
    })[0],
  );
  const r = await hlos.rpc.call(RmMsg.VM_GET_VMID);
  assertEquals(u32(r.data), Vmid.HLOS);
  assertEquals(ep.dropped, 4);
  assert(log.some((l) => l.includes("shorter than the header")));
  assert(log.some((l) => l.includes("api byte")));
  assert(log.some((l) => l.includes("no message in progress")));
  assert(log.some((l) => l.includes("is not a request")));
});

Deno.test("RM RPC: fragmented requests (> 232 bytes) and console output to the host", async () => {
  const { hlos, consoleOut } = await setup();
  assertEquals(
    (await hlos.rpc.call(RmMsg.VM_CONSOLE_WRITE, consoleWrite(Vmid.HLOS, 10))).error,
    RmError.VM_STATE,
  );
  assertEquals((await hlos.rpc.call(RmMsg.VM_CONSOLE_OPEN, vmidReq(Vmid.HLOS))).error, RmError.OK);
  const req = consoleWrite(Vmid.HLOS, 600);
  assert(req.length > RPC_MAX_CONTENT * 2);
  assertEquals((await hlos.rpc.call(RmMsg.VM_CONSOLE_WRITE, req)).error, RmError.OK);
  assertEquals((await hlos.rpc.call(RmMsg.VM_CONSOLE_FLUSH, vmidReq(Vmid.HLOS))).error, RmError.OK);
  const all = consoleOut.flatMap((c) => [...c.bytes]);
  assertEquals(all, [...req.subarray(4)]);
  assert(consoleOut.every((c) => c.vmid === Vmid.HLOS));
  // A count larger than the bytes carried is malformed.
  const bad = consoleWrite(Vmid.HLOS, 4);
  new DataView(bad.buffer).setUint16(2, 40, true);
  assertEquals((await hlos.rpc.call(RmMsg.VM_CONSOLE_WRITE, bad)).error, RmError.MSG_INVALID);
});

function consoleWrite(target: number, n: number): Uint8Array {
  const p = new Uint8Array(4 + n);
  const v = new DataView(p.buffer);
  v.setUint16(0, target, true);
  v.setUint16(2, n, true);
  for (let i = 0; i < n; i++) p[4 + i] = 0x20 + (i % 90);
  return p;
}

Deno.test("RM RPC: VM lifecycle with owner rules, hyp resources of vCPUs, notifications", async () => {
  const s = await rpcSetup();
  const { hv, rm, hlos, client, parcels } = s;
  rm.vm(Vmid.HLOS).status = VmStatus.RUNNING; // as if started: notifications go to RUNNING peers

  const alloc = await hlos.rpc.call(RmMsg.VM_ALLOCATE, vmidReq(0));
  assertEquals(alloc.error, RmError.OK);
  const id = u32(alloc.data);
  assertEquals(id, Vmid.DYNAMIC_FIRST);
  assertEquals(rm.vm(id).owner, Vmid.HLOS);
  const explicit = await hlos.rpc.call(RmMsg.VM_ALLOCATE, vmidReq(0x21));
  assertEquals([explicit.error, explicit.data.length], [RmError.OK, 0]); // no vmid word when asked for one
  assertEquals((await hlos.rpc.call(RmMsg.VM_ALLOCATE, vmidReq(0x21))).error, RmError.IN_USE);
  assertEquals((await hlos.rpc.call(RmMsg.VM_ALLOCATE, vmidReq(0x50))).error, RmError.VMID_INVALID);
  assertEquals(
    u32((await hlos.rpc.call(RmMsg.VM_ALLOCATE, vmidReq(0))).data),
    Vmid.DYNAMIC_FIRST + 1,
  );
  assertEquals((await hlos.rpc.call(RmMsg.VM_INIT, vmidReq(id))).error, RmError.VM_STATE);
  const handle = parcels.create(Vmid.HLOS, [id], PARCEL_RAM, MiB);
  parcels.bytes(handle, DTB_OFFSET, Number(DTB_SIZE))!.set(
    vmDtb({ vcpus: 6, vdevices: [RM_RPC_VDEVICE] }),
  );
  assertEquals(
    (await hlos.rpc.call(RmMsg.VM_CONFIG_IMAGE, configImageReq(id, handle))).error,
    RmError.OK,
  );
  assertEquals((await hlos.rpc.call(RmMsg.VM_START, vmidReq(id))).error, RmError.VM_STATE);
  assertEquals((await hlos.rpc.call(RmMsg.VM_INIT, vmidReq(id))).error, RmError.OK);
  const state = await hlos.rpc.call(RmMsg.VM_GET_STATE, vmidReq(id));
  assertEquals(state.data[0], VmStatus.READY);

  // vCPU resources: 6 × 44 + 4 = 268 bytes, a fragmented reply; caps valid in the HLOS cspace.
  const res = await hlos.rpc.call(RmMsg.VM_GET_HYP_RESOURCES, vmidReq(id));
  assertEquals(res.error, RmError.OK);
  assertEquals(u32(res.data), 6);
  const v = new DataView(res.data.buffer, res.data.byteOffset);
  for (let i = 0; i < 6; i++) {
    const e = 4 + i * HYP_RESOURCE_ENTRY_SIZE;
    assertEquals(v.getUint8(e), ResourceType.VIRTUAL_CPU);
    assertEquals(v.getUint16(e + 2, true), id);
    assertEquals(v.getUint32(e + 8, true), i);
    const cap = BigInt(v.getUint32(e + 12, true)) | (BigInt(v.getUint32(e + 16, true)) << 32n);
    const t = hlos.cspace.lookup<Thread>(cap, ObjectType.THREAD, 0x1);
    assertEquals(
      t,
      hv.rootCspace.lookup<Thread>(rm.vm(id).objects!.vcpus[i], ObjectType.THREAD, 0, false),
    );
  }

  // The new VM talks to the RM over its own channel.
  const guest = client(id, PARCEL_RAM + 0x8000);
  assertEquals(u32((await guest.rpc.call(RmMsg.VM_GET_VMID)).data), id);
  assertEquals((await guest.rpc.call(RmMsg.VM_ALLOCATE, vmidReq(0))).error, RmError.DENIED);
  assertEquals((await guest.rpc.call(RmMsg.VM_START, vmidReq(Vmid.HLOS))).error, RmError.DENIED);
  assertEquals(
    (await guest.rpc.call(RmMsg.VM_GET_HYP_RESOURCES, vmidReq(Vmid.HLOS))).error,
    RmError.DENIED,
  );
  const peers = await guest.rpc.call(RmMsg.VM_GET_PEERS);
  assertEquals([u32(peers.data), u32(peers.data, 4)], [1, Vmid.HLOS]);

  // Boot context, then start.
  const ctx = new Uint8Array(16);
  const cv = new DataView(ctx.buffer);
  cv.setUint16(0, id, true);
  cv.setUint8(2, 1); // PC
  cv.setBigUint64(8, IDLE_ENTRY, true);
  assertEquals((await hlos.rpc.call(RmMsg.VM_SET_CONTEXT, ctx)).error, RmError.OK);
  cv.setUint8(2, 2); // SP: not supported
  assertEquals((await hlos.rpc.call(RmMsg.VM_SET_CONTEXT, ctx)).error, RmError.ARGUMENT_INVALID);
  assertEquals((await guest.rpc.call(RmMsg.VM_START, vmidReq(id))).error, RmError.DENIED);
  assertEquals((await hlos.rpc.call(RmMsg.VM_START, vmidReq(id))).error, RmError.OK);
  assertEquals(rm.vm(id).status, VmStatus.RUNNING);

  // Status from the guest reaches its RUNNING owner as NOTIFY_VM_STATUS.
  const st = new Uint8Array(4);
  st[1] = 4; // os_status RUN
  new DataView(st.buffer).setUint16(2, 0x1234, true);
  assertEquals((await guest.rpc.call(RmMsg.VM_SET_STATUS, st)).error, RmError.OK);
  st[1] = 9;
  assertEquals((await guest.rpc.call(RmMsg.VM_SET_STATUS, st)).error, RmError.ARGUMENT_INVALID);
  hlos.rpc.poll();
  const status = hlos.notes.find((n) => n.msgId === RmNotify.VM_STATUS)!;
  assertEquals([...status.payload], [id, 0, 0, 0, VmStatus.RUNNING, 4, 0x34, 0x12]);

  // Console input from the owner larger than the queue depth: both directions wait on FULL.
  assertEquals((await hlos.rpc.call(RmMsg.VM_CONSOLE_OPEN, vmidReq(id))).error, RmError.OK);
  const input = consoleWrite(id, 2200); // 10 fragments > depth 8
  assertEquals((await hlos.rpc.call(RmMsg.VM_CONSOLE_WRITE, input)).error, RmError.OK);
  assert(rm.rpc!.endpoint(id)!.pending > 0); // the RM waits for room in the guest's queue
  for (let i = 0; i < 4 && guest.notes.length === 0; i++) {
    guest.rpc.poll();
    hv.step();
  }
  const chars = guest.notes.find((n) => n.msgId === RmNotify.VM_CONSOLE_CHARS)!;
  assertEquals(chars.payload.subarray(4), input.subarray(4));
  assertEquals(new DataView(chars.payload.buffer).getUint16(0, true), Vmid.HLOS);

  // Non-forced stop asks the VM; VM_EXIT from the VM ends it and notifies the owner.
  const stop = new Uint8Array(8);
  new DataView(stop.buffer).setUint16(0, id, true);
  new DataView(stop.buffer).setUint32(4, 3, true);
  assertEquals((await hlos.rpc.call(RmMsg.VM_STOP, stop)).error, RmError.OK);
  guest.rpc.poll();
  const shut = guest.notes.find((n) => n.msgId === RmNotify.VM_SHUTDOWN)!;
  assertEquals(u32(shut.payload), 3);
  const exit = new Uint8Array(4);
  exit[2] = 1; // exit code SOFTWARE_ERROR
  assertEquals((await guest.rpc.call(RmMsg.VM_EXIT, exit)).error, RmError.OK);
  assertEquals(rm.vm(id).status, VmStatus.EXITED);
  hlos.rpc.poll();
  const exited = hlos.notes.find((n) => n.msgId === RmNotify.VM_EXITED)!;
  const ev = new DataView(exited.payload.buffer);
  assertEquals([
    ev.getUint16(0, true),
    ev.getUint16(2, true),
    ev.getUint32(4, true),
    ev.getUint32(8, true),
  ], [
    id,
    0,
    4,
    1 << 16,
  ]);
  assertEquals((await hlos.rpc.call(RmMsg.VM_STOP, stop)).error, RmError.VM_STATE);
});

Deno.test("RM RPC: a forced VM_STOP kills the VM and notifies its owner (exit type 7)", async () => {
  const s = await rpcSetup();
  const { rm, hlos } = s;
  rm.vm(Vmid.HLOS).status = VmStatus.RUNNING;
  const { vmid: id } = await createVm(s, vmDtb());
  const ctx = new Uint8Array(16);
  new DataView(ctx.buffer).setUint16(0, id, true);
  ctx[2] = 1;
  new DataView(ctx.buffer).setBigUint64(8, IDLE_ENTRY, true);
  assertEquals((await hlos.rpc.call(RmMsg.VM_SET_CONTEXT, ctx)).error, RmError.OK);
  assertEquals((await hlos.rpc.call(RmMsg.VM_START, vmidReq(id))).error, RmError.OK);
  const stop = new Uint8Array(8);
  new DataView(stop.buffer).setUint16(0, id, true);
  stop[2] = 0x2; // unknown flag
  assertEquals((await hlos.rpc.call(RmMsg.VM_STOP, stop)).error, RmError.ARGUMENT_INVALID);
  stop[2] = 0x1; // FORCE
  new DataView(stop.buffer).setUint32(4, 3, true);
  assertEquals((await hlos.rpc.call(RmMsg.VM_STOP, stop)).error, RmError.OK);
  assertEquals(rm.vm(id).status, VmStatus.EXITED);
  hlos.rpc.poll();
  const n = hlos.notes.find((m) => m.msgId === RmNotify.VM_EXITED)!;
  const v = new DataView(n.payload.buffer);
  assertEquals([v.getUint16(0, true), v.getUint16(2, true), v.getUint32(8, true)], [id, 7, 3]);
  // The HLOS VM's peers are the VMs it owns.
  const peers = await hlos.rpc.call(RmMsg.VM_GET_PEERS);
  assertEquals([u32(peers.data), u32(peers.data, 4)], [1, id]);
});

Deno.test("RM RPC: a VM whose vGIC lacks the RM's SPIs fails VM_INIT with the binding named", async () => {
  const { rm } = await setup();
  const rec = rm.allocateVm("small", 0);
  let message = "";
  try {
    rm.initVm(rec.vmid, {
      physBase: RAM + 4 * MiB,
      ipaBase: RAM,
      size: 1 * MiB,
      vcpus: 1,
      spis: 64,
    });
  } catch (e) {
    message = (e as Error).message;
  }
  assert(message.includes("msgqueue_bind_send_virq(VM→RM, VM vic)"), message);
  assertEquals(rec.status, VmStatus.INIT_FAILED);
});

Deno.test("RM client: one request at a time, and a silent RM is reported, not waited on forever", async () => {
  const { hv, hlos } = await setup();
  const first = hlos.rpc.call(RmMsg.VM_GET_VMID);
  let refused = "";
  await hlos.rpc.call(RmMsg.VM_GET_VMID).catch((e) => (refused = (e as Error).message));
  assert(refused.includes("one RM request at a time"), refused);
  assertEquals((await first).error, RmError.OK);
  await hv.stopComponents();
  // A request whose reply never comes (the RM's VIRQs are no longer delivered: nothing drains).
  const quiet = new RmClient({
    port: { call: () => [0n, 1n, 0n] }, // sends "succeed", receives never have data
    txCap: 1n,
    rxCap: 2n,
    buffer: { address: 0n, bytes: new Uint8Array(240) },
    wait: () => {},
    maxWaits: 3,
  });
  let err = "";
  await quiet.call(RmMsg.VM_GET_VMID).catch((e) => (err = (e as Error).message));
  assert(err.includes("waiting for the reply"), err);
});

Deno.test("RM RPC: a VM that powers itself off is reported to its owner (PLATFORM_OFF)", async () => {
  const s = await rpcSetup();
  const { rm, hlos } = s;
  const { vmid: id } = await createVm(s, vmDtb());
  assertEquals((await hlos.rpc.call(RmMsg.VM_START, vmidReq(id))).error, RmError.OK);
  rm.exited(id, "system_off");
  rm.exited(id, "system_off"); // reported once
  hlos.rpc.poll();
  const exits = hlos.notes.filter((m) => m.msgId === RmNotify.VM_EXITED);
  assertEquals(exits.length, 1);
  assertEquals(new DataView(exits[0].payload.buffer).getUint16(2, true), 1);
});

Deno.test("RM RPC: a VM that never reads its replies is bounded: the RM stops serving it, says so, resumes when it drains", async () => {
  const { hv, rm, hlos, log } = await setup();
  const ep = rm.rpc!.endpoint(Vmid.HLOS)!;
  const req = (seq: number) =>
    fragment({
      type: RpcType.REQUEST,
      seq,
      msgId: RmMsg.VM_GET_VMID,
      payload: new Uint8Array(),
    })[0];
  let sent = 0, full = 0, maxPending = 0;
  for (let i = 0; i < 20_000; i++) {
    if (hlos.rpc.sendRaw(req(i & 0xffff)) === 0) sent++;
    else full++;
    hv.step();
    maxPending = Math.max(maxPending, ep.pending);
  }
  assert(ep.paused, "the RM stopped reading the VM's requests");
  assertEquals(ep.pauses, 1);
  assert(maxPending <= RPC_OUTBOX_LIMIT + 1, `outbox grew to ${maxPending}`);
  assert(full > 19_000, `the VM's sends are refused once its queue is full (${full} refused)`);
  assert(log.some((l) => l.includes("stops serving this VM's requests")));
  // Reading the replies lets the RM go on: a real request is answered.
  const r = await hlos.rpc.call(RmMsg.VM_GET_VMID).catch(async () => {
    // The client may give up after its waits while old replies drain; one more call succeeds.
    return await hlos.rpc.call(RmMsg.VM_GET_VMID);
  });
  assertEquals(r.error, RmError.OK);
  assert(!ep.paused);
  assert(sent < 200, `only about a queue's worth was accepted (${sent})`);
});

Deno.test("RM RPC: a handler's non-RM exception is answered (NORESOURCE) and the RM keeps serving", async () => {
  const { rm, hlos, log } = await setup();
  rm.rpc!.registerHandlers(
    new Map([[0x5600_00fe, () => {
      throw new TypeError("a bug in a handler");
    }]]),
  );
  assertEquals((await hlos.rpc.call(0x5600_00fe)).error, RmError.NORESOURCE);
  assertEquals(rm.rpc!.faults, 1);
  assert(log.some((l) => l.includes("internal fault (TypeError: a bug in a handler)")));
  assertEquals((await hlos.rpc.call(RmMsg.VM_GET_VMID)).error, RmError.OK);
});
