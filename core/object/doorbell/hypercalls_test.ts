import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { HypError } from "../../abi/error.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import { CAP_RIGHTS_DOORBELL_SEND } from "../../abi/rights.ts";
import type { RecordingInterruptController } from "../../hypercall/test_doubles.ts";
import { createTestCore, HYPERCALL_FORMS, type TestCore } from "../../hypercall/test_fixture.ts";
import { ObjectType } from "../object_type.ts";
import type { Vic } from "../vic/vic.ts";

function hv(core: TestCore, form: typeof HYPERCALL_FORMS[number]) {
  return (n: number, ...args: bigint[]) =>
    form === "native" ? core.hvcNative(n, ...args) : core.hvcSmccc(n, ...args);
}

function create(core: TestCore, n: number): bigint {
  const r = core.call(n, core.partitionCap, core.cspaceCap);
  assertEquals(r.err, 0);
  return r.r[1];
}

function setup(core: TestCore) {
  const db = create(core, Hypercall.PARTITION_CREATE_DOORBELL);
  assertEquals(core.call(Hypercall.OBJECT_ACTIVATE, db).err, 0);
  const vic = create(core, Hypercall.PARTITION_CREATE_VIC);
  assertEquals(core.call(Hypercall.VIC_CONFIGURE, vic, 1n, 32n, 0n, 0n).err, 0);
  assertEquals(core.call(Hypercall.OBJECT_ACTIVATE, vic).err, 0);
  const irq = core.controllers.get(
    core.rootCspace.lookup<Vic>(vic, ObjectType.VIC, 0),
  ) as RecordingInterruptController;
  return { db, vic, irq };
}

for (const form of HYPERCALL_FORMS) {
  Deno.test(`[${form}] doorbell: flags set before binding do not make the VIRQ pending`, () => {
    const core = createTestCore();
    const call = hv(core, form);
    const { db, vic, irq } = setup(core);
    assertEquals(call(Hypercall.DOORBELL_SEND, db, 1n).err, 0); // unbound: nobody to tell
    assertEquals(call(Hypercall.DOORBELL_BIND_VIRQ, db, vic, 33n).err, 0);
    assert(!irq.pending.has(33) && !irq.level(33));
    assertEquals(call(Hypercall.DOORBELL_SEND, db, 2n).r[1], 1n);
    assert(irq.pending.has(33) && irq.level(33));
    assertEquals(call(Hypercall.DOORBELL_RECEIVE, db, ~0n).r[1], 3n);
    assert(!irq.level(33));
  });

  Deno.test(`[${form}] doorbell: send/receive flags, level VIRQ, auto-ack, masks, reset`, () => {
    const core = createTestCore();
    const call = hv(core, form);
    const { db, vic, irq } = setup(core);
    assertEquals(call(Hypercall.DOORBELL_BIND_VIRQ, db, vic, 33n).err, 0);
    assertEquals(call(Hypercall.DOORBELL_BIND_VIRQ, db, vic, 34n).err, HypError.ERROR_VIRQ_BOUND);
    const s = call(Hypercall.DOORBELL_SEND, db, 0b101n);
    assertEquals([s.err, s.r[1]], [0, 0n]);
    assert(irq.pending.has(33));
    assert(irq.level(33));
    assertEquals(call(Hypercall.DOORBELL_SEND, db, 0b10n).r[1], 0b101n);
    assertEquals(call(Hypercall.DOORBELL_RECEIVE, db, 0n).err, HypError.ERROR_ARGUMENT_INVALID);
    const r = call(Hypercall.DOORBELL_RECEIVE, db, 0b011n);
    assertEquals([r.err, r.r[1]], [0, 0b111n]);
    assert(irq.level(33)); // bit 2 still set
    assertEquals(call(Hypercall.DOORBELL_RECEIVE, db, ~0n).r[1], 0b100n);
    assert(!irq.level(33));
    // Level irqfd style: enable bit 0, auto-ack bit 0 → pending once, line low again.
    assertEquals(call(Hypercall.DOORBELL_MASK, db, 1n, 1n).err, 0);
    irq.pending.clear();
    assertEquals(call(Hypercall.DOORBELL_SEND, db, 1n).err, 0);
    assert(irq.pending.has(33));
    assert(!irq.level(33));
    assertEquals(call(Hypercall.DOORBELL_RECEIVE, db, ~0n).r[1], 0n); // acked away
    // Not enabled: only an edge (a pending edge-triggered VIRQ), the level stays low.
    irq.pending.clear();
    assertEquals(call(Hypercall.DOORBELL_SEND, db, 2n).err, 0);
    assert(!irq.level(33));
    // Enabling a bit that is already set asserts.
    assertEquals(call(Hypercall.DOORBELL_MASK, db, 2n, 0n).err, 0);
    assert(irq.level(33));
    assertEquals(call(Hypercall.DOORBELL_RESET, db).err, 0);
    assert(!irq.level(33));
    assertEquals(call(Hypercall.DOORBELL_SEND, db, 8n).r[1], 0n);
    assert(irq.level(33)); // masks back to defaults
    // Unbind, rights, wrong type.
    assertEquals(call(Hypercall.DOORBELL_UNBIND_VIRQ, db).err, 0);
    assert(!irq.level(33));
    const sendOnly = core.rootCspace.copyCapFrom(core.rootCspace, db, CAP_RIGHTS_DOORBELL_SEND);
    assertEquals(call(Hypercall.DOORBELL_SEND, sendOnly, 1n).err, 0);
    assertEquals(
      call(Hypercall.DOORBELL_RECEIVE, sendOnly, 1n).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    assertEquals(
      call(Hypercall.DOORBELL_MASK, sendOnly, 1n, 1n).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    assertEquals(
      call(Hypercall.DOORBELL_RESET, sendOnly).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    assertEquals(
      call(Hypercall.DOORBELL_BIND_VIRQ, sendOnly, vic, 35n).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    assertEquals(
      call(Hypercall.DOORBELL_SEND, vic, 1n).err,
      HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
    );
    const fresh = create(core, Hypercall.PARTITION_CREATE_DOORBELL);
    assertEquals(call(Hypercall.DOORBELL_SEND, fresh, 1n).err, HypError.ERROR_OBJECT_STATE);
    assertEquals(call(Hypercall.DOORBELL_SEND, 0x1234n, 1n).err, HypError.ERROR_ARGUMENT_INVALID);
  });
}
