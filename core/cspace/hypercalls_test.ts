import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { errorFromRegister, HypError } from "../abi/error.ts";
import { Hypercall } from "../abi/hypercall_numbers.ts";
import {
  CAP_RIGHTS_CSPACE_ALL,
  CAP_RIGHTS_CSPACE_CAP_COPY,
  CAP_RIGHTS_CSPACE_CAP_DELETE,
  CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE,
  CAP_RIGHTS_PARTITION_OBJECT_CREATE,
} from "../abi/rights.ts";
import {
  contextFor,
  createTestCore,
  HYPERCALL_FORMS,
  type TestCore,
} from "../hypercall/test_fixture.ts";
import { PhysicalUserMemory } from "../memory/physical_user_memory.ts";
import { Partition } from "../object/partition/partition.ts";
import { Cspace } from "./cspace.ts";
import { TestThread } from "../hypercall/test_doubles.ts";
import { ObjectState, ObjectType } from "../object/object_type.ts";

function invoker(core: TestCore, form: typeof HYPERCALL_FORMS[number]) {
  return (n: number, ...args: bigint[]) =>
    form === "native" ? core.hvcNative(n, ...args) : core.hvcSmccc(n, ...args);
}

for (const form of HYPERCALL_FORMS) {
  Deno.test(`[${form}] partition_create_cspace, configure, activate, copy, delete`, () => {
    const core = createTestCore();
    const hv = invoker(core, form);
    const created = hv(Hypercall.PARTITION_CREATE_CSPACE, core.partitionCap, core.cspaceCap, 0n);
    assertEquals(created.err, HypError.OK);
    const cs = created.r[1];
    const obj = core.rootCspace.lookup<Cspace>(cs, ObjectType.CSPACE, 0, false);
    assertEquals(obj.state, ObjectState.INIT);
    assertEquals(core.rootCspace.capOf(cs).rights, (CAP_RIGHTS_CSPACE_ALL | 0x80000000) >>> 0);
    // Using it before activation: OBJECT_STATE.
    assertEquals(
      hv(Hypercall.CSPACE_COPY_CAP_FROM, core.cspaceCap, core.partitionCap, cs, 1n).err,
      HypError.ERROR_OBJECT_STATE,
    );
    // Activate without configuring: OBJECT_CONFIG, and the object is FAILED.
    const cs2 = hv(Hypercall.PARTITION_CREATE_CSPACE, core.partitionCap, core.cspaceCap).r[1];
    assertEquals(hv(Hypercall.OBJECT_ACTIVATE, cs2).err, HypError.ERROR_OBJECT_CONFIG);
    assertEquals(hv(Hypercall.OBJECT_ACTIVATE, cs2).err, HypError.ERROR_OBJECT_STATE);
    // Configure: too big → ARGUMENT_INVALID; wrong type → WRONG_OBJECT_TYPE.
    assertEquals(
      hv(Hypercall.CSPACE_CONFIGURE, cs, 1n << 20n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      hv(Hypercall.CSPACE_CONFIGURE, core.partitionCap, 4n).err,
      HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
    );
    assertEquals(hv(Hypercall.CSPACE_CONFIGURE, cs, 2n).err, HypError.OK);
    assertEquals(hv(Hypercall.OBJECT_ACTIVATE, cs).err, HypError.OK);
    assertEquals(hv(Hypercall.CSPACE_CONFIGURE, cs, 2n).err, HypError.ERROR_OBJECT_STATE);
    // Copy the partition cap into it with reduced rights.
    const cp = hv(Hypercall.CSPACE_COPY_CAP_FROM, core.cspaceCap, core.partitionCap, cs, 1n);
    assertEquals(cp.err, HypError.OK);
    assertEquals(obj.capOf(cp.r[1]).rights, CAP_RIGHTS_PARTITION_OBJECT_CREATE);
    // Zero resulting rights.
    assertEquals(
      hv(Hypercall.CSPACE_COPY_CAP_FROM, core.cspaceCap, core.partitionCap, cs, 0x100n).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    // Fill it: CSPACE_FULL.
    assertEquals(hv(Hypercall.CSPACE_COPY_CAP_FROM, core.cspaceCap, core.cspaceCap, cs, 1n).err, 0);
    assertEquals(
      hv(Hypercall.CSPACE_COPY_CAP_FROM, core.cspaceCap, core.cspaceCap, cs, 1n).err,
      HypError.ERROR_CSPACE_FULL,
    );
    // Creating into a full cspace: CSPACE_FULL, and the new object is released.
    const before = core.root.allocateSerial();
    assertEquals(
      hv(Hypercall.PARTITION_CREATE_CSPACE, core.partitionCap, cs).err,
      HypError.ERROR_CSPACE_FULL,
    );
    assertEquals(core.root.allocateSerial(), before + 2); // exactly one object was made in between
    // Delete from it.
    assertEquals(hv(Hypercall.CSPACE_DELETE_CAP_FROM, cs, cp.r[1]).err, HypError.OK);
    assertEquals(
      hv(Hypercall.CSPACE_DELETE_CAP_FROM, cs, cp.r[1]).err,
      HypError.ERROR_CSPACE_CAP_NULL,
    );
  });

  Deno.test(`[${form}] cspace calls check every right and cap`, () => {
    const core = createTestCore();
    const hv = invoker(core, form);
    // A copy of the root cspace cap with only CAP_COPY.
    const weak = core.rootCspace.copyCapFrom(
      core.rootCspace,
      core.cspaceCap,
      CAP_RIGHTS_CSPACE_CAP_COPY,
    );
    assertEquals(
      hv(Hypercall.CSPACE_DELETE_CAP_FROM, weak, core.partitionCap).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    assertEquals(
      hv(Hypercall.CSPACE_COPY_CAP_FROM, weak, core.partitionCap, weak, 1n).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS, // destination needs CAP_CREATE
    );
    assertEquals(
      hv(Hypercall.PARTITION_CREATE_CSPACE, core.partitionCap, weak).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    const noCreate = core.rootCspace.copyCapFrom(
      core.rootCspace,
      core.partitionCap,
      CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE,
    );
    assertEquals(
      hv(Hypercall.PARTITION_CREATE_CSPACE, noCreate, core.cspaceCap).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    assertEquals(
      hv(Hypercall.PARTITION_CREATE_CSPACE, core.cspaceCap, core.cspaceCap).err,
      HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
    );
    assertEquals(
      hv(Hypercall.OBJECT_ACTIVATE, 0xffffffffffffffffn).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(hv(Hypercall.OBJECT_ACTIVATE, core.partitionCap).err, HypError.ERROR_OBJECT_STATE);
    assertEquals(
      hv(Hypercall.OBJECT_ACTIVATE, noCreate).err,
      HypError.ERROR_OBJECT_STATE, // has OBJECT_ACTIVATE; the root partition is already active
    );
    const onlyDelete = core.rootCspace.copyCapFrom(
      core.rootCspace,
      core.cspaceCap,
      CAP_RIGHTS_CSPACE_CAP_DELETE,
    );
    assertEquals(
      hv(Hypercall.OBJECT_ACTIVATE, onlyDelete).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    // Revoke: needs CAP_REVOKE on the cspace cap and a master cap.
    assertEquals(
      hv(Hypercall.CSPACE_REVOKE_CAPS_FROM, onlyDelete, core.cspaceCap).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    assertEquals(
      hv(Hypercall.CSPACE_REVOKE_CAPS_FROM, core.cspaceCap, weak).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    assertEquals(hv(Hypercall.CSPACE_REVOKE_CAPS_FROM, core.cspaceCap, core.cspaceCap).err, 0);
    assertEquals(
      hv(Hypercall.CSPACE_DELETE_CAP_FROM, weak, weak).err,
      HypError.ERROR_CSPACE_CAP_REVOKED,
    );
    assertEquals(hv(Hypercall.CSPACE_DELETE_CAP_FROM, core.cspaceCap, weak).err, HypError.OK);
  });

  Deno.test(`[${form}] object_activate_from and cspace_attach_thread (thread INIT, cspace ACTIVE)`, () => {
    const core = createTestCore();
    core.factories.register(ObjectType.THREAD, (p) => new TestThread(p));
    const hv = invoker(core, form);
    const th = hv(Hypercall.PARTITION_CREATE_THREAD, core.partitionCap, core.cspaceCap).r[1];
    const cs = hv(Hypercall.PARTITION_CREATE_CSPACE, core.partitionCap, core.cspaceCap).r[1];
    assertEquals(hv(Hypercall.CSPACE_ATTACH_THREAD, cs, th).err, HypError.ERROR_OBJECT_STATE);
    assertEquals(hv(Hypercall.CSPACE_CONFIGURE, cs, 16n).err, 0);
    assertEquals(hv(Hypercall.OBJECT_ACTIVATE_FROM, core.cspaceCap, cs).err, 0);
    assertEquals(
      hv(Hypercall.CSPACE_ATTACH_THREAD, cs, cs).err,
      HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
    );
    assertEquals(hv(Hypercall.CSPACE_ATTACH_THREAD, cs, th).err, 0);
    const thread = core.rootCspace.lookupAny(th, 0) as TestThread;
    assertEquals(thread.cspace, core.rootCspace.lookup(cs, ObjectType.CSPACE, 0));
    assertEquals(hv(Hypercall.OBJECT_ACTIVATE, th).err, 0);
    assertEquals(hv(Hypercall.CSPACE_ATTACH_THREAD, cs, th).err, HypError.ERROR_OBJECT_STATE);
    // Without a thread factory, partition_create_thread is unimplemented.
    const bare = createTestCore();
    assertEquals(
      bare.call(Hypercall.PARTITION_CREATE_THREAD, bare.partitionCap, bare.cspaceCap).err,
      HypError.ERROR_UNIMPLEMENTED,
    );
  });
}

Deno.test("two partitions' cspaces cannot name each other's objects", () => {
  const core = createTestCore();
  const other = new Partition(core.root);
  assertEquals(other.activate(), HypError.OK);
  const otherCspace = new Cspace(other, other.services.random.fork());
  otherCspace.configure(16);
  assertEquals(otherCspace.activate(), HypError.OK);
  const otherPartCap = otherCspace.createMasterCap(other);
  const otherCsCap = otherCspace.createMasterCap(otherCspace);
  const otherCtx = contextFor(
    otherCspace,
    other,
    null,
    new PhysicalUserMemory(core.physicalMemory),
  );
  const table = core.dispatcher.table;
  // An object created by the root's caller.
  const db = core.call(Hypercall.PARTITION_CREATE_DOORBELL, core.partitionCap, core.cspaceCap).r[1];
  assertEquals(core.call(Hypercall.OBJECT_ACTIVATE, db).err, 0);
  // The other partition's caller cannot use the root's CapIDs, and vice versa.
  for (const cap of [db, core.partitionCap, core.cspaceCap]) {
    const err = errorFromRegister(table.call(otherCtx, Hypercall.DOORBELL_SEND, cap, 1n)[0]);
    assert(
      err === HypError.ERROR_ARGUMENT_INVALID || err === HypError.ERROR_CSPACE_CAP_NULL,
      `root cap 0x${cap.toString(16)} gave ${err} in the other cspace`,
    );
  }
  for (const cap of [otherPartCap, otherCsCap]) {
    const err = core.call(Hypercall.PARTITION_CREATE_DOORBELL, cap, cap).err;
    assert(
      err === HypError.ERROR_ARGUMENT_INVALID || err === HypError.ERROR_CSPACE_CAP_NULL ||
        err === HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
      `other cap gave ${err} in the root cspace`,
    );
  }
  // Only an explicit copy makes an object nameable from the other cspace.
  const copied = core.rootCspace.copyCapFrom(core.rootCspace, db, 0x1);
  const moved = otherCspace.copyCapFrom(core.rootCspace, copied, 0x1);
  assertEquals(errorFromRegister(table.call(otherCtx, Hypercall.DOORBELL_SEND, moved, 1n)[0]), 0);
  // The other partition creates objects in its own partition.
  const own = table.call(otherCtx, Hypercall.PARTITION_CREATE_MSGQUEUE, otherPartCap, otherCsCap);
  assertEquals(errorFromRegister(own[0]), 0);
  assertEquals(otherCspace.lookupAny(own[1], 0).partition, other);
});
