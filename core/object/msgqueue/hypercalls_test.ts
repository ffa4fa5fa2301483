import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { HypError } from "../../abi/error.ts";
import { encodeMsgqueueCreateInfo } from "../../abi/formats.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import { CAP_RIGHTS_MSGQUEUE_RECEIVE, CAP_RIGHTS_MSGQUEUE_SEND } from "../../abi/rights.ts";
import type { RecordingInterruptController } from "../../hypercall/test_doubles.ts";
import {
  createTestCore,
  HYPERCALL_FORMS,
  TEST_RAM_BASE,
  type TestCore,
} from "../../hypercall/test_fixture.ts";
import { ObjectType } from "../object_type.ts";
import type { Vic } from "../vic/vic.ts";
import type { Msgqueue } from "./msgqueue.ts";

const M1 = 0xffffffffn; // -1 as a 32-bit count
const BUF = BigInt(TEST_RAM_BASE + 0x1000);
const OUT = BigInt(TEST_RAM_BASE + 0x2000);

function hv(core: TestCore, form: typeof HYPERCALL_FORMS[number]) {
  return (n: number, ...args: bigint[]) =>
    form === "native" ? core.hvcNative(n, ...args) : core.hvcSmccc(n, ...args);
}

function create(core: TestCore, n: number): bigint {
  const r = core.call(n, core.partitionCap, core.cspaceCap);
  assertEquals(r.err, 0);
  return r.r[1];
}

function setup(core: TestCore, depth: number, size: number) {
  const mq = create(core, Hypercall.PARTITION_CREATE_MSGQUEUE);
  assertEquals(
    core.call(Hypercall.MSGQUEUE_CONFIGURE, mq, encodeMsgqueueCreateInfo(depth, size)).err,
    0,
  );
  assertEquals(core.call(Hypercall.OBJECT_ACTIVATE, mq).err, 0);
  const vic = create(core, Hypercall.PARTITION_CREATE_VIC);
  assertEquals(core.call(Hypercall.VIC_CONFIGURE, vic, 2n, 64n, 0n, 0n).err, 0);
  assertEquals(core.call(Hypercall.OBJECT_ACTIVATE, vic).err, 0);
  const vicObj = core.rootCspace.lookup<Vic>(vic, ObjectType.VIC, 0);
  const irq = core.controllers.get(vicObj) as RecordingInterruptController;
  assertEquals(core.call(Hypercall.MSGQUEUE_BIND_SEND_VIRQ, mq, vic, 40n).err, 0);
  assertEquals(core.call(Hypercall.MSGQUEUE_BIND_RECEIVE_VIRQ, mq, vic, 41n).err, 0);
  return { mq, vic, irq, obj: core.rootCspace.lookup<Msgqueue>(mq, ObjectType.MSGQUEUE, 0) };
}

