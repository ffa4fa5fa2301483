import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { Hypercall } from "@gunyah-ts/core/abi";
import { capsOf } from "./status.ts";
import { GunyahSystem } from "./system.ts";
import { VmRequestError } from "./control.ts";

/** A flat guest parked in a WFI loop. */
const WFI_LOOP = new Uint8Array(Uint32Array.of(0xd503207f, 0x17ffffff).buffer);

async function parkedSystem(): Promise<GunyahSystem> {
  const system = await GunyahSystem.create({ ramBytes: 32 << 20 });
  system.launch({ name: "primary", memory: 16 << 20, vcpus: 2, kernel: WFI_LOOP, bootargs: "" });
  return system;
}

Deno.test("status: plain JSON naming the machine, the VM, its vCPUs, devices and memory", async () => {
  const system = await parkedSystem();
  system.hv.runUntil(() => false, 100_000);
  const s = system.status();
  assertEquals(JSON.parse(JSON.stringify(s)), s);
  assertEquals(s.machine, { arch: "aarch64", platform: "qemu-virt" });
  assertEquals(s.vms.map((v) => [v.vmid, v.name, v.status]), [[3, "primary", "running"]]);
  assertEquals(s.vms[0].vcpus.length, 2);
  assertEquals(s.vms[0].devices.map((d) => d.name), ["pl011", "pl031"]);
  assertEquals(s.vcpus.map((v) => [v.vm, v.index]), [["primary", 0], ["primary", 1]]);
  assert(s.memory.extents.some((e) => e.physBase === "0x40000000" && e.size === 16 << 20));
  assert(s.msgqueues.length >= 2, "the RM's RPC queues of the VM are listed");
  await system.hv.stopComponents();
});

Deno.test("control: VM records as plain data, forced stop through the RM, unknown VMIDs named", async () => {
  const system = await parkedSystem();
  assertEquals(system.vmRecords(), [{
    vmid: 3,
    name: "primary",
    status: "running",
    exitReason: null,
  }]);
  let end = "";
  system.vms[0].ended.then((e) => end = e.kind);
  await system.stopVm(3);
  system.hv.runUntil(() => end !== "", 1e6);
  await Promise.resolve();
  assertEquals(end, "stopped");
  assertEquals(system.vmRecord(3).status, "exited");
  assertEquals(system.vmRecord(3).exitReason, "stopped (VM_STOP_FORCED) by VM 0x3f");
  const e = assertThrows(() => system.vmRecord(0x99), VmRequestError, "VMs: 3 (primary)");
  assertEquals((e as VmRequestError).reason, "unknown-vm");
  await system.hv.stopComponents();
});

Deno.test("capsOf walks past the holes deleted caps leave", async () => {
  const system = await parkedSystem();
  const hv = system.hv;
  const ctx = hv.nativeContext(hv.rootCspace, hv.rootPartition);
  const dbs = [0, 1, 2].map((_) =>
    hv.dispatcher.table.call(
      ctx,
      Hypercall.PARTITION_CREATE_DOORBELL,
      hv.rootPartitionCap,
      hv.rootCspaceCap,
    )[1]
  );
  const before = capsOf(hv.rootCspace).length;
  assertEquals(before, hv.rootCspace.capCount);
  hv.rootCspace.deleteCap(dbs[1]);
  const after = capsOf(hv.rootCspace);
  assertEquals(after.length, before - 1);
  assert(after.some((c) => c.id === dbs[2]) && !after.some((c) => c.id === dbs[1]));
  await system.hv.stopComponents();
});

Deno.test("status: segments with their ports, and each VM's interfaces with MAC and counters", async () => {
  const system = await GunyahSystem.create({ ramBytes: 32 << 20, net: [{ name: "lan" }] });
  const prepared = await system.prepareDevices(
    [{
      plugin: "builtin:virtio-net",
      isolate: false,
      permissions: { read: [], write: [] },
      options: {},
      net: "lan",
    }],
    Deno.cwd(),
    () => {},
    "primary",
  );
  system.launch({
    name: "primary",
    memory: 16 << 20,
    vcpus: 1,
    kernel: WFI_LOOP,
    bootargs: "",
    devicePlugins: prepared,
  });
  const s = system.status();
  assertEquals(JSON.parse(JSON.stringify(s)), s);
  assertEquals(s.networks.map((n) => [n.name, n.ports.map((p) => p.name)]), [
    ["lan", ["primary.eth0"]],
  ]);
  const [iface] = s.vms[0].interfaces;
  assertEquals([iface.port, iface.segment, iface.mac], [
    "primary.eth0",
    "lan",
    "52:54:00:12:34:56",
  ]);
  assertEquals(iface.counters.rxFrames, 0);
  assertEquals(iface.counters.txDropsLink, 0);
  await system.hv.stopComponents();
  await prepared.close();
  assertEquals(system.status().networks[0].ports, []);
});
