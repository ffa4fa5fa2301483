import { assertEquals } from "@gunyah-ts/tests/assert";
import { encodeMemextentAttrs, MemextentMemtype, MemextentType } from "../../abi/formats.ts";
import { HypError } from "../../abi/error.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import { CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE } from "../../abi/rights.ts";
import {
  createTestCore,
  HYPERCALL_FORMS,
  TEST_RAM_BASE,
  type TestCore,
} from "../../hypercall/test_fixture.ts";
import { MmioResult } from "../../plugin/contracts.ts";
import { VirtioMmioFrontendRegion } from "./frontend_region.ts";
import { VIRTIO_MMIO_CONFIG } from "../../abi/virtio.ts";
import { VIRTIO_DEVICE_TYPE_INPUT, VIRTIO_OPTION_VALID_DEVICE_TYPE } from "./registers.ts";
import { VirtioInputConfigSelect as Sel } from "./virtio_input.ts";
import type { VirtioMmio } from "./virtio_mmio.ts";

const PAGE_PHYS = TEST_RAM_BASE + 0x20_0000;
/** Caller buffers (identity-mapped physical memory in the test core). */
const BUF = TEST_RAM_BASE + 0x30_0000;
const SIZE = VIRTIO_MMIO_CONFIG + 2;
const U = VIRTIO_MMIO_CONFIG + 8;

function create(core: TestCore, n: number): bigint {
  const r = core.call(n, core.partitionCap, core.cspaceCap, 0n);
  assertEquals(r.err, 0);
  return r.r[1];
}

function device(core: TestCore, typed = true): bigint {
  const me = create(core, Hypercall.PARTITION_CREATE_MEMEXTENT);
  const attrs = encodeMemextentAttrs({
    access: 7,
    memtype: MemextentMemtype.ANY,
    type: MemextentType.BASIC,
    append: false,
  });
  assertEquals(
    core.call(Hypercall.MEMEXTENT_CONFIGURE, me, BigInt(PAGE_PHYS), 0x1000n, attrs).err,
    0,
  );
  assertEquals(core.call(Hypercall.OBJECT_ACTIVATE, me).err, 0);
  const cap = create(core, Hypercall.PARTITION_CREATE_VIRTIO_MMIO);
  const flags = typed ? VIRTIO_OPTION_VALID_DEVICE_TYPE : 0n;
  assertEquals(
    core.call(Hypercall.VIRTIO_MMIO_CONFIGURE, cap, me, 2n, flags, BigInt(VIRTIO_DEVICE_TYPE_INPUT))
      .err,
    0,
  );
  assertEquals(core.call(Hypercall.OBJECT_ACTIVATE, cap).err, 0);
  return cap;
}

function putBytes(core: TestCore, pa: number, bytes: number[]): void {
  const region = core.physicalMemory.regionFor(pa, bytes.length)!;
  region.bytes.set(bytes, pa - region.base);
}