for (const form of HYPERCALL_FORMS) {
  Deno.test(`[${form}] msgqueue: configure limits and activation`, () => {
    const core = createTestCore();
    const call = hv(core, form);
    const mq = create(core, Hypercall.PARTITION_CREATE_MSGQUEUE);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, mq).err, HypError.ERROR_OBJECT_CONFIG);
    const q = create(core, Hypercall.PARTITION_CREATE_MSGQUEUE);
    for (const [d, s] of [[0, 8], [256, 8], [8, 0], [8, 1024]]) {
      assertEquals(
        call(Hypercall.MSGQUEUE_CONFIGURE, q, encodeMsgqueueCreateInfo(d, s)).err,
        HypError.ERROR_ARGUMENT_INVALID,
        `${d}/${s}`,
      );
    }
    assertEquals(call(Hypercall.MSGQUEUE_CONFIGURE, q, encodeMsgqueueCreateInfo(255, 1023)).err, 0);
    assertEquals(call(Hypercall.MSGQUEUE_SEND, q, 1n, BUF, 0n).err, HypError.ERROR_OBJECT_STATE);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, q).err, 0);
    assertEquals(
      call(Hypercall.MSGQUEUE_CONFIGURE, q, encodeMsgqueueCreateInfo(8, 240)).err,
      HypError.ERROR_OBJECT_STATE,
    );
  });

  Deno.test(`[${form}] msgqueue: send/receive copy real bytes; FULL and EMPTY; not_full/not_empty`, () => {
    const core = createTestCore();
    const call = hv(core, form);
    const { mq, irq } = setup(core, 2, 16);
    core.physicalMemory.write(Number(BUF), new TextEncoder().encode("hello"));
    assertEquals(call(Hypercall.MSGQUEUE_RECEIVE, mq, OUT, 16n).err, HypError.ERROR_MSGQUEUE_EMPTY);
    const s1 = call(Hypercall.MSGQUEUE_SEND, mq, 5n, BUF, 0n);
    assertEquals([s1.err, s1.r[1]], [0, 1n]);
    // Reaching the not-empty threshold (1) asserts the receive VIRQ.
    assert(irq.pending.has(41));
    assert(irq.level(41));
    const s2 = call(Hypercall.MSGQUEUE_SEND, mq, 3n, BUF, 0n);
    assertEquals([s2.err, s2.r[1]], [0, 0n]);
    assertEquals(call(Hypercall.MSGQUEUE_SEND, mq, 3n, BUF, 0n).err, HypError.ERROR_MSGQUEUE_FULL);
    assert(!irq.level(40)); // count 2 > not-full threshold 1
    const r1 = call(Hypercall.MSGQUEUE_RECEIVE, mq, OUT, 16n);
    assertEquals([r1.err, r1.r[1], r1.r[2]], [0, 5n, 1n]);
    assertEquals(new TextDecoder().decode(core.physicalMemory.read(Number(OUT), 5)), "hello");
    assert(irq.pending.has(40)); // dropped to the not-full threshold
    const r2 = call(Hypercall.MSGQUEUE_RECEIVE, mq, OUT, 16n);
    assertEquals([r2.err, r2.r[1], r2.r[2]], [0, 3n, 0n]);
    assert(!irq.level(41));
    assertEquals(call(Hypercall.MSGQUEUE_RECEIVE, mq, OUT, 16n).err, HypError.ERROR_MSGQUEUE_EMPTY);
  });

  Deno.test(`[${form}] msgqueue: an idle queue's send VIRQ is not pending until asserted`, () => {
    const core = createTestCore();
    const call = hv(core, form);
    const { mq, irq } = setup(core, 2, 16);
    // Bound to an empty queue: count 0 ≤ not-full threshold, but nothing asserted it.
    assert(!irq.pending.has(40) && !irq.level(40));
    assert(!irq.pending.has(41) && !irq.level(41));
    core.physicalMemory.write(Number(BUF), new TextEncoder().encode("ab"));
    assertEquals(call(Hypercall.MSGQUEUE_SEND, mq, 2n, BUF, 0n).err, 0);
    assert(!irq.pending.has(40)); // a send never asserts the send side
    assertEquals(call(Hypercall.MSGQUEUE_SEND, mq, 2n, BUF, 0n).err, 0); // full
    assertEquals(call(Hypercall.MSGQUEUE_RECEIVE, mq, OUT, 16n).err, 0); // count 1 = threshold
    assert(irq.pending.has(40) && irq.level(40));
    assertEquals(call(Hypercall.MSGQUEUE_RECEIVE, mq, OUT, 16n).err, 0); // count 0, still ≤ 1
    assert(irq.ack(40)); // taken and completed: the level still holds, pending again
    assert(irq.pending.has(40));
    assertEquals(call(Hypercall.MSGQUEUE_SEND, mq, 2n, BUF, 0n).err, 0);
    assertEquals(call(Hypercall.MSGQUEUE_SEND, mq, 2n, BUF, 0n).err, 0); // full: check fails
    assert(!irq.level(40));
    assert(irq.ack(40));
    assert(!irq.pending.has(40));
    // The assertion is over: the queue draining to 0 through flush asserts anew, once.
    assertEquals(call(Hypercall.MSGQUEUE_FLUSH, mq).err, 0);
    assert(irq.pending.has(40) && irq.level(40));
  });

  Deno.test(`[${form}] msgqueue: bad buffers return documented errors and never move messages`, () => {
    const core = createTestCore();
    const call = hv(core, form);
    const { mq, obj } = setup(core, 4, 16);
    assertEquals(call(Hypercall.MSGQUEUE_SEND, mq, 0n, BUF, 0n).err, HypError.ERROR_ARGUMENT_SIZE);
    assertEquals(call(Hypercall.MSGQUEUE_SEND, mq, 17n, BUF, 0n).err, HypError.ERROR_ARGUMENT_SIZE);
    assertEquals(call(Hypercall.MSGQUEUE_SEND, mq, 4n, 0x10n, 0n).err, HypError.ERROR_ADDR_INVALID);
    assertEquals(obj.count, 0);
    assertEquals(call(Hypercall.MSGQUEUE_SEND, mq, 8n, BUF, 0n).err, 0);
    assertEquals(call(Hypercall.MSGQUEUE_RECEIVE, mq, OUT, 7n).err, HypError.ERROR_ARGUMENT_SIZE);
    assertEquals(call(Hypercall.MSGQUEUE_RECEIVE, mq, 0x10n, 16n).err, HypError.ERROR_ADDR_INVALID);
    assertEquals(obj.count, 1);
    assertEquals(call(Hypercall.MSGQUEUE_RECEIVE, mq, OUT, 8n).r[1], 8n);
  });

  Deno.test(`[${form}] msgqueue: PUSH, thresholds, flush, rights`, () => {
    const core = createTestCore();
    const call = hv(core, form);
    const { mq, irq, obj } = setup(core, 4, 16);
    // Receive threshold 3: the first two sends do not notify, a PUSH does.
    assertEquals(call(Hypercall.MSGQUEUE_CONFIGURE_RECEIVE, mq, 3n, M1).err, 0);
    assertEquals(call(Hypercall.MSGQUEUE_SEND, mq, 1n, BUF, 0n).err, 0);
    assert(!irq.pending.has(41));
    assertEquals(call(Hypercall.MSGQUEUE_SEND, mq, 1n, BUF, 1n).err, 0);
    assert(irq.pending.has(41));
    assert(!irq.level(41)); // pending once, but the level (count ≥ 3) is false
    irq.ack(41);
    assert(!irq.pending.has(41));
    assertEquals(call(Hypercall.MSGQUEUE_SEND, mq, 1n, BUF, 0n).err, 0);
    assert(irq.level(41));
    // Threshold rules.
    assertEquals(
      call(Hypercall.MSGQUEUE_CONFIGURE_RECEIVE, mq, 0n, M1).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.MSGQUEUE_CONFIGURE_RECEIVE, mq, 5n, M1).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.MSGQUEUE_CONFIGURE_RECEIVE, mq, 1n, 5n).err,
      HypError.ERROR_UNIMPLEMENTED,
    );
    assertEquals(call(Hypercall.MSGQUEUE_CONFIGURE_RECEIVE, mq, 0xfffffffen, M1).err, 0); // -2 = depth
    assert(irq.level(41)); // not re-evaluated by -2 (as in HYP) ...
    assertEquals(obj.notEmptyThreshold, 4);
    assertEquals(call(Hypercall.MSGQUEUE_CONFIGURE_RECEIVE, mq, 4n, M1).err, 0);
    assert(!irq.level(41)); // ... but an explicit threshold is: 3 < 4
    assertEquals(call(Hypercall.MSGQUEUE_CONFIGURE_RECEIVE, mq, M1, M1).err, 0); // unchanged
    assertEquals(
      call(Hypercall.MSGQUEUE_CONFIGURE_SEND, mq, 4n, M1).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.MSGQUEUE_CONFIGURE_SEND, mq, 3n, 0n).err,
      HypError.ERROR_UNIMPLEMENTED,
    );
    assertEquals(call(Hypercall.MSGQUEUE_CONFIGURE_SEND, mq, 3n, M1).err, 0);
    assert(irq.level(40)); // count 3 ≤ 3
    assertEquals(call(Hypercall.MSGQUEUE_CONFIGURE_SEND, mq, 0n, M1).err, 0);
    assert(!irq.level(40));
    // Flush: empties, asserts the send side, clears the receive side.
    irq.pending.clear();
    assertEquals(call(Hypercall.MSGQUEUE_FLUSH, mq).err, 0);
    assert(irq.pending.has(40));
    assertEquals(call(Hypercall.MSGQUEUE_RECEIVE, mq, OUT, 16n).err, HypError.ERROR_MSGQUEUE_EMPTY);
    // Rights: a send-only cap cannot receive or flush; a receive-only cap cannot send.
    const tx = core.rootCspace.copyCapFrom(core.rootCspace, mq, CAP_RIGHTS_MSGQUEUE_SEND);
    const rx = core.rootCspace.copyCapFrom(core.rootCspace, mq, CAP_RIGHTS_MSGQUEUE_RECEIVE);
    assertEquals(
      call(Hypercall.MSGQUEUE_RECEIVE, tx, OUT, 16n).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    assertEquals(call(Hypercall.MSGQUEUE_FLUSH, tx).err, HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS);
    assertEquals(
      call(Hypercall.MSGQUEUE_SEND, rx, 1n, BUF, 0n).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    assertEquals(
      call(Hypercall.MSGQUEUE_BIND_SEND_VIRQ, tx, core.cspaceCap, 42n).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    assertEquals(
      call(Hypercall.MSGQUEUE_SEND, core.cspaceCap, 1n, BUF, 0n).err,
      HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
    );
  });

  Deno.test(`[${form}] msgqueue: VIRQ binding rules`, () => {
    const core = createTestCore();
    const call = hv(core, form);
    const { mq, vic } = setup(core, 4, 16);
    assertEquals(
      call(Hypercall.MSGQUEUE_BIND_SEND_VIRQ, mq, vic, 50n).err,
      HypError.ERROR_VIRQ_BOUND,
    );
    assertEquals(call(Hypercall.MSGQUEUE_UNBIND_SEND_VIRQ, mq).err, 0);
    assertEquals(call(Hypercall.MSGQUEUE_UNBIND_SEND_VIRQ, mq).err, 0);
    assertEquals(call(Hypercall.MSGQUEUE_BIND_SEND_VIRQ, mq, vic, 41n).err, HypError.ERROR_BUSY);
    assertEquals(
      call(Hypercall.MSGQUEUE_BIND_SEND_VIRQ, mq, vic, 20n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.MSGQUEUE_BIND_SEND_VIRQ, mq, vic, 96n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.MSGQUEUE_BIND_SEND_VIRQ, mq, vic, 1n << 32n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.MSGQUEUE_BIND_SEND_VIRQ, mq, mq, 42n).err,
      HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
    );
    assertEquals(call(Hypercall.MSGQUEUE_BIND_SEND_VIRQ, mq, vic, 95n).err, 0);
  });
}
