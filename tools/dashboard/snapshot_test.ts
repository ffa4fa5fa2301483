import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import {
  encodeMsgqueueCreateInfo,
  errorFromRegister,
  Hypercall,
  HypError,
} from "@gunyah-ts/core/abi";
import { consoleTap } from "./console_tap.ts";
import { EventLog } from "./event_log.ts";
import { snapshot } from "./snapshot.ts";
import { printThenWaitGuest, systemWithGuest } from "./test_fixture.ts";

Deno.test("snapshot of a running flat guest: VM, vCPU, CPUs, caps, memory, console, events", async () => {
  const { system, vm } = await systemWithGuest(printThenWaitGuest("hello\n"));
  const events = new EventLog(system);
  consoleTap(vm);
  system.hv.runUntil(() => consoleTap(vm).ring.total === 6, 1e6);
  const s = snapshot(system, { events });
  JSON.stringify(s); // plain JSON

  assertEquals(s.vms.length, 1);
  const v = s.vms[0];
  assertEquals([v.vmid, v.name, v.status, v.memoryBytes], [3, "primary", "running", 16 << 20]);
  assertEquals(v.vcpus, [vm.vcpus[0].describeName()]);
  assert(v.objects.addrspace?.startsWith("addrspace#"), JSON.stringify(v.objects));
  assert(v.devices.some((d) => d.name.includes("pl011")), v.devices.map((d) => d.name).join());

  assertEquals(s.vcpus.length, 1);
  const t = s.vcpus[0];
  assertEquals([t.vm, t.vmid, t.index, t.state, t.objectState], [
    "primary",
    3,
    0,
    "READY",
    "active",
  ]);
  assertEquals(t.blocked, ["vcpu_wfi"]); // parked in the WFI loop
  assertEquals(t.runnable, false);
  assertEquals(t.arch.el, 1);
  // 1 movz + 6 × (movz, strb) + wfi = 14 instructions; PC on the WFI's successor branch or the WFI.
  const pc = Number(t.arch.pc);
  const ramBase = system.physRamBase;
  assert(pc === ramBase + 13 * 4 || pc === ramBase + 14 * 4, `pc ${t.arch.pc}`);

  assertEquals(s.cpus.length, 2);
  assertEquals(s.cpus.reduce((n, c) => n + c.retired, 0), 14);

  const root = s.cspaces.find((c) => c.root)!;
  assertEquals(root.maxCaps, 2048);
  const rootMasters = root.caps.filter((c) => c.master).map((c) => c.type);
  for (const type of ["cspace", "partition"]) {
    assert(rootMasters.includes(type), `root cspace has a master ${type} cap: ${rootMasters}`);
  }
  // The RM has a cspace of its own: the VM's objects are there, not in the root cspace.
  const rm = s.cspaces.find((c) => c.object === system.rmCspace.describeName())!;
  const masters = rm.caps.filter((c) => c.master).map((c) => c.type);
  for (const type of ["cspace", "memextent", "addrspace", "vic", "thread"]) {
    assert(masters.includes(type), `the RM's cspace has a master ${type} cap: ${masters.join()}`);
  }
  assert(!root.caps.some((c) => c.object === t.object), "the root cspace holds no vCPU cap");
  const vcpuCap = rm.caps.find((c) => c.object === t.object)!;
  assertEquals(vcpuCap.state, "valid");
  assert(/^0x[0-9a-f]+$/.test(vcpuCap.capId) && vcpuCap.rights !== "0x0");
  assert(s.cspaces.some((c) => c.object === v.objects.cspace), "the VM's cspace is listed");

  const ext = s.memory.extents.find((e) => e.object === v.objects.memextent)!;
  assertEquals([ext.physBase, ext.size, ext.access], ["0x40000000", 16 << 20, "rwx"]);
  assertEquals(ext.mappings, [{
    addrspace: v.objects.addrspace!,
    vbase: "0x40000000",
    offset: 0,
    size: 16 << 20,
  }]);
  assertEquals(s.memory.ranges.find((r) => r.owner === ext.object), {
    base: "0x40000000",
    end: "0x41000000",
    size: 16 << 20,
    owner: ext.object,
    ownerType: "extent",
  });
  const rootPart = s.partitions.find((p) => p.root)!;
  // VM RAM is a region per VM (tools/system/vm_ram.ts): of the 64 MiB budget only the
  // primary's 16 MiB is physical RAM now, and all of it is its extent's.
  assertEquals(rootPart.ownedBytes, 0);
  assert(s.memory.ram.some((r) => r.base === "0x40000000" && r.size === 16 << 20));

  assertEquals(s.consoles, [{
    vmid: 3,
    name: "primary",
    text: "hello\n",
    totalBytes: 6,
    stream: consoleTap(vm).id,
    recording: true,
  }]);
  assertEquals(s.events.counts["thread.blocked:vcpu_wfi"], 1); // counted, not logged
  assert(!s.events.recent.some((e) => e.text.includes("blocked: vcpu_wfi")));
  assert((s.events.exits.wfi ?? 0) >= 1, JSON.stringify(s.events.exits));
  events.close();
});

Deno.test("snapshot lists message queues and doorbells created through hypercalls", async () => {
  const { system } = await systemWithGuest(printThenWaitGuest(""));
  const hv = system.hv;
  const ctx = hv.nativeContext(hv.rootCspace, hv.rootPartition);
  const call = (n: number, ...a: bigint[]) => {
    const r = hv.dispatcher.table.call(ctx, n, ...a);
    assertEquals(errorFromRegister(r[0]), HypError.OK, `hypercall 0x${n.toString(16)}`);
    return r;
  };
  const mq = call(Hypercall.PARTITION_CREATE_MSGQUEUE, hv.rootPartitionCap, hv.rootCspaceCap)[1];
  call(Hypercall.MSGQUEUE_CONFIGURE, mq, encodeMsgqueueCreateInfo(8, 64));
  call(Hypercall.OBJECT_ACTIVATE, mq);
  call(Hypercall.MSGQUEUE_SEND, mq, 16n, BigInt(system.physRamBase), 0n);
  call(Hypercall.MSGQUEUE_SEND, mq, 4n, BigInt(system.physRamBase), 0n);
  const db = call(Hypercall.PARTITION_CREATE_DOORBELL, hv.rootPartitionCap, hv.rootCspaceCap)[1];
  call(Hypercall.OBJECT_ACTIVATE, db);
  call(Hypercall.DOORBELL_MASK, db, 0x0fn, 0x01n);
  call(Hypercall.DOORBELL_SEND, db, 0x30n);

  const s = snapshot(system);
  // Besides the resource manager's RPC queues (two per VM), the one made here.
  const q = s.msgqueues.find((m) => m.maxMsgSize === 64)!;
  assertEquals([q.state, q.depth, q.count, q.maxMsgSize], ["active", 8, 2, 64]);
  assertEquals(s.doorbells.length, 1);
  const d = s.doorbells[0];
  assertEquals([d.flags, d.enableMask, d.ackMask], ["0x30", "0xf", "0x1"]);
  const root = s.cspaces.find((c) => c.root)!;
  assert(root.caps.some((c) => c.object === q.object && c.type === "msgqueue"));
  assertEquals(s.events, { total: 0, recent: [], counts: {}, exits: {} });
});
