import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { HypError } from "../../abi/error.ts";
import { encodeMemextentAttrs, MemextentMemtype, MemextentType } from "../../abi/formats.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import {
  CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE,
  CAP_RIGHTS_VIRTIO_MMIO_ALL,
  CAP_RIGHTS_VIRTIO_MMIO_CONFIG,
} from "../../abi/rights.ts";
import {
  createTestCore,
  HYPERCALL_FORMS,
  TEST_RAM_BASE,
  type TestCore,
} from "../../hypercall/test_fixture.ts";
import type { RecordingInterruptController } from "../../hypercall/test_doubles.ts";
import { MmioResult } from "../../plugin/contracts.ts";
import type { Vic } from "../vic/vic.ts";
import { VirtioMmioFrontendRegion } from "./frontend_region.ts";
import {
  VIRTIO_MMIO_CONFIG,
  VIRTIO_MMIO_DEVICE_FEATURES,
  VIRTIO_MMIO_DEVICE_FEATURES_SEL,
  VIRTIO_MMIO_DRIVER_FEATURES,
  VIRTIO_MMIO_DRIVER_FEATURES_SEL,
  VIRTIO_MMIO_INTERRUPT_ACK,
  VIRTIO_MMIO_INTERRUPT_STATUS,
  VIRTIO_MMIO_MAGIC_VALUE,
  VIRTIO_MMIO_QUEUE_DESC_HIGH,
  VIRTIO_MMIO_QUEUE_DESC_LOW,
  VIRTIO_MMIO_QUEUE_DEVICE_LOW,
  VIRTIO_MMIO_QUEUE_DRIVER_LOW,
  VIRTIO_MMIO_QUEUE_NOTIFY,
  VIRTIO_MMIO_QUEUE_NUM,
  VIRTIO_MMIO_QUEUE_NUM_MAX,
  VIRTIO_MMIO_QUEUE_READY,
  VIRTIO_MMIO_QUEUE_SEL,
  VIRTIO_MMIO_STATUS,
  VIRTIO_STATUS_DEVICE_NEEDS_RESET,
  VIRTIO_STATUS_DRIVER_OK,
  VIRTIO_STATUS_FAILED,
} from "../../abi/virtio.ts";
import {
  VIRTIO_NOTIFY_DRIVER_OK,
  VIRTIO_NOTIFY_FAILED,
  VIRTIO_NOTIFY_NEW_BUFFER,
  VIRTIO_NOTIFY_RESET_RQST,
  VIRTIO_OPTION_VALID_DEVICE_TYPE,
} from "./registers.ts";
import type { VirtioMmio } from "./virtio_mmio.ts";

const basic = (access: number) =>
  encodeMemextentAttrs({
    access,
    memtype: MemextentMemtype.ANY,
    type: MemextentType.BASIC,
    append: false,
  });
const PAGE_PHYS = TEST_RAM_BASE + 0x10_0000;
/** VERSION_1 (bit 32) and ACCESS_PLATFORM (bit 33) in feature word 1. */
const WORD1_REQUIRED = 0x3n;

function assertHandled(r: MmioResult): void {
  assertEquals(r, MmioResult.Handled);
}

function create(core: TestCore, n: number): bigint {
  const r = core.call(n, core.partitionCap, core.cspaceCap, 0n);
  assertEquals(r.err, 0);
  return r.r[1];
}

function extent(core: TestCore, phys: number, size: number, attrs = basic(7)): bigint {
  const me = create(core, Hypercall.PARTITION_CREATE_MEMEXTENT);
  assertEquals(
    core.call(Hypercall.MEMEXTENT_CONFIGURE, me, BigInt(phys), BigInt(size), attrs).err,
    0,
  );
  assertEquals(core.call(Hypercall.OBJECT_ACTIVATE, me).err, 0);
  return me;
}

function activeVic(core: TestCore): { cap: bigint; irq: RecordingInterruptController } {
  const cap = create(core, Hypercall.PARTITION_CREATE_VIC);
  assertEquals(core.call(Hypercall.VIC_CONFIGURE, cap, 1n, 32n, 0n, 0n).err, 0);
  assertEquals(core.call(Hypercall.OBJECT_ACTIVATE, cap).err, 0);
  const vic = core.rootCspace.lookupAny(cap, CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE) as Vic;
  return { cap, irq: core.controllers.get(vic)! };
}

function objectOf(core: TestCore, cap: bigint): VirtioMmio {
  return core.rootCspace.lookupAny(cap, CAP_RIGHTS_GENERIC_OBJECT_ACTIVATE) as VirtioMmio;
}

