import { assertEquals } from "@gunyah-ts/tests/assert";
import { HypError } from "../../abi/error.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import { CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE } from "../../abi/rights.ts";
import { createTestCore, HYPERCALL_FORMS, type TestCore } from "../../hypercall/test_fixture.ts";
import { MPIDR_MT_BIT, MPIDR_U_BIT } from "../../abi/mpidr.ts";
import { ObjectType } from "../object_type.ts";
import {
  mpidrAffinityOf,
  mpidrFlagBits,
  mpidrValidFor,
  vcpuIndexOfMpidr,
} from "./mpidr_mapping.ts";
import type { Vic } from "./vic.ts";

function newVic(core: TestCore): { cap: bigint; vic: Vic } {
  const r = core.call(Hypercall.PARTITION_CREATE_VIC, core.partitionCap, core.cspaceCap, 0n);
  assertEquals(r.err, 0);
  const vic = core.rootCspace.lookupAny(r.r[1], CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE) as Vic;
  assertEquals(vic.type, ObjectType.VIC);
  return { cap: r.r[1], vic };
}

const MAPPING = Hypercall.VGIC_SET_MPIDR_MAPPING;

for (const form of HYPERCALL_FORMS) {
  Deno.test(`vgic_set_mpidr_mapping (${form}): argument checks as HYP's, mapping stored on the INIT vic`, () => {
    const core = createTestCore();
    const call = (...a: bigint[]) =>
      form === "native" ? core.hvcNative(MAPPING, ...a).err : core.hvcSmccc(MAPPING, ...a).err;
    const { cap, vic } = newVic(core);
    assertEquals(vic.mpidrMapping, null);
    // Two threads per core (Aff0 bit 0 → index bit 0), 8 cores in Aff1 (index bits 3:1), MT.
    assertEquals(call(cap, 0x0701n, 0n, 1n, 0n, 0n, 1n), 0);
    const m = vic.mpidrMapping!;
    assertEquals(m.affShift, [0, 1, 0, 0]);
    assertEquals(m.affMask, [1, 7, 0, 0]);
    assertEquals([m.multiThread, m.uniprocessor], [true, false]);
    assertEquals([0, 1, 2, 3, 15].map((i) => mpidrAffinityOf(m, i)), [
      0x000,
      0x001,
      0x100,
      0x101,
      0x701,
    ]);
    assertEquals(vcpuIndexOfMpidr(m, 0x601n), 13);
    assertEquals([mpidrValidFor(m, 0x601n), mpidrValidFor(m, 0x802n)], [true, false]);
    assertEquals(mpidrFlagBits(m), MPIDR_MT_BIT);
    // Shifts are count_t (low 32 bits); mt is any non-zero value; only Aff fields of mask count.
    assertEquals(call(cap, 0xff00_ff00_0000_000fn, 0x1_0000_0000n, 0n, 0n, 0n, 0x100n), 0);
    assertEquals(vic.mpidrMapping!.affMask, [0xf, 0, 0, 0]);
    assertEquals(vic.mpidrMapping!.multiThread, true);
    // Aff3 counts: Aff0 0x3 at bit 0, Aff3 0x3 at bit 2.
    assertEquals(call(cap, 0x03_0000_0003n, 0n, 0n, 0n, 2n, 0n), 0);
    assertEquals(mpidrAffinityOf(vic.mpidrMapping!, 0xd), 0x03_0000_0001);
    // Mask 0: a uniprocessor mapping.
    assertEquals(call(cap, 0n, 0n, 0n, 0n, 0n, 0n), 0);
    assertEquals(mpidrFlagBits(vic.mpidrMapping!), MPIDR_U_BIT);
    // 15 index bits is the limit (CPU_INDEX_INVALID is 0xffff).
    assertEquals(call(cap, 0x7fffn, 0n, 8n, 0n, 0n, 0n), 0);
    const kept = vic.mpidrMapping;
    const invalid = HypError.ERROR_ARGUMENT_INVALID;
    assertEquals(call(cap, 0xffffn, 0n, 8n, 0n, 0n, 0n), invalid); // 16 bits
    assertEquals(call(cap, 0x1n, 32n, 0n, 0n, 0n, 0n), invalid); // shift ≥ 32
    assertEquals(call(cap, 0x0n, 0n, 0n, 0n, 40n, 0n), invalid); // even with an empty field
    assertEquals(call(cap, 0x0303n, 0n, 1n, 0n, 0n, 0n), invalid); // overlap
    assertEquals(call(cap, 0x0302n, 0n, 2n, 0n, 0n, 0n), invalid); // not from bit 0
    assertEquals(call(cap, 0x0301n, 0n, 2n, 0n, 0n, 0n), invalid); // a gap at bit 1
    assertEquals(vic.mpidrMapping, kept); // failures change nothing
    // Cap errors: a CapID that does not decode, wrong type.
    assertEquals(call(0x1234n, 0n, 0n, 0n, 0n, 0n, 0n), HypError.ERROR_ARGUMENT_INVALID);
    assertEquals(
      call(core.partitionCap, 0n, 0n, 0n, 0n, 0n, 0n),
      HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
    );
    // After activation the mapping is fixed.
    assertEquals(core.call(Hypercall.VIC_CONFIGURE, cap, 2n, 32n, 0n, 0n).err, 0);
    assertEquals(core.call(Hypercall.OBJECT_ACTIVATE, cap).err, 0);
    assertEquals(call(cap, 0x1n, 0n, 0n, 0n, 0n, 0n), HypError.ERROR_OBJECT_STATE);
    assertEquals(vic.mpidrMapping, kept);
  });
}

Deno.test("vgic_set_mpidr_mapping: the cap needs OBJECT_ACTIVATE", () => {
  const core = createTestCore();
  const { cap } = newVic(core);
  const copy = core.call(
    Hypercall.CSPACE_COPY_CAP_FROM,
    core.cspaceCap,
    cap,
    core.cspaceCap,
    0x1n,
  );
  assertEquals(copy.err, 0);
  assertEquals(
    core.call(MAPPING, copy.r[1], 0x1n, 0n, 0n, 0n, 0n, 0n).err,
    HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
  );
});
