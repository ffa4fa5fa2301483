import { assertEquals } from "@gunyah-ts/tests/assert";
import { HypError } from "../../abi/error.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import { createTestCore, HYPERCALL_FORMS } from "../../hypercall/test_fixture.ts";

for (const form of HYPERCALL_FORMS) {
  Deno.test(`vic_bind_msi_source / addrspace_attach_vdma (${form}): HYP's QEMU answers`, () => {
    const core = createTestCore();
    const call = (n: number, ...a: bigint[]) =>
      form === "native" ? core.hvcNative(n, ...a).err : core.hvcSmccc(n, ...a).err;
    const create = (n: number) => core.call(n, core.partitionCap, core.cspaceCap, 0n).r[1];
    const vic = create(Hypercall.PARTITION_CREATE_VIC);
    const as = create(Hypercall.PARTITION_CREATE_ADDRSPACE);
    const doorbell = create(Hypercall.PARTITION_CREATE_DOORBELL);

    // Objects still INIT: the typed lookups want ACTIVE.
    assertEquals(call(Hypercall.VIC_BIND_MSI_SOURCE, vic, doorbell), HypError.ERROR_OBJECT_STATE);
    assertEquals(
      call(Hypercall.ADDRSPACE_ATTACH_VDMA, as, doorbell, 0n),
      HypError.ERROR_OBJECT_STATE,
    );
    assertEquals(core.call(Hypercall.VIC_CONFIGURE, vic, 1n, 32n, 0n, 0n).err, 0);
    assertEquals(core.call(Hypercall.OBJECT_ACTIVATE, vic).err, 0);
    assertEquals(core.call(Hypercall.ADDRSPACE_CONFIGURE, as, 5n).err, 0);
    assertEquals(core.call(Hypercall.OBJECT_ACTIVATE, as).err, 0);

    // Active target: no handler exists for any source/device type, whatever the second cap is.
    const wrongType = HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE;
    for (const other of [doorbell, vic, as, 0n, 0x1234n]) {
      assertEquals(call(Hypercall.VIC_BIND_MSI_SOURCE, vic, other), wrongType);
      assertEquals(call(Hypercall.ADDRSPACE_ATTACH_VDMA, as, other, 7n), wrongType);
    }
    // The target cap itself is checked first: its type, its existence.
    assertEquals(call(Hypercall.VIC_BIND_MSI_SOURCE, as, vic), wrongType);
    assertEquals(call(Hypercall.ADDRSPACE_ATTACH_VDMA, vic, as, 0n), wrongType);
    assertEquals(
      call(Hypercall.VIC_BIND_MSI_SOURCE, 0x1234n, vic),
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.ADDRSPACE_ATTACH_VDMA, 0x1234n, vic, 0n),
      HypError.ERROR_ARGUMENT_INVALID,
    );
  });
}

Deno.test("vic_bind_msi_source / addrspace_attach_vdma: BIND_SOURCE and ATTACH rights are required", () => {
  const core = createTestCore();
  const create = (n: number) => core.call(n, core.partitionCap, core.cspaceCap, 0n).r[1];
  const vic = create(Hypercall.PARTITION_CREATE_VIC);
  const as = create(Hypercall.PARTITION_CREATE_ADDRSPACE);
  const copy = (cap: bigint, mask: bigint) =>
    core.call(Hypercall.CSPACE_COPY_CAP_FROM, core.cspaceCap, cap, core.cspaceCap, mask).r[1];
  // Bit 0 is vic BIND_SOURCE and addrspace ATTACH; give every other right.
  const vicNoBind = copy(vic, 0xffff_fffen);
  const asNoAttach = copy(as, 0xffff_fffen);
  assertEquals(
    core.call(Hypercall.VIC_BIND_MSI_SOURCE, vicNoBind, 0n).err,
    HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
  );
  assertEquals(
    core.call(Hypercall.ADDRSPACE_ATTACH_VDMA, asNoAttach, 0n, 0n).err,
    HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
  );
});