/** An active virtio_mmio with `vqs` queues, its backend VIRQ (SPI 40) on vic A, frontend VIRQ (SPI 41) on vic B. */
function activeDevice(core: TestCore, vqs = 2) {
  const me = extent(core, PAGE_PHYS, 0x1000);
  const cap = create(core, Hypercall.PARTITION_CREATE_VIRTIO_MMIO);
  assertEquals(core.call(Hypercall.VIRTIO_MMIO_CONFIGURE, cap, me, BigInt(vqs), 0n, 0n).err, 0);
  assertEquals(core.call(Hypercall.OBJECT_ACTIVATE, cap).err, 0);
  const frontendVic = activeVic(core);
  const backendVic = activeVic(core);
  assertEquals(
    core.call(Hypercall.VIRTIO_MMIO_BACKEND_BIND_VIRQ, cap, frontendVic.cap, 40n).err,
    0,
  );
  assertEquals(
    core.call(Hypercall.VIRTIO_MMIO_FRONTEND_BIND_VIRQ, cap, backendVic.cap, 41n).err,
    0,
  );
  const object = objectOf(core, cap);
  const region = new VirtioMmioFrontendRegion(0x0a00_0000, object);
  const out = { lo: 0, hi: 0 };
  const read = (offset: number, size = 4) => {
    assertEquals(region.read(offset, size, 0, out), MmioResult.Handled);
    return out.lo;
  };
  const write = (offset: number, value: number, size = 4) =>
    region.write(offset, size, value, 0, 0);
  return { cap, me, object, frontendIrq: frontendVic.irq, backendIrq: backendVic.irq, read, write };
}