for (const form of HYPERCALL_FORMS) {
  Deno.test(`[${form}] virtio_input: configure and set_data rules`, () => {
    const core = createTestCore();
    const call = (n: number, ...a: bigint[]) =>
      form === "native" ? core.hvcNative(n, ...a).err : core.hvcSmccc(n, ...a).err;
    const cap = device(core);
    const C = Hypercall.VIRTIO_INPUT_CONFIGURE;
    const S = Hypercall.VIRTIO_INPUT_SET_DATA;
    assertEquals(call(C, cap, 0x1234n, 0x1n, 33n, 0n), HypError.ERROR_ARGUMENT_INVALID);
    assertEquals(call(C, cap, 0x1234n, 0x1n, 0n, 65n), HypError.ERROR_ARGUMENT_INVALID);
    // No slots yet: EV_BITS / ABS_INFO data is refused.
    assertEquals(
      call(S, cap, BigInt(Sel.EV_BITS), 1n, 4n, BigInt(BUF)),
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(call(C, cap, 0x1234n, 0x1n, 1n, 1n), 0);
    assertEquals(call(C, cap, 0n, 0n, 1n, 0n), HypError.ERROR_BUSY);
    assertEquals(call(C, cap, 0n, 0n, 0n, 1n), HypError.ERROR_BUSY);
    assertEquals(call(C, cap, 0x5678n, 0x2n, 0n, 0n), 0);
    putBytes(core, BUF, [0x47, 0x75, 0x6e]); // "Gun"
    assertEquals(
      call(S, cap, BigInt(Sel.ID_NAME), 1n, 3n, BigInt(BUF)),
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(S, cap, BigInt(Sel.ID_NAME), 0n, 0n, BigInt(BUF)),
      HypError.ERROR_ARGUMENT_SIZE,
    );
    assertEquals(
      call(S, cap, BigInt(Sel.ID_NAME), 0n, 129n, BigInt(BUF)),
      HypError.ERROR_ARGUMENT_SIZE,
    );
    assertEquals(call(S, cap, BigInt(Sel.ID_NAME), 0n, 3n, 0x10n), HypError.ERROR_ADDR_INVALID);
    assertEquals(
      call(S, cap, BigInt(Sel.ID_NAME), 0n, 3n, 0xffff_ffff_ffff_fffen),
      HypError.ERROR_ADDR_OVERFLOW,
    );
    assertEquals(call(S, cap, BigInt(Sel.ID_NAME), 0n, 3n, BigInt(BUF)), 0);
    assertEquals(
      call(S, cap, BigInt(Sel.EV_BITS), 32n, 4n, BigInt(BUF)),
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(call(S, cap, BigInt(Sel.EV_BITS), 1n, 3n, BigInt(BUF)), 0);
    assertEquals(
      call(S, cap, BigInt(Sel.EV_BITS), 2n, 3n, BigInt(BUF)),
      HypError.ERROR_NORESOURCES,
    );
    assertEquals(
      call(S, cap, BigInt(Sel.ABS_INFO), 64n, 4n, BigInt(BUF)),
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(S, cap, BigInt(Sel.ABS_INFO), 0n, 21n, BigInt(BUF)),
      HypError.ERROR_ARGUMENT_SIZE,
    );
    assertEquals(
      call(S, cap, BigInt(Sel.UNSET), 0n, 1n, BigInt(BUF)),
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(call(S, cap, 0x13n, 0n, 1n, BigInt(BUF)), HypError.ERROR_ARGUMENT_INVALID);
    // A generic (non-INPUT) virtio_mmio: HYP's two different errors.
    const core2 = createTestCore();
    const plain = device(core2, false);
    assertEquals(core2.call(C, plain, 0n, 0n, 0n, 0n).err, HypError.ERROR_OBJECT_CONFIG);
    assertEquals(
      core2.call(S, plain, 1n, 0n, 1n, BigInt(BUF)).err,
      HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
    );
  });
}

Deno.test("virtio_input: the frontend reads the registered data through select/subsel", () => {
  const core = createTestCore();
  const cap = device(core);
  const object = core.rootCspace.lookupAny(cap, CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE) as VirtioMmio;
  const region = new VirtioMmioFrontendRegion(0x0a00_0000, object);
  const out = { lo: 0, hi: 0 };
  const read = (offset: number, size: number) => {
    assertEquals(region.read(offset, size, 0, out), MmioResult.Handled);
    return size === 8 ? (BigInt(out.hi) << 32n) | BigInt(out.lo) : out.lo;
  };
  const select = (sel: number, subsel: number) => {
    assertEquals(region.write(VIRTIO_MMIO_CONFIG + 1, 1, subsel, 0, 0), MmioResult.Handled);
    assertEquals(region.write(VIRTIO_MMIO_CONFIG, 1, sel, 0, 0), MmioResult.Handled);
    return read(SIZE, 1);
  };
  const call = (n: number, ...a: bigint[]) => core.call(n, ...a).err;
  assertEquals(
    call(Hypercall.VIRTIO_INPUT_CONFIGURE, cap, 0x0001_0002_0003_0004n, 0x5n, 2n, 1n),
    0,
  );
  putBytes(core, BUF, [0x6b, 0x62, 0x64]); // "kbd"
  assertEquals(
    call(Hypercall.VIRTIO_INPUT_SET_DATA, cap, BigInt(Sel.ID_NAME), 0n, 3n, BigInt(BUF)),
    0,
  );
  putBytes(core, BUF, [0xff, 0x0f]);
  assertEquals(
    call(Hypercall.VIRTIO_INPUT_SET_DATA, cap, BigInt(Sel.EV_BITS), 1n, 2n, BigInt(BUF)),
    0,
  );
  putBytes(core, BUF, Array.from({ length: 20 }, (_, i) => i + 1));
  assertEquals(
    call(Hypercall.VIRTIO_INPUT_SET_DATA, cap, BigInt(Sel.ABS_INFO), 3n, 20n, BigInt(BUF)),
    0,
  );
  // devids can be partly replaced (little-endian prefix).
  putBytes(core, BUF, [0xaa]);
  assertEquals(
    call(Hypercall.VIRTIO_INPUT_SET_DATA, cap, BigInt(Sel.ID_DEVIDS), 0n, 1n, BigInt(BUF)),
    0,
  );

  assertEquals(select(Sel.ID_NAME, 0), 3);
  assertEquals(Number(read(U, 4)) & 0xffffff, 0x64626b);
  assertEquals(select(Sel.ID_NAME, 1), 0);
  assertEquals(select(Sel.ID_SERIAL, 0), 0);
  assertEquals(select(Sel.ID_DEVIDS, 0), 8);
  assertEquals(read(U, 8), 0x0001_0002_0003_00aan);
  assertEquals(select(Sel.PROP_BITS, 0), 4);
  assertEquals(read(U, 4), 5);
  assertEquals(select(Sel.EV_BITS, 1), 2);
  assertEquals(read(U, 2), 0x0fff);
  assertEquals(select(Sel.EV_BITS, 2), 0);
  assertEquals(select(Sel.ABS_INFO, 3), 20);
  assertEquals(read(U + 16, 4), 0x14131211);
  assertEquals(select(Sel.UNSET, 0), 0);
  // A word written at select writes select and subsel, then faults at size.
  assertEquals(
    region.write(VIRTIO_MMIO_CONFIG, 4, Sel.EV_BITS | (1 << 8), 0, 0),
    MmioResult.Unclaimed,
  );
  assertEquals(read(SIZE, 1), 2);
  assertEquals(read(VIRTIO_MMIO_CONFIG, 2), Sel.EV_BITS | (1 << 8));
  // Nothing else in the config space is writable.
  assertEquals(region.write(SIZE, 1, 9, 0, 0), MmioResult.Unclaimed);
  assertEquals(region.write(U, 1, 9, 0, 0), MmioResult.Unclaimed);
});
