import { assert, assertEquals, assertNotEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { HypError, HypErrorException } from "../abi/error.ts";
import {
  CAP_RIGHTS_CSPACE_CAP_CREATE,
  CAP_RIGHTS_CSPACE_CAP_DELETE,
  CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE,
  CAP_RIGHTS_PARTITION_OBJECT_CREATE,
} from "../abi/rights.ts";
import { createTestCore } from "../hypercall/test_fixture.ts";
import { ObjectState, ObjectType } from "../object/object_type.ts";
import { CapState } from "./cap.ts";
import { CapIdEncoder, CSPACE_MAX_CAP_COUNT_SUPPORTED } from "./cap_id.ts";
import { Cspace } from "./cspace.ts";
import { DeterministicRandom } from "./prng.ts";

function code(fn: () => unknown): HypError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HypErrorException) return e.code;
    throw e;
  }
  return HypError.OK;
}

function newCspace(max: number, seed = 1n): Cspace {
  const core = createTestCore();
  const c = new Cspace(core.root, new DeterministicRandom(seed));
  c.configure(max);
  assertEquals(c.activate(), HypError.OK);
  return c;
}

Deno.test("CapIdEncoder: round trip, never 0xffffffff_xxxxxxxx, deterministic per seed", () => {
  for (let seed = 0n; seed < 50n; seed++) {
    const enc = new CapIdEncoder(new DeterministicRandom(seed));
    assert(enc.mult >= 1n && enc.mult <= 0xffffn);
    for (const i of [0, 1, 61, 62, 63, 500, CSPACE_MAX_CAP_COUNT_SUPPORTED - 1]) {
      const id = enc.encode(i);
      assert(id >> 32n < 0xffffffffn, `id ${id.toString(16)} in the reserved range`);
      assertEquals(enc.decode(id), i);
    }
    assertEquals(enc.decode(0xffffffffffffffffn), -1);
  }
  const a = new CapIdEncoder(new DeterministicRandom(7n));
  const b = new CapIdEncoder(new DeterministicRandom(7n));
  assertEquals(a.encode(5), b.encode(5));
});

Deno.test("cspace: configure rules and activation", () => {
  const core = createTestCore();
  const unconfigured = new Cspace(core.root, new DeterministicRandom(4n));
  assertEquals(unconfigured.activate(), HypError.ERROR_OBJECT_CONFIG);
  assertEquals(unconfigured.state, ObjectState.FAILED);
  const c = new Cspace(core.root, new DeterministicRandom(3n));
  assertEquals(
    code(() => c.configure(CSPACE_MAX_CAP_COUNT_SUPPORTED + 1)),
    HypError.ERROR_ARGUMENT_INVALID,
  );
  c.configure(4);
  assertEquals(c.activate(), HypError.OK);
  assertEquals(c.state, ObjectState.ACTIVE);
  assertEquals(code(() => c.configure(8)), HypError.ERROR_OBJECT_STATE);
  assertEquals(c.activate(), HypError.ERROR_OBJECT_STATE);
});

Deno.test("cspace: lookup returns the exact error for each failure", () => {
  const core = createTestCore();
  const c = newCspace(8);
  const part = c.createMasterCap(core.root);
  // Right type, right rights.
  assertEquals(c.lookup(part, ObjectType.PARTITION, CAP_RIGHTS_PARTITION_OBJECT_CREATE), core.root);
  // Wrong type.
  assertEquals(
    code(() => c.lookup(part, ObjectType.CSPACE, 0)),
    HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
  );
  // An ID that does not decode.
  assertEquals(
    code(() => c.lookup(part ^ 0x1234567n, ObjectType.PARTITION, 0)),
    HypError.ERROR_ARGUMENT_INVALID,
  );
  // A valid ID naming an empty slot.
  const empty = c.ids.encode(5);
  assertEquals(
    code(() => c.lookup(empty, ObjectType.PARTITION, 0)),
    HypError.ERROR_CSPACE_CAP_NULL,
  );
  // Missing right on a reduced copy.
  const copy = c.copyCapFrom(c, part, CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE);
  assertEquals(
    code(() => c.lookup(copy, ObjectType.PARTITION, CAP_RIGHTS_PARTITION_OBJECT_CREATE)),
    HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
  );
  // Revoked.
  c.revokeCapsFrom(part);
  assertEquals(
    code(() => c.lookup(copy, ObjectType.PARTITION, 0)),
    HypError.ERROR_CSPACE_CAP_REVOKED,
  );
  assertEquals(c.capOf(copy).state, CapState.REVOKED);
  // Inactive object with activeOnly.
  const inner = new Cspace(core.root, new DeterministicRandom(9n));
  const innerCap = c.createMasterCap(inner);
  assertEquals(code(() => c.lookup(innerCap, ObjectType.CSPACE, 0)), HypError.ERROR_OBJECT_STATE);
  assertEquals(c.lookup(innerCap, ObjectType.CSPACE, 0, false), inner);
});

