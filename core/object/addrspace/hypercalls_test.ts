import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { HypError } from "../../abi/error.ts";
import {
  encodeMappingAttrs,
  encodeMemextentAttrs,
  MemextentMemtype,
  MemextentType,
  S2Memtype,
} from "../../abi/formats.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import {
  CAP_RIGHTS_ADDRSPACE_ATTACH,
  CAP_RIGHTS_ADDRSPACE_LOOKUP,
  CAP_RIGHTS_MEMEXTENT_DERIVE,
} from "../../abi/rights.ts";
import { TestThread } from "../../hypercall/test_doubles.ts";
import {
  createTestCore,
  HYPERCALL_FORMS,
  TEST_RAM_BASE,
  type TestCore,
} from "../../hypercall/test_fixture.ts";
import { S2_ACCESS_R, S2_ACCESS_W, S2_ACCESS_X } from "../../plugin/contracts.ts";
import { ObjectType } from "../object_type.ts";
import type { Memextent } from "../memextent/memextent.ts";
import type { Addrspace } from "./addrspace.ts";
import { AddrspaceUserMemory } from "./addrspace_user_memory.ts";

const RW = 6;
const RWX = 7;
const basicRwx = encodeMemextentAttrs({
  access: RWX,
  memtype: MemextentMemtype.ANY,
  type: MemextentType.BASIC,
  append: false,
});
const sparseRwx = encodeMemextentAttrs({
  access: RWX,
  memtype: MemextentMemtype.ANY,
  type: MemextentType.SPARSE,
  append: false,
});
const wbRw = encodeMappingAttrs({ userAccess: RW, kernelAccess: RW, memtype: S2Memtype.NORMAL_WB });

function hv(core: TestCore, form: typeof HYPERCALL_FORMS[number]) {
  return (n: number, ...args: bigint[]) =>
    form === "native" ? core.hvcNative(n, ...args) : core.hvcSmccc(n, ...args);
}

function create(core: TestCore, n: number): bigint {
  const r = core.call(n, core.partitionCap, core.cspaceCap);
  assertEquals(r.err, HypError.OK);
  return r.r[1];
}

function newAddrspace(core: TestCore, vmid: number): bigint {
  const as = create(core, Hypercall.PARTITION_CREATE_ADDRSPACE);
  assertEquals(core.call(Hypercall.ADDRSPACE_CONFIGURE, as, BigInt(vmid)).err, 0);
  assertEquals(core.call(Hypercall.OBJECT_ACTIVATE, as).err, 0);
  return as;
}

function newExtent(core: TestCore, phys: number, size: number, attrs = basicRwx): bigint {
  const me = create(core, Hypercall.PARTITION_CREATE_MEMEXTENT);
  assertEquals(
    core.call(Hypercall.MEMEXTENT_CONFIGURE, me, BigInt(phys), BigInt(size), attrs).err,
    0,
  );
  assertEquals(core.call(Hypercall.OBJECT_ACTIVATE, me).err, 0);
  return me;
}