for (const form of HYPERCALL_FORMS) {
  Deno.test(`[${form}] virtio_mmio: create, configure rules, activation`, () => {
    const core = createTestCore();
    const call = (n: number, ...a: bigint[]) =>
      form === "native" ? core.hvcNative(n, ...a).err : core.hvcSmccc(n, ...a).err;
    const cap = create(core, Hypercall.PARTITION_CREATE_VIRTIO_MMIO);
    const page = extent(core, PAGE_PHYS, 0x1000);
    const twoPages = extent(core, PAGE_PHYS + 0x1000, 0x2000);
    const invalid = HypError.ERROR_ARGUMENT_INVALID;
    // Activation before configure.
    const early = create(core, Hypercall.PARTITION_CREATE_VIRTIO_MMIO);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, early), HypError.ERROR_OBJECT_CONFIG);
    // The memextent is looked up first (ATTACH, active), then the object.
    assertEquals(
      call(Hypercall.VIRTIO_MMIO_CONFIGURE, page, cap, 1n, 0n, 0n),
      HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
    );
    assertEquals(call(Hypercall.VIRTIO_MMIO_CONFIGURE, cap, page, 1n, 0n, 0n), 0);
    assertEquals(call(Hypercall.VIRTIO_MMIO_CONFIGURE, cap, twoPages, 1n, 0n, 0n), invalid);
    assertEquals(call(Hypercall.VIRTIO_MMIO_CONFIGURE, cap, page, 17n, 0n, 0n), invalid);
    assertEquals(call(Hypercall.VIRTIO_MMIO_CONFIGURE, cap, page, 16n, 0n, 0n), 0);
    // valid_device_type: INVALID and unknown types are refused (no device model registered).
    const typed = VIRTIO_OPTION_VALID_DEVICE_TYPE;
    assertEquals(call(Hypercall.VIRTIO_MMIO_CONFIGURE, cap, page, 1n, typed, 0n), invalid);
    assertEquals(call(Hypercall.VIRTIO_MMIO_CONFIGURE, cap, page, 1n, typed, 5n), invalid);
    // Without the option the type is ignored.
    assertEquals(call(Hypercall.VIRTIO_MMIO_CONFIGURE, cap, page, 2n, 0n, 5n), 0);
    assertEquals(objectOf(core, cap).deviceType, 0);
    assertEquals(objectOf(core, cap).vqsNum, 2);
    // Calls that need an ACTIVE object.
    assertEquals(
      call(Hypercall.VIRTIO_MMIO_BACKEND_UPDATE_STATUS, cap, 1n),
      HypError.ERROR_OBJECT_STATE,
    );
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, cap), 0);
    assertEquals(
      call(Hypercall.VIRTIO_MMIO_CONFIGURE, cap, page, 1n, 0n, 0n),
      HypError.ERROR_OBJECT_STATE,
    );
    // The page now backs a virtual device: a second virtio_mmio cannot use it.
    const second = create(core, Hypercall.PARTITION_CREATE_VIRTIO_MMIO);
    assertEquals(call(Hypercall.VIRTIO_MMIO_CONFIGURE, second, page, 1n, 0n, 0n), 0);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, second), HypError.ERROR_BUSY);
    // Rights: a cap without CONFIG.
    const weak = core.call(
      Hypercall.CSPACE_COPY_CAP_FROM,
      core.cspaceCap,
      cap,
      core.cspaceCap,
      BigInt(CAP_RIGHTS_VIRTIO_MMIO_ALL & ~CAP_RIGHTS_VIRTIO_MMIO_CONFIG),
    ).r[1];
    assertEquals(
      call(Hypercall.VIRTIO_MMIO_BACKEND_GET_NOTIFICATION, weak),
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    // The memextent cap needs ATTACH (bit 2).
    const noAttach = core.call(
      Hypercall.CSPACE_COPY_CAP_FROM,
      core.cspaceCap,
      page,
      core.cspaceCap,
      0xffff_fffbn,
    ).r[1];
    assertEquals(
      call(Hypercall.VIRTIO_MMIO_CONFIGURE, second, noAttach, 1n, 0n, 0n),
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
  });

  Deno.test(`[${form}] virtio_mmio: a frontend driver and a backend device talk through the page`, () => {
    const core = createTestCore();
    const hvc = (n: number, ...a: bigint[]) =>
      form === "native" ? core.hvcNative(n, ...a) : core.hvcSmccc(n, ...a);
    const d = activeDevice(core);
    // The backend fills the identification registers through its own RW mapping.
    d.object.setReg32(VIRTIO_MMIO_MAGIC_VALUE, 0x74726976);
    assertEquals(d.read(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
    // Features: word 1 must offer VERSION_1 and ACCESS_PLATFORM, not NOTIFICATION_DATA.
    assertEquals(
      hvc(Hypercall.VIRTIO_MMIO_BACKEND_SET_DEV_FEATURES, d.cap, 1n, 0x1n).err,
      HypError.ERROR_DENIED,
    );
    assertEquals(
      hvc(Hypercall.VIRTIO_MMIO_BACKEND_SET_DEV_FEATURES, d.cap, 1n, 0x43n).err,
      HypError.ERROR_DENIED,
    );
    assertEquals(
      hvc(Hypercall.VIRTIO_MMIO_BACKEND_SET_DEV_FEATURES, d.cap, 2n, 0n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(hvc(Hypercall.VIRTIO_MMIO_BACKEND_SET_DEV_FEATURES, d.cap, 0n, 0x20n).err, 0);
    assertEquals(
      hvc(Hypercall.VIRTIO_MMIO_BACKEND_SET_DEV_FEATURES, d.cap, 1n, WORD1_REQUIRED | 0x4n).err,
      0,
    );
    assertHandled(d.write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1));
    assertEquals(d.read(VIRTIO_MMIO_DEVICE_FEATURES), 0x7);
    assertHandled(d.write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0));
    assertEquals(d.read(VIRTIO_MMIO_DEVICE_FEATURES), 0x20);
    assertEquals(d.write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2), MmioResult.Unclaimed);
    assertHandled(d.write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1));
    d.write(VIRTIO_MMIO_DRIVER_FEATURES, 0x3);
    d.write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    d.write(VIRTIO_MMIO_DRIVER_FEATURES, 0x20);
    assertEquals(hvc(Hypercall.VIRTIO_MMIO_BACKEND_GET_DRV_FEATURES, d.cap, 1n).r[1], 0x3n);
    assertEquals(hvc(Hypercall.VIRTIO_MMIO_BACKEND_GET_DRV_FEATURES, d.cap, 0n).r[1], 0x20n);
    assertEquals(
      hvc(Hypercall.VIRTIO_MMIO_BACKEND_GET_DRV_FEATURES, d.cap, 2n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    // Queues: the backend sets QueueNumMax, the frontend selects and programs queue 1.
    assertEquals(hvc(Hypercall.VIRTIO_MMIO_BACKEND_SET_QUEUE_NUM_MAX, d.cap, 1n, 256n).err, 0);
    assertEquals(
      hvc(Hypercall.VIRTIO_MMIO_BACKEND_SET_QUEUE_NUM_MAX, d.cap, 2n, 256n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(d.write(VIRTIO_MMIO_QUEUE_SEL, 2), MmioResult.Unclaimed);
    d.write(VIRTIO_MMIO_QUEUE_SEL, 1);
    assertEquals(d.read(VIRTIO_MMIO_QUEUE_NUM_MAX), 256);
    d.write(VIRTIO_MMIO_QUEUE_NUM, 128);
    d.write(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x4000_1000);
    d.write(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0x1);
    d.write(VIRTIO_MMIO_QUEUE_DRIVER_LOW, 0x4000_2000);
    d.write(VIRTIO_MMIO_QUEUE_DEVICE_LOW, 0x4000_3000);
    d.write(VIRTIO_MMIO_QUEUE_READY, 1);
    const info = hvc(Hypercall.VIRTIO_MMIO_BACKEND_GET_QUEUE_INFO, d.cap, 1n);
    assertEquals(Array.from(info.r.subarray(0, 6)), [
      0n,
      128n,
      1n,
      0x1_4000_1000n,
      0x4000_2000n,
      0x4000_3000n,
    ]);
    assertEquals(hvc(Hypercall.VIRTIO_MMIO_BACKEND_GET_QUEUE_INFO, d.cap, 0n).r[1], 0n);
    assertEquals(
      hvc(Hypercall.VIRTIO_MMIO_BACKEND_GET_QUEUE_INFO, d.cap, 5n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    // Reselecting queue 0 shows its (unready) state.
    d.write(VIRTIO_MMIO_QUEUE_SEL, 0);
    assertEquals(d.read(VIRTIO_MMIO_QUEUE_READY), 0);

    // DRIVER_OK, then a notify of queue 1: the backend's VIRQ (41) pends until collected.
    d.write(VIRTIO_MMIO_STATUS, 0xf);
    assertEquals(d.backendIrq.level(41), true);
    d.write(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
    let n = hvc(Hypercall.VIRTIO_MMIO_BACKEND_GET_NOTIFICATION, d.cap);
    assertEquals([n.r[1], n.r[2]], [
      0b10n,
      BigInt(VIRTIO_NOTIFY_NEW_BUFFER | VIRTIO_NOTIFY_DRIVER_OK),
    ]);
    assertEquals(d.backendIrq.level(41), false);
    n = hvc(Hypercall.VIRTIO_MMIO_BACKEND_GET_NOTIFICATION, d.cap);
    assertEquals([n.r[1], n.r[2]], [0n, 0n]);

    // The backend signals used buffers: InterruptStatus, frontend VIRQ (40) until ACKed.
    assertEquals(hvc(Hypercall.VIRTIO_MMIO_BACKEND_ASSERT_VIRQ, d.cap, 1n).err, 0);
    assertEquals(d.read(VIRTIO_MMIO_INTERRUPT_STATUS), 1);
    assertEquals(d.frontendIrq.level(40), true);
    assert(d.frontendIrq.calls.some((c) => c.op === "pulse" && c.virq === 40));
    d.write(VIRTIO_MMIO_INTERRUPT_ACK, 1);
    assertEquals(d.read(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    assertEquals(d.frontendIrq.level(40), false);

    // The backend may add status bits (e.g. DEVICE_NEEDS_RESET).
    assertEquals(hvc(Hypercall.VIRTIO_MMIO_BACKEND_UPDATE_STATUS, d.cap, 0x100n).err, 0);
    assertEquals(d.read(VIRTIO_MMIO_STATUS), 0x10f);

    // Reset request: Status 0 sets DEVICE_NEEDS_RESET, clears every QueueReady, notifies the backend.
    d.write(VIRTIO_MMIO_STATUS, 0);
    assertEquals(d.read(VIRTIO_MMIO_STATUS), 0x10f | VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    assertEquals(hvc(Hypercall.VIRTIO_MMIO_BACKEND_GET_QUEUE_INFO, d.cap, 1n).r[2], 0n);
    assertEquals(d.backendIrq.level(41), true);
    // While the reset is pending the backend may not interrupt the frontend.
    assertEquals(
      hvc(Hypercall.VIRTIO_MMIO_BACKEND_ASSERT_VIRQ, d.cap, 1n).err,
      HypError.ERROR_DENIED,
    );
    n = hvc(Hypercall.VIRTIO_MMIO_BACKEND_GET_NOTIFICATION, d.cap);
    assertEquals(n.r[2], BigInt(VIRTIO_NOTIFY_RESET_RQST));
    assertEquals(hvc(Hypercall.VIRTIO_MMIO_BACKEND_ACKNOWLEDGE_RESET, d.cap).err, 0);
    assertEquals(d.read(VIRTIO_MMIO_STATUS), 0);
    // Writing 0 to a zero Status is not a new reset request.
    d.write(VIRTIO_MMIO_STATUS, 0);
    assertEquals(hvc(Hypercall.VIRTIO_MMIO_BACKEND_GET_NOTIFICATION, d.cap).r[2], 0n);
    // FAILED is reported once, on its rising edge.
    d.write(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_FAILED);
    d.write(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_FAILED | 1);
    assertEquals(
      hvc(Hypercall.VIRTIO_MMIO_BACKEND_GET_NOTIFICATION, d.cap).r[2],
      BigInt(VIRTIO_NOTIFY_FAILED),
    );
    assertEquals(VIRTIO_STATUS_DRIVER_OK, 4);
  });
}

Deno.test("virtio_mmio frontend: access sizes, config space, faults, unbind and VIRQ errors", () => {
  const core = createTestCore();
  const d = activeDevice(core, 1);
  // Byte writes only in the config space; misaligned and 2-byte writes fault.
  assertEquals(d.write(VIRTIO_MMIO_STATUS, 1, 1), MmioResult.Unclaimed);
  assertEquals(d.write(VIRTIO_MMIO_QUEUE_SEL + 2, 0, 4), MmioResult.Unclaimed);
  assertEquals(d.write(VIRTIO_MMIO_CONFIG, 0xab, 2), MmioResult.Unclaimed);
  assertEquals(d.write(VIRTIO_MMIO_CONFIG + 3, 0xab, 1), MmioResult.Handled);
  assertEquals(d.write(VIRTIO_MMIO_CONFIG + 8, 0x11223344, 4), MmioResult.Handled);
  assertEquals(d.read(VIRTIO_MMIO_CONFIG, 4), 0xab000000);
  assertEquals(d.read(VIRTIO_MMIO_CONFIG + 8, 1), 0x44);
  assertEquals(d.write(0xfff, 1, 1), MmioResult.Handled);
  // Read-only registers fault on write.
  assertEquals(d.write(VIRTIO_MMIO_MAGIC_VALUE, 1), MmioResult.Unclaimed);
  assertEquals(d.write(VIRTIO_MMIO_INTERRUPT_STATUS, 1), MmioResult.Unclaimed);
  // Binding rules: an SPI of the vic; bound twice → VIRQ_BOUND.
  const vic = activeVic(core);
  assertEquals(
    core.call(Hypercall.VIRTIO_MMIO_BACKEND_BIND_VIRQ, d.cap, vic.cap, 40n).err,
    HypError.ERROR_VIRQ_BOUND,
  );
  assertEquals(core.call(Hypercall.VIRTIO_MMIO_BACKEND_UNBIND_VIRQ, d.cap).err, 0);
  assertEquals(core.call(Hypercall.VIRTIO_MMIO_BACKEND_UNBIND_VIRQ, d.cap).err, 0);
  assertEquals(
    core.call(Hypercall.VIRTIO_MMIO_BACKEND_BIND_VIRQ, d.cap, vic.cap, 20n).err,
    HypError.ERROR_ARGUMENT_INVALID,
  );
  // Asserting with no VIRQ bound still records the status.
  assertEquals(core.call(Hypercall.VIRTIO_MMIO_BACKEND_ASSERT_VIRQ, d.cap, 2n).err, 0);
  assertEquals(d.read(VIRTIO_MMIO_INTERRUPT_STATUS), 2);
  // A reset request with the frontend VIRQ unbound faults the write (HYP returns virq_assert's result).
  assertEquals(core.call(Hypercall.VIRTIO_MMIO_FRONTEND_UNBIND_VIRQ, d.cap).err, 0);
  d.write(VIRTIO_MMIO_STATUS, 1);
  assertEquals(d.write(VIRTIO_MMIO_STATUS, 0), MmioResult.Unclaimed);
  assertEquals(
    d.read(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET,
    VIRTIO_STATUS_DEVICE_NEEDS_RESET,
  );
  // Deleting the last cap destroys the object and frees the page for another device.
  assertEquals(core.call(Hypercall.CSPACE_DELETE_CAP_FROM, core.cspaceCap, d.cap).err, 0);
  const again = create(core, Hypercall.PARTITION_CREATE_VIRTIO_MMIO);
  assertEquals(core.call(Hypercall.VIRTIO_MMIO_CONFIGURE, again, d.me, 1n, 0n, 0n).err, 0);
  assertEquals(core.call(Hypercall.OBJECT_ACTIVATE, again).err, 0);
});