Deno.test("cspace: full, copy masks rights, delete frees slots, last cap destroys the object", () => {
  const core = createTestCore();
  const c = newCspace(3);
  const obj = new Cspace(core.root, new DeterministicRandom(11n));
  const m = c.createMasterCap(obj);
  assertEquals(c.capOf(m).rights, 0x8000001f);
  const cp = c.copyCapFrom(c, m, CAP_RIGHTS_CSPACE_CAP_CREATE | 0x100);
  assertEquals(c.capOf(cp).rights, CAP_RIGHTS_CSPACE_CAP_CREATE);
  assertEquals(c.capOf(cp).master, false);
  assertEquals(code(() => c.copyCapFrom(c, m, 0x100)), HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS);
  assertEquals(c.capCount, 2);
  c.copyCapFrom(c, cp, CAP_RIGHTS_CSPACE_CAP_CREATE);
  assertEquals(
    code(() => c.copyCapFrom(c, m, CAP_RIGHTS_CSPACE_CAP_DELETE)),
    HypError.ERROR_CSPACE_FULL,
  );
  assertEquals(code(() => c.createMasterCap(core.root)), HypError.ERROR_CSPACE_FULL);
  // Cap list order: master, then copies after their parent.
  assertEquals(obj.capList.map((x) => x.master), [true, false, false]);
  c.deleteCap(m);
  assertEquals(obj.state, ObjectState.INIT);
  c.deleteCap(cp);
  const last = obj.capList[0].id;
  c.deleteCap(last);
  assertEquals(obj.state, ObjectState.DESTROYING);
  assertEquals(c.capCount, 0);
  assertEquals(code(() => c.deleteCap(last)), HypError.ERROR_CSPACE_CAP_NULL);
});

Deno.test("cspace: revoke needs the master cap; revoked caps can be deleted", () => {
  const core = createTestCore();
  const a = newCspace(8, 21n);
  const b = newCspace(8, 22n);
  const obj = new Cspace(core.root, new DeterministicRandom(23n));
  const m = a.createMasterCap(obj);
  const inB = b.copyCapFrom(a, m, 0xffffffff);
  const inB2 = b.copyCapFrom(b, inB, 0x1);
  assertEquals(code(() => b.revokeCapsFrom(inB)), HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS);
  a.revokeCapsFrom(m);
  assertEquals(code(() => b.lookupAny(inB, 0)), HypError.ERROR_CSPACE_CAP_REVOKED);
  assertEquals(code(() => b.lookupAny(inB2, 0)), HypError.ERROR_CSPACE_CAP_REVOKED);
  assertEquals(a.lookupAny(m, 0), obj);
  b.deleteCap(inB);
  assertEquals(b.capCount, 1);
  assertEquals(obj.refcount, 1);
});

Deno.test("cspace: two cspaces cannot name each other's objects", () => {
  const core = createTestCore();
  const a = newCspace(8, 31n);
  const b = newCspace(8, 32n);
  const inA = a.createMasterCap(core.root);
  b.createMasterCap(new Cspace(core.root, new DeterministicRandom(1n)));
  assertNotEquals(a.ids.base, b.ids.base);
  const err = code(() => b.lookup(inA, ObjectType.PARTITION, 0));
  assert(
    err === HypError.ERROR_ARGUMENT_INVALID || err === HypError.ERROR_CSPACE_CAP_NULL ||
      err === HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
    `got ${err}`,
  );
  assertThrows(() => b.lookup(inA, ObjectType.PARTITION, 0), HypErrorException);
});
