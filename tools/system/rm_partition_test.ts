/**
 * The resource manager in its own partition: a child of the root partition
 * made at boot; the RM's cspace holds no cap to the root partition, and what
 * the RM creates (VMs' objects, memextents, queues) is accounted to its
 * partition, as is the memory it and the VMs use.
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { GunyahObject, Memextent, ObjectType, type Partition } from "@gunyah-ts/core";
import { HOST_VMM_VMID } from "./host_vmm.ts";
import { capsOf } from "./status.ts";
import { GunyahSystem } from "./system.ts";

const MiB = 1 << 20;
/** A flat guest parked in a WFI loop. */
const WFI_LOOP = new Uint8Array(Uint32Array.of(0xd503207f, 0x17ffffff).buffer);

Deno.test("RM partition: the RM holds no cap to the root partition; its objects and memory are its partition's", async () => {
  const sys = await GunyahSystem.create({ ramBytes: 48 * MiB });
  const rmPartition: Partition = sys.rmPartition.partition;
  const hv = sys.hv;
  assert(rmPartition !== hv.rootPartition);
  assertEquals(rmPartition.partition, hv.rootPartition); // a child of the root partition
  sys.launch({ name: "primary", memory: 16 * MiB, vcpus: 2, kernel: WFI_LOOP, bootargs: "" });
  const second = sys.launch({
    name: "second",
    memory: 16 * MiB,
    vcpus: 1,
    kernel: WFI_LOOP,
    bootargs: "",
  });

  const caps = capsOf(sys.rmCspace);
  const objects = caps.map((c) => c.object).filter((o): o is GunyahObject => o !== null);
  assert(!objects.includes(hv.rootPartition), "the RM's cspace holds a root partition cap");
  assertEquals(caps.filter((c) => c.type === ObjectType.PARTITION).map((c) => c.object), [
    rmPartition,
  ]);
  // Everything else in it is the RM partition's, but the two caps of the host VMM's
  // own objects its channel was made with (its cspace and vic).
  const client = sys.rm.find(HOST_VMM_VMID)!.client!;
  const foreign = [client.cspace, client.vic].map((c) => sys.rmCspace.capOf(c).object);
  const strays = objects.filter((o) =>
    o !== rmPartition && !foreign.includes(o) && o.partition !== rmPartition
  );
  assertEquals(strays.map((o) => o.describeName()), []);
  // Both VMs' vCPUs, the RM's own cspace and its vic are accounted to it.
  for (const t of sys.vms.flatMap((v) => v.vcpus)) assertEquals(t.partition, rmPartition);
  assertEquals(sys.rmCspace.partition, rmPartition);
  assert(second.vcpus.length === 1);

  // Memory: the RM's page and both VMs' regions are held by extents of its partition.
  for (const at of [sys.rmPrivateMemoryBase, ...sys.vmRam.regions.map((r) => r.base)]) {
    const owner = hv.memdb.lookup(at);
    assert(owner instanceof Memextent, `0x${at.toString(16)} is not held by an extent`);
    assertEquals(owner.partition, rmPartition);
  }
  // The read model lists the partition as the root's child.
  const snap = sys.status().partitions.find((p) => p.object === rmPartition.describeName())!;
  assertEquals([snap.root, snap.parent], [false, hv.rootPartition.describeName()]);
  await sys.close();
});
