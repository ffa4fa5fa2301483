import { assertEquals } from "@gunyah-ts/tests/assert";
import { HypError } from "../abi/error.ts";
import { Hypercall } from "../abi/hypercall_numbers.ts";
import { createTestCore, HYPERCALL_FORMS } from "./test_fixture.ts";
import { HypercallTable } from "./table.ts";
import {
  registerTraceHypercalls,
  TRACE_BOOT_CLASS_FLAGS_DEBUG,
  TraceClass,
  traceClassBit,
  TraceClassFlags,
} from "./trace_control.ts";

const ERROR_BIT = traceClassBit(TraceClass.ERROR);
const LOG_BUFFER_BIT = traceClassBit(TraceClass.LOG_BUFFER);
const VGIC_BIT = traceClassBit(TraceClass.VGIC);

for (const form of HYPERCALL_FORMS) {
  Deno.test(`trace_update_class_flags (${form}): set/clear, internal classes kept, new word returned`, () => {
    const core = createTestCore();
    const call = (...a: bigint[]) =>
      form === "native"
        ? core.hvcNative(Hypercall.TRACE_UPDATE_CLASS_FLAGS, ...a)
        : core.hvcSmccc(Hypercall.TRACE_UPDATE_CLASS_FLAGS, ...a);
    // No change: returns the boot word of a debug build (ERROR|DEBUG|USER|INFO).
    let r = call(0n, 0n);
    assertEquals(r.err, 0);
    assertEquals(r.r[1], TRACE_BOOT_CLASS_FLAGS_DEBUG);
    assertEquals(r.r[1], 0x47n);
    // Set VGIC, clear INFO.
    r = call(VGIC_BIT, traceClassBit(TraceClass.INFO));
    assertEquals(r.r[1], 0x47n & ~0x40n | VGIC_BIT);
    // ERROR cannot be cleared, LOG_BUFFER cannot be set; clearing everything keeps ERROR.
    r = call(LOG_BUFFER_BIT, 0xffff_ffff_ffff_ffffn);
    assertEquals(r.err, 0);
    assertEquals(r.r[1], ERROR_BIT);
    // A bit in both masks ends set; high bits are public too; res0 is ignored.
    r = call(1n << 63n | traceClassBit(TraceClass.PSCI), traceClassBit(TraceClass.PSCI), 0x1234n);
    assertEquals(r.r[1], ERROR_BIT | 1n << 63n | traceClassBit(TraceClass.PSCI));
  });
}

Deno.test("trace_update_class_flags: ERROR_DENIED when the platform disables debug; flags are per instance", () => {
  const core = createTestCore();
  const table = new HypercallTable();
  const flags = registerTraceHypercalls(table, new TraceClassFlags(ERROR_BIT, true));
  const regs = new BigUint64Array(8);
  regs[0] = VGIC_BIT;
  table.invoke(core.ctx, Hypercall.TRACE_UPDATE_CLASS_FLAGS, regs, 0);
  assertEquals(Number(BigInt.asIntN(64, regs[0])), HypError.ERROR_DENIED);
  assertEquals(regs[1], 0n);
  assertEquals(flags.flags, ERROR_BIT);
  // The hypervisor's own update is not masked.
  flags.update(0n, ERROR_BIT);
  assertEquals(flags.enabled(TraceClass.ERROR), false);
  // Another instance has its own word.
  assertEquals(createTestCore().call(Hypercall.TRACE_UPDATE_CLASS_FLAGS, 0n, 0n).r[1], 0x47n);
});
