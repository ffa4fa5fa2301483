import { assertEquals } from "@gunyah-ts/tests/assert";
import { HypError } from "../abi/error.ts";
import { Memdb, type MemdbOwner, MemdbOwnerType } from "./memdb.ts";

const P: MemdbOwner = { memdbType: MemdbOwnerType.PARTITION };
const E1: MemdbOwner = { memdbType: MemdbOwnerType.EXTENT };
const E2: MemdbOwner = { memdbType: MemdbOwnerType.EXTENT };

Deno.test("memdb: insert, update with ownership checks, split and merge", () => {
  const db = new Memdb();
  assertEquals(db.insert(0x1000, 0x4000, P), HypError.OK);
  assertEquals(db.insert(0x4000, 0x2000, P), HypError.ERROR_MEMDB_NOT_OWNER); // overlaps
  assertEquals(db.update(0x2000, 0x1000, P, E1), HypError.OK);
  assertEquals(db.lookup(0x1fff), P);
  assertEquals(db.lookup(0x2000), E1);
  assertEquals(db.lookup(0x3000), P);
  assertEquals(db.ranges.length, 3);
  // E2 cannot take what P no longer owns entirely.
  assertEquals(db.update(0x1000, 0x2000, P, E2), HypError.ERROR_MEMDB_NOT_OWNER);
  assertEquals(db.update(0x2000, 0x1000, E1, P), HypError.OK);
  assertEquals(db.ranges.length, 1); // merged back
  assertEquals(db.isOwner(0x1000, 0x4000, P), true);
  assertEquals(db.isOwner(0x1000, 0x5000, P), false);
  assertEquals(db.remove(0x1000, 0x1000, E1), HypError.ERROR_MEMDB_NOT_OWNER);
  assertEquals(db.remove(0x1000, 0x1000, P), HypError.OK);
  assertEquals(db.lookup(0x1000), null);
  assertEquals(db.update(0x2000, 0, P, E1), HypError.ERROR_ARGUMENT_SIZE);
});
