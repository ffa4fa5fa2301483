import { assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { errorFromRegister, HypError, HypErrorException } from "../abi/error.ts";
import { Hypercall } from "../abi/hypercall_numbers.ts";
import { createHypercallPort } from "./port.ts";
import { createTestCore } from "./test_fixture.ts";
import { HypercallTable } from "./table.ts";

Deno.test("table: registration checks names, numbers and duplicates", () => {
  const t = new HypercallTable();
  assertThrows(
    () => t.registerHypercall(0x12, "doorbell_receive", () => {}),
    Error,
    "doorbell_send",
  );
  assertThrows(() => t.registerHypercall(0x200, "x", () => {}), RangeError);
  t.registerHypercall(0x12, "doorbell_send", () => {});
  assertThrows(() => t.registerHypercall(0x12, "doorbell_send", () => {}), Error, "already");
  assertEquals(t.entry(0x12)?.resultCount, 2);
  assertEquals(t.isImplemented(0x13), false);
});

Deno.test("table: native results go to X0.., SMCCC arguments come from X1..; other registers kept", () => {
  const core = createTestCore();
  const seen: bigint[][] = [];
  core.dispatcher.table.registerHypercall(Hypercall.VCPU_RUN, "vcpu_run", (_ctx, a, r) => {
    seen.push(Array.from(a));
    r[1] = 11n;
    r[4] = 44n;
  });
  const n = core.hvcNative(Hypercall.VCPU_RUN, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n);
  assertEquals(Array.from(n.r), [0n, 11n, 0n, 0n, 44n, 6n, 7n, 8n]);
  const s = core.hvcSmccc(Hypercall.VCPU_RUN, 1n, 2n, 3n, 4n, 5n, 6n, 7n);
  assertEquals(Array.from(s.r), [0n, 11n, 0n, 0n, 44n, 5n, 6n, 7n]);
  assertEquals(seen, [[1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n], [1n, 2n, 3n, 4n, 5n, 6n, 7n, 0n]]);
});

Deno.test("table: HypErrorException becomes X0, other exceptions propagate; observer sees every call", () => {
  const core = createTestCore();
  const log: [number, string | null, number][] = [];
  core.dispatcher.table.observer = (_ctx, entry, n, r) =>
    log.push([n, entry?.name ?? null, errorFromRegister(r[0])]);
  core.dispatcher.table.registerHypercall(Hypercall.VCPU_KILL, "vcpu_kill", () => {
    throw new HypErrorException(HypError.ERROR_DENIED);
  });
  core.dispatcher.table.registerHypercall(Hypercall.VCPU_POWERON, "vcpu_poweron", () => {
    throw new TypeError("bug");
  });
  assertEquals(core.hvcNative(Hypercall.VCPU_KILL, 1n).err, HypError.ERROR_DENIED);
  assertThrows(() => core.hvcNative(Hypercall.VCPU_POWERON), TypeError, "bug");
  assertEquals(core.hvcNative(Hypercall.OBJECT_RESET).err, HypError.ERROR_UNIMPLEMENTED);
  assertEquals(log, [[0x3a, "vcpu_kill", HypError.ERROR_DENIED], [0x0e, null, -1]]);
});

Deno.test("hypervisor_identify flags announce exactly what is registered; prng; HypercallPort", () => {
  const core = createTestCore();
  // partition+cspace, doorbell, msgqueue, vic, vpm, memextent, trace_ctrl, virtio_mmio, prng; FPRR in bits 31:28.
  assertEquals(core.call(Hypercall.HYPERVISOR_IDENTIFY).r[1], 0x100006dfn);
  core.dispatcher.table.registerHypercall(Hypercall.VCPU_CONFIGURE, "vcpu_configure", () => {});
  assertEquals(core.call(Hypercall.HYPERVISOR_IDENTIFY).r[1], 0x100006ffn);
  const e = core.call(Hypercall.PRNG_GET_ENTROPY, 6n);
  assertEquals(e.err, 0);
  assertEquals(e.r[2] >> 16n, 0n); // only 2 bytes in the second word
  assertEquals(e.r.length, 5);
  assertEquals(core.call(Hypercall.PRNG_GET_ENTROPY, 0n).err, HypError.ERROR_ARGUMENT_SIZE);
  assertEquals(core.call(Hypercall.PRNG_GET_ENTROPY, 17n).err, HypError.ERROR_ARGUMENT_SIZE);
  // Determinism: the same seed gives the same entropy and the same CapIDs.
  const a = createTestCore({ seed: 5n });
  const b = createTestCore({ seed: 5n });
  assertEquals(
    a.call(Hypercall.PRNG_GET_ENTROPY, 16n).r,
    b.call(Hypercall.PRNG_GET_ENTROPY, 16n).r,
  );
  assertEquals(a.partitionCap, b.partitionCap);
  const port = createHypercallPort(core.dispatcher.table, core.ctx);
  const [err, cap] = port.call(
    Hypercall.PARTITION_CREATE_DOORBELL,
    core.partitionCap,
    core.cspaceCap,
  );
  assertEquals(err, 0n);
  assertEquals(port.call(Hypercall.OBJECT_ACTIVATE, cap), [0n]);
});