for (const form of HYPERCALL_FORMS) {
  Deno.test(`[${form}] addrspace: configure VMID rules, BUSY on a duplicate VMID`, () => {
    const core = createTestCore();
    const call = hv(core, form);
    const as = create(core, Hypercall.PARTITION_CREATE_ADDRSPACE);
    assertEquals(call(Hypercall.ADDRSPACE_CONFIGURE, as, 0n).err, HypError.ERROR_ARGUMENT_INVALID);
    assertEquals(
      call(Hypercall.ADDRSPACE_CONFIGURE, as, 256n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.ADDRSPACE_CONFIGURE, as, 0x10001n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    // Unconfigured: VMID 0 is reserved → BUSY at activation.
    const as0 = create(core, Hypercall.PARTITION_CREATE_ADDRSPACE);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, as0).err, HypError.ERROR_BUSY);
    assertEquals(call(Hypercall.ADDRSPACE_CONFIGURE, as, 5n).err, 0);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, as).err, 0);
    assertEquals(call(Hypercall.ADDRSPACE_CONFIGURE, as, 6n).err, HypError.ERROR_OBJECT_STATE);
    const dup = create(core, Hypercall.PARTITION_CREATE_ADDRSPACE);
    assertEquals(call(Hypercall.ADDRSPACE_CONFIGURE, dup, 5n).err, 0);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, dup).err, HypError.ERROR_BUSY);
  });

  Deno.test(`[${form}] memextent configure checks and memdb ownership`, () => {
    const core = createTestCore();
    const call = hv(core, form);
    const me = create(core, Hypercall.PARTITION_CREATE_MEMEXTENT);
    const base = BigInt(TEST_RAM_BASE);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, me).err, HypError.ERROR_OBJECT_CONFIG);
    const me2 = create(core, Hypercall.PARTITION_CREATE_MEMEXTENT);
    const bad = (phys: bigint, size: bigint, attrs: bigint) =>
      call(Hypercall.MEMEXTENT_CONFIGURE, me2, phys, size, attrs).err;
    assertEquals(bad(base, 0n, basicRwx), HypError.ERROR_ARGUMENT_INVALID);
    assertEquals(bad(base + 1n, 0x1000n, basicRwx), HypError.ERROR_ARGUMENT_ALIGNMENT);
    assertEquals(bad(base, 0x1000n, basicRwx | 0x1000n), HypError.ERROR_ARGUMENT_INVALID);
    assertEquals(bad(base, 0x1000n, basicRwx & ~7n), HypError.ERROR_ARGUMENT_INVALID); // access NONE
    assertEquals(bad(base, 0x1000n, basicRwx | 0x300n), HypError.ERROR_ARGUMENT_INVALID); // CACHED
    assertEquals(bad(base, 0x1000n, basicRwx | 0x80000000n), HypError.ERROR_ARGUMENT_INVALID); // append
    assertEquals(bad(base - 0x1000n, 0x2000n, basicRwx), HypError.ERROR_ARGUMENT_INVALID); // straddles RAM
    // Two extents over the same memory: the second cannot take ownership.
    const a = newExtent(core, TEST_RAM_BASE, 0x10000);
    assert(a > 0n);
    assertEquals(bad(base + 0x8000n, 0x10000n, basicRwx), 0);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, me2).err, HypError.ERROR_MEMDB_NOT_OWNER);
    const ext = core.rootCspace.lookup<Memextent>(a, ObjectType.MEMEXTENT, 0);
    assertEquals(core.memdb.lookup(TEST_RAM_BASE), ext);
    assertEquals(core.memdb.lookup(TEST_RAM_BASE + 0x10000), core.root);
    // Deleting the last cap returns the memory to the partition.
    assertEquals(call(Hypercall.CSPACE_DELETE_CAP_FROM, core.cspaceCap, a).err, 0);
    assertEquals(core.memdb.lookup(TEST_RAM_BASE), core.root);
  });

  Deno.test(`[${form}] addrspace_map makes real bytes visible through Stage2View`, () => {
    const core = createTestCore();
    const call = hv(core, form);
    const as = newAddrspace(core, 3);
    const me = newExtent(core, TEST_RAM_BASE + 0x100000, 0x4000);
    const ipa = 0x8000_0000n;
    assertEquals(call(Hypercall.ADDRSPACE_MAP, as, me, ipa, wbRw, 0n, 0n, 0n).err, 0);
    const space = core.rootCspace.lookup<Addrspace>(as, ObjectType.ADDRSPACE, 0);
    const m = space.lookup(0x8000_0010);
    assert(m !== null);
    assertEquals(m.ipaBase, 0x8000_0000);
    assertEquals(m.size, 0x4000);
    assertEquals(m.access, S2_ACCESS_R | S2_ACCESS_W);
    assert(m.bytes.buffer instanceof SharedArrayBuffer);
    // The region's WebAssembly memory comes along; `offset` indexes it (the view is all of it).
    const region = core.physicalMemory.regionFor(TEST_RAM_BASE + 0x100000);
    assert(region !== null && m.memory !== undefined);
    assertEquals(m.memory, region.memory);
    assertEquals([m.view.buffer === m.memory.buffer, m.view.byteOffset], [true, 0]);
    assertEquals(m.offset, TEST_RAM_BASE + 0x100000 - region.base);
    m.view.setUint32(m.offset + 0x10, 0xdeadbeef, true);
    const phys = core.physicalMemory.read(TEST_RAM_BASE + 0x100010, 4);
    assertEquals(Array.from(phys), [0xef, 0xbe, 0xad, 0xde]);
    assertEquals(space.lookup(0x8000_4000), null);
    assertEquals(space.lookup(0x7fff_ffff), null);
    // User-memory access through the addrspace.
    const mem = new AddrspaceUserMemory(space);
    assertEquals(mem.writeUser(0x8000_3ffen, new Uint8Array([1, 2])), HypError.OK);
    assertEquals(
      mem.writeUser(0x8000_3ffen, new Uint8Array([1, 2, 3])),
      HypError.ERROR_ADDR_INVALID,
    );
    assertEquals(mem.readUser(0x8000_0010n, 4), new Uint8Array([0xef, 0xbe, 0xad, 0xde]));
    // addrspace_lookup.
    const lk = call(Hypercall.ADDRSPACE_LOOKUP, as, me, ipa + 0x1000n, 0x8000n);
    assertEquals(lk.err, 0);
    assertEquals([lk.r[1], lk.r[2], lk.r[3]], [0x1000n, 0x3000n, wbRw]);
    assertEquals(
      call(Hypercall.ADDRSPACE_LOOKUP, as, me, 0x1000n, 0x1000n).err,
      HypError.ERROR_ADDR_INVALID,
    );
    assertEquals(
      call(Hypercall.ADDRSPACE_LOOKUP, as, me, ipa, 0n).err,
      HypError.ERROR_ARGUMENT_SIZE,
    );
    const other = newExtent(core, TEST_RAM_BASE + 0x300000, 0x1000);
    assertEquals(
      call(Hypercall.ADDRSPACE_LOOKUP, as, other, ipa, 0x1000n).err,
      HypError.ERROR_MEMDB_NOT_OWNER,
    );
    // Rights reduction bumps the generation and replaces the entry.
    const g = space.generation;
    const rOnly = BigInt(4 | (4 << 4));
    assertEquals(call(Hypercall.ADDRSPACE_UPDATE_ACCESS, as, me, ipa, rOnly, 0n, 0n, 0n).err, 0);
    assert(space.generation > g);
    assertEquals(space.lookup(0x8000_0000)!.access, S2_ACCESS_R);
    assertEquals(mem.writeUser(ipa, new Uint8Array([1])), HypError.ERROR_ADDR_INVALID);
    // Access beyond the extent's → ARGUMENT_INVALID; res0 bits → ARGUMENT_INVALID.
    const roMe = newExtent(
      core,
      TEST_RAM_BASE + 0x200000,
      0x1000,
      encodeMemextentAttrs({ access: 4, memtype: 0, type: 0, append: false }),
    );
    assertEquals(
      call(Hypercall.ADDRSPACE_MAP, as, roMe, 0n, wbRw, 0n, 0n, 0n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.ADDRSPACE_MAP, as, me, ipa, wbRw | 8n, 0n, 0n, 0n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.ADDRSPACE_MAP, as, me, ipa, wbRw, 4n, 0n, 0n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.ADDRSPACE_MAP, as, me, ipa + 1n, wbRw, 0n, 0n, 0n).err,
      HypError.ERROR_ARGUMENT_ALIGNMENT,
    );
    // Unmap: generation bump, lookup null.
    const g2 = space.generation;
    assertEquals(call(Hypercall.ADDRSPACE_UNMAP, as, me, ipa, 0n, 0n, 0n).err, 0);
    assert(space.generation > g2);
    assertEquals(space.lookup(0x8000_0010), null);
    assertEquals(
      call(Hypercall.ADDRSPACE_UNMAP, as, me, ipa, 0n, 0n, 0n).err,
      HypError.ERROR_ADDR_INVALID,
    );
  });

  Deno.test(`[${form}] basic extents: at most 4 mappings; memtype restrictions; rights`, () => {
    const core = createTestCore();
    const call = hv(core, form);
    const as = newAddrspace(core, 4);
    const me = newExtent(core, TEST_RAM_BASE, 0x1000);
    for (let i = 0n; i < 4n; i++) {
      assertEquals(
        call(Hypercall.ADDRSPACE_MAP, as, me, 0x1000_0000n + i * 0x1000n, wbRw, 0n, 0n, 0n).err,
        0,
      );
    }
    assertEquals(
      call(Hypercall.ADDRSPACE_MAP, as, me, 0x2000_0000n, wbRw, 0n, 0n, 0n).err,
      HypError.ERROR_MEMEXTENT_MAPPINGS_FULL,
    );
    // PARTIAL on a basic extent is refused.
    const me2 = newExtent(core, TEST_RAM_BASE + 0x1000, 0x2000);
    assertEquals(
      call(Hypercall.ADDRSPACE_MAP, as, me2, 0n, wbRw, 1n, 0n, 0x1000n).err,
      HypError.ERROR_MEMEXTENT_TYPE,
    );
    // A DEVICE extent only takes device memory types; device memory is not RAM,
    // so the translation exists but Stage2View.lookup leaves it to the MMIO bus.
    core.memdb.insert(0x0900_0000, 0x1000, core.root);
    const dev = newExtent(
      core,
      0x0900_0000,
      0x1000,
      encodeMemextentAttrs({
        access: RW,
        memtype: MemextentMemtype.DEVICE,
        type: 0,
        append: false,
      }),
    );
    assertEquals(
      call(Hypercall.ADDRSPACE_MAP, as, dev, 0x900_0000n, wbRw, 0n, 0n, 0n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    const devAttrs = encodeMappingAttrs({
      userAccess: RW,
      kernelAccess: RW,
      memtype: S2Memtype.DEVICE_nGnRE,
    });
    assertEquals(call(Hypercall.ADDRSPACE_MAP, as, dev, 0x900_0000n, devAttrs, 0n, 0n, 0n).err, 0);
    const space = core.rootCspace.lookup<Addrspace>(as, ObjectType.ADDRSPACE, 0);
    assertEquals(space.lookup(0x900_0000), null);
    assertEquals(space.lookupEntry(0x900_0000)?.phys, 0x0900_0000);
    const uncached = newExtent(
      core,
      TEST_RAM_BASE + 0x8000,
      0x1000,
      encodeMemextentAttrs({
        access: RW,
        memtype: MemextentMemtype.UNCACHED,
        type: 0,
        append: false,
      }),
    );
    assertEquals(
      call(Hypercall.ADDRSPACE_MAP, as, uncached, 0x3000_0000n, wbRw, 0n, 0n, 0n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    const nc = encodeMappingAttrs({
      userAccess: RW,
      kernelAccess: RW,
      memtype: S2Memtype.NORMAL_NC,
    });
    assertEquals(call(Hypercall.ADDRSPACE_MAP, as, uncached, 0x3000_0000n, nc, 0n, 0n, 0n).err, 0);
    // Rights: a copy without MAP cannot map; LOOKUP-only addrspace cap cannot map.
    const asLookup = core.rootCspace.copyCapFrom(core.rootCspace, as, CAP_RIGHTS_ADDRSPACE_LOOKUP);
    assertEquals(
      call(Hypercall.ADDRSPACE_MAP, asLookup, me2, 0n, wbRw, 0n, 0n, 0n).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    const meDerive = core.rootCspace.copyCapFrom(core.rootCspace, me2, CAP_RIGHTS_MEMEXTENT_DERIVE);
    assertEquals(
      call(Hypercall.ADDRSPACE_MAP, as, meDerive, 0n, wbRw, 0n, 0n, 0n).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    assertEquals(
      call(Hypercall.ADDRSPACE_MAP, me2, as, 0n, wbRw, 0n, 0n, 0n).err,
      HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
    );
  });

  Deno.test(`[${form}] derive, sparse donation and partial mappings`, () => {
    const core = createTestCore();
    const call = hv(core, form);
    const as = newAddrspace(core, 9);
    const parent = newExtent(core, TEST_RAM_BASE, 0x10000);
    // Derive a BASIC child over the second half.
    const child = create(core, Hypercall.PARTITION_CREATE_MEMEXTENT);
    assertEquals(
      call(Hypercall.MEMEXTENT_CONFIGURE_DERIVE, child, parent, 0x10000n, 0x1000n, basicRwx).err,
      HypError.ERROR_ADDR_INVALID,
    );
    assertEquals(
      call(Hypercall.MEMEXTENT_CONFIGURE_DERIVE, child, parent, 0x8000n, 0x8000n, basicRwx).err,
      0,
    );
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, child).err, 0);
    const childObj = core.rootCspace.lookup<Memextent>(child, ObjectType.MEMEXTENT, 0);
    assertEquals(core.memdb.lookup(TEST_RAM_BASE + 0x8000), childObj);
    // Sparse extent without parent over other RAM: starts empty.
    const sp = newExtent(core, TEST_RAM_BASE + 0x20000, 0x4000, sparseRwx);
    const spObj = core.rootCspace.lookup<Memextent>(sp, ObjectType.MEMEXTENT, 0);
    assertEquals(core.memdb.lookup(TEST_RAM_BASE + 0x20000), core.root);
    // Partial map before any memory arrives: nothing is translated yet.
    assertEquals(call(Hypercall.ADDRSPACE_MAP, as, sp, 0x4000_0000n, wbRw, 1n, 0n, 0x4000n).err, 0);
    const space = core.rootCspace.lookup<Addrspace>(as, ObjectType.ADDRSPACE, 0);
    assertEquals(space.lookup(0x4000_0000), null);
    // Donate one page from the partition (TO_CHILD): it appears in the mapping.
    assertEquals(
      call(Hypercall.MEMEXTENT_DONATE, 0n, core.partitionCap, sp, 0x1000n, 0x1000n).err,
      0,
    );
    assertEquals(core.memdb.lookup(TEST_RAM_BASE + 0x21000), spObj);
    assertEquals(space.lookup(0x4000_1000)?.size, 0x1000);
    assertEquals(space.lookup(0x4000_0000), null);
    // Donating memory the donor does not own: MEMDB_NOT_OWNER.
    assertEquals(
      call(Hypercall.MEMEXTENT_DONATE, 0n, core.partitionCap, sp, 0x1000n, 0x1000n).err,
      HypError.ERROR_MEMDB_NOT_OWNER,
    );
    // Wrong parent, basic extents, bad type, bad ranges.
    assertEquals(
      call(Hypercall.MEMEXTENT_DONATE, 0n, parent, sp, 0n, 0x1000n).err,
      HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
    );
    assertEquals(
      call(Hypercall.MEMEXTENT_DONATE, 0n, core.partitionCap, parent, 0n, 0x1000n).err,
      HypError.ERROR_MEMEXTENT_TYPE,
    );
    assertEquals(
      call(Hypercall.MEMEXTENT_DONATE, 7n, core.partitionCap, sp, 0n, 0x1000n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.MEMEXTENT_DONATE, 0n, core.partitionCap, sp, 0x800n, 0x1000n).err,
      HypError.ERROR_ARGUMENT_ALIGNMENT,
    );
    assertEquals(
      call(Hypercall.MEMEXTENT_DONATE, 0n, core.partitionCap, sp, 0x4000n, 0x1000n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    // Give it back (TO_PARENT): the translation disappears.
    const g = space.generation;
    assertEquals(
      call(Hypercall.MEMEXTENT_DONATE, 1n, sp, core.partitionCap, 0x1000n, 0x1000n).err,
      0,
    );
    assert(space.generation > g);
    assertEquals(space.lookup(0x4000_1000), null);
    assertEquals(core.memdb.lookup(TEST_RAM_BASE + 0x21000), core.root);
    // Siblings under a sparse parent.
    const sparent = newExtent(core, TEST_RAM_BASE + 0x40000, 0x8000, sparseRwx);
    assertEquals(
      call(Hypercall.MEMEXTENT_DONATE, 0n, core.partitionCap, sparent, 0n, 0x8000n).err,
      0,
    );
    const s1 = create(core, Hypercall.PARTITION_CREATE_MEMEXTENT);
    const s2 = create(core, Hypercall.PARTITION_CREATE_MEMEXTENT);
    for (const s of [s1, s2]) {
      assertEquals(
        call(Hypercall.MEMEXTENT_CONFIGURE_DERIVE, s, sparent, 0n, 0x8000n, sparseRwx).err,
        0,
      );
      assertEquals(call(Hypercall.OBJECT_ACTIVATE, s).err, 0);
    }
    assertEquals(call(Hypercall.MEMEXTENT_DONATE, 0n, sparent, s1, 0x2000n, 0x2000n).err, 0);
    assertEquals(call(Hypercall.MEMEXTENT_DONATE, 2n, s1, s2, 0x2000n, 0x1000n).err, 0);
    const s2Obj = core.rootCspace.lookup<Memextent>(s2, ObjectType.MEMEXTENT, 0);
    assertEquals(core.memdb.lookup(TEST_RAM_BASE + 0x42000), s2Obj);
    assertEquals(
      call(Hypercall.MEMEXTENT_DONATE, 2n, s1, s1, 0x3000n, 0x1000n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.MEMEXTENT_DONATE, 2n, s1, sp, 0x3000n, 0x1000n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
  });

  Deno.test(`[${form}] derived extents inherit the parent's mappings and give them back`, () => {
    const core = createTestCore();
    const call = hv(core, form);
    const as = newAddrspace(core, 12);
    const parent = newExtent(core, TEST_RAM_BASE, 0x4000);
    const rwx = encodeMappingAttrs({
      userAccess: RWX,
      kernelAccess: RWX,
      memtype: S2Memtype.NORMAL_WB,
    });
    assertEquals(call(Hypercall.ADDRSPACE_MAP, as, parent, 0x5000_0000n, rwx, 0n, 0n, 0n).err, 0);
    const space = core.rootCspace.lookup<Addrspace>(as, ObjectType.ADDRSPACE, 0);
    const parentObj = core.rootCspace.lookup<Memextent>(parent, ObjectType.MEMEXTENT, 0);
    // A read-only BASIC child over the second page.
    const child = create(core, Hypercall.PARTITION_CREATE_MEMEXTENT);
    const roBasic = encodeMemextentAttrs({ access: 4, memtype: 0, type: 0, append: false });
    assertEquals(
      call(Hypercall.MEMEXTENT_CONFIGURE_DERIVE, child, parent, 0x1000n, 0x1000n, roBasic).err,
      0,
    );
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, child).err, 0);
    const childObj = core.rootCspace.lookup<Memextent>(child, ObjectType.MEMEXTENT, 0);
    assertEquals(childObj.mappings.length, 1);
    assertEquals(space.lookupEntry(0x5000_1000)?.owner, childObj);
    assertEquals(space.lookup(0x5000_1000)?.access, S2_ACCESS_R);
    assertEquals(space.lookup(0x5000_0000)?.access, S2_ACCESS_R | S2_ACCESS_W | S2_ACCESS_X);
    assertEquals(space.lookupEntry(0x5000_2000)?.owner, parentObj);
    // The child's mappings count against its own limit of 4.
    for (let i = 1n; i < 4n; i++) {
      assertEquals(
        call(
          Hypercall.ADDRSPACE_MAP,
          as,
          child,
          0x6000_0000n + i * 0x1000n,
          BigInt(0x44 | (15 << 16)),
          0n,
          0n,
          0n,
        ).err,
        0,
      );
    }
    assertEquals(
      call(Hypercall.ADDRSPACE_MAP, as, child, 0x6100_0000n, BigInt(0x44 | (15 << 16)), 0n, 0n, 0n)
        .err,
      HypError.ERROR_MEMEXTENT_MAPPINGS_FULL,
    );
    // Destroying the child returns the page and the parent's translation.
    assertEquals(call(Hypercall.CSPACE_DELETE_CAP_FROM, core.cspaceCap, child).err, 0);
    assertEquals(core.memdb.lookup(TEST_RAM_BASE + 0x1000), parentObj);
    assertEquals(space.lookupEntry(0x5000_1000)?.owner, parentObj);
    assertEquals(space.lookup(0x6000_1000), null);
    // A BASIC child cannot take over a partially covering mapping of a sparse parent.
    const sp = newExtent(core, TEST_RAM_BASE + 0x10000, 0x4000, sparseRwx);
    assertEquals(call(Hypercall.ADDRSPACE_MAP, as, sp, 0x7000_0000n, rwx, 1n, 0n, 0x1000n).err, 0);
    const bad = create(core, Hypercall.PARTITION_CREATE_MEMEXTENT);
    assertEquals(call(Hypercall.MEMEXTENT_CONFIGURE_DERIVE, bad, sp, 0n, 0x2000n, basicRwx).err, 0);
    assertEquals(call(Hypercall.MEMEXTENT_DONATE, 0n, core.partitionCap, sp, 0n, 0x2000n).err, 0);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, bad).err, HypError.ERROR_DENIED);
    assertEquals(core.memdb.lookup(TEST_RAM_BASE + 0x10000), core.rootCspace.lookupAny(sp, 0));
  });

  Deno.test(`[${form}] addrspace_configure_info_area: checks, attach at activation`, () => {
    const core = createTestCore();
    const call = hv(core, form);
    const as = create(core, Hypercall.PARTITION_CREATE_ADDRSPACE);
    assertEquals(call(Hypercall.ADDRSPACE_CONFIGURE, as, 20n).err, 0);
    core.physicalMemory.write(TEST_RAM_BASE + 0x80000, new Uint8Array([5, 5, 5]));
    const page = newExtent(core, TEST_RAM_BASE + 0x80000, 0x1000);
    const big = newExtent(core, TEST_RAM_BASE + 0x90000, 0x2000);
    const sparse = newExtent(core, TEST_RAM_BASE + 0xa0000, 0x1000, sparseRwx);
    const ro = newExtent(
      core,
      TEST_RAM_BASE + 0xb0000,
      0x1000,
      encodeMemextentAttrs({ access: 4, memtype: 0, type: 0, append: false }),
    );
    const info = (me: bigint, ipa: bigint) =>
      call(Hypercall.ADDRSPACE_CONFIGURE_INFO_AREA, as, me, ipa).err;
    assertEquals(info(big, 0x1000n), HypError.ERROR_ARGUMENT_INVALID);
    assertEquals(info(page, 0x1001n), HypError.ERROR_ADDR_INVALID);
    assertEquals(info(page, 2n ** 36n), HypError.ERROR_ADDR_INVALID);
    assertEquals(info(sparse, 0x1000n), HypError.ERROR_ARGUMENT_INVALID);
    assertEquals(info(ro, 0x1000n), HypError.ERROR_ARGUMENT_INVALID);
    assertEquals(info(page, 0xf000n), 0);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, as).err, 0);
    assertEquals(Array.from(core.physicalMemory.read(TEST_RAM_BASE + 0x80000, 3)), [0, 0, 0]);
    const space = core.rootCspace.lookup<Addrspace>(as, ObjectType.ADDRSPACE, 0);
    assertEquals(space.infoArea?.ipa, 0xf000);
    assertEquals(space.infoAreaBytes?.length, 0x1000);
    assertEquals(info(page, 0xf000n), HypError.ERROR_OBJECT_STATE);
    // An attached extent cannot be derived from.
    const child = create(core, Hypercall.PARTITION_CREATE_MEMEXTENT);
    assertEquals(
      call(Hypercall.MEMEXTENT_CONFIGURE_DERIVE, child, page, 0n, 0x1000n, basicRwx).err,
      0,
    );
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, child).err, HypError.ERROR_BUSY);
  });

  Deno.test(`[${form}] memextent_modify, VMMIO ranges, attach_thread`, () => {
    const core = createTestCore();
    core.factories.register(ObjectType.THREAD, (p) => new TestThread(p));
    const call = hv(core, form);
    const as = newAddrspace(core, 10);
    const me = newExtent(core, TEST_RAM_BASE, 0x2000);
    core.physicalMemory.write(TEST_RAM_BASE + 0x1000, new Uint8Array([9, 9, 9]));
    assertEquals(
      call(Hypercall.MEMEXTENT_MODIFY, me, 1n, 0x1000n, 0x1000n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(call(Hypercall.MEMEXTENT_MODIFY, me, 0x80000001n, 0x1000n, 0x1000n).err, 0);
    assertEquals(Array.from(core.physicalMemory.read(TEST_RAM_BASE + 0x1000, 3)), [0, 0, 0]);
    assertEquals(
      call(Hypercall.MEMEXTENT_MODIFY, me, 0x80000001n, 0x2000n, 0x1000n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.MEMEXTENT_MODIFY, me, 0x800000ffn, 0n, 0n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(call(Hypercall.MEMEXTENT_MODIFY, me, 0xffn, 0n, 0n).err, 0);
    assertEquals(
      call(Hypercall.MEMEXTENT_MODIFY, me, 0x42n, 0n, 0n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(call(Hypercall.ADDRSPACE_MAP, as, me, 0x1_0000n, wbRw, 0n, 0n, 0n).err, 0);
    assertEquals(call(Hypercall.MEMEXTENT_MODIFY, me, 0n, 0n, 0n).err, 0); // UNMAP_ALL
    const space = core.rootCspace.lookup<Addrspace>(as, ObjectType.ADDRSPACE, 0);
    assertEquals(space.lookup(0x1_0000), null);
    // VMMIO.
    assertEquals(call(Hypercall.ADDRSPACE_CONFIGURE_VMMIO, as, 0x1000_0000n, 0x2000n, 0n).err, 0);
    assert(space.isVmmio(0x1000_1fff));
    assert(!space.isVmmio(0x1000_2000));
    assertEquals(
      call(Hypercall.ADDRSPACE_CONFIGURE_VMMIO, as, 0x1000_1000n, 0x2000n, 0n).err,
      HypError.ERROR_BUSY,
    );
    assertEquals(
      call(Hypercall.ADDRSPACE_CONFIGURE_VMMIO, as, 0x1000_0800n, 0x1000n, 0n).err,
      HypError.ERROR_ARGUMENT_ALIGNMENT,
    );
    assertEquals(
      call(Hypercall.ADDRSPACE_CONFIGURE_VMMIO, as, 0x1000_0000n, 0n, 0n).err,
      HypError.ERROR_ARGUMENT_SIZE,
    );
    assertEquals(
      call(Hypercall.ADDRSPACE_CONFIGURE_VMMIO, as, 0x1000_0000n, 0x1000n, 2n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.ADDRSPACE_CONFIGURE_VMMIO, as, 0x1000_0000n, 0x1000n, 1n).err,
      HypError.ERROR_ADDR_INVALID,
    );
    assertEquals(call(Hypercall.ADDRSPACE_CONFIGURE_VMMIO, as, 0x1000_0000n, 0x2000n, 1n).err, 0);
    assert(!space.isVmmio(0x1000_0000));
    const attachOnly = core.rootCspace.copyCapFrom(
      core.rootCspace,
      as,
      CAP_RIGHTS_ADDRSPACE_ATTACH,
    );
    assertEquals(
      call(Hypercall.ADDRSPACE_CONFIGURE_VMMIO, attachOnly, 0x1000_0000n, 0x1000n, 0n).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    // attach_thread: thread INIT, addrspace ACTIVE; a non-vCPU thread is refused.
    const th = create(core, Hypercall.PARTITION_CREATE_THREAD);
    assertEquals(call(Hypercall.ADDRSPACE_ATTACH_THREAD, attachOnly, th).err, 0);
    const thread = core.rootCspace.lookupAny(th, 0) as TestThread;
    assertEquals(thread.addrspace, space);
    thread.notVcpu = true;
    assertEquals(
      call(Hypercall.ADDRSPACE_ATTACH_THREAD, as, th).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    const inactive = create(core, Hypercall.PARTITION_CREATE_ADDRSPACE);
    assertEquals(
      call(Hypercall.ADDRSPACE_ATTACH_THREAD, inactive, th).err,
      HypError.ERROR_OBJECT_STATE,
    );
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, th).err, 0);
    assertEquals(call(Hypercall.ADDRSPACE_ATTACH_THREAD, as, th).err, HypError.ERROR_OBJECT_STATE);
  });
}

Deno.test("Stage2View.lookup is allocation-free on hits and keeps the last hit", () => {
  const core = createTestCore();
  const as = newAddrspace(core, 11);
  const space = core.rootCspace.lookup<Addrspace>(as, ObjectType.ADDRSPACE, 0);
  for (let i = 0; i < 16; i++) {
    const me = newExtent(core, TEST_RAM_BASE + i * 0x2000, 0x1000);
    const x = encodeMappingAttrs({
      userAccess: RWX,
      kernelAccess: RWX,
      memtype: S2Memtype.NORMAL_WB,
    });
    assertEquals(
      core.call(Hypercall.ADDRSPACE_MAP, as, me, BigInt(0x1000_0000 + i * 0x10000), x, 0n, 0n, 0n)
        .err,
      0,
    );
  }
  let found = 0;
  for (let k = 0; k < 100000; k++) {
    const ipa = 0x1000_0000 + (k % 16) * 0x10000 + (k & 0xfff);
    const m = space.lookup(ipa);
    if (m !== null && (m.access & S2_ACCESS_X) !== 0) found++;
  }
  assertEquals(found, 100000);
  assertEquals(space.entries.length, 16);
});
