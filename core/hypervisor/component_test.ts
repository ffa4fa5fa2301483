import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { errorFromRegister, HypError } from "../abi/error.ts";
import { Hypercall } from "../abi/hypercall_numbers.ts";
import { type Component, type HypercallPort, PLUGIN_API_VERSION } from "../plugin/contracts.ts";
import { SchedulerBlock } from "../sched/scheduler_block.ts";
import type { ComponentPort } from "./component.ts";
import { TestSystem } from "./testing/setup.ts";

class Recorder implements Component {
  readonly kind = "component";
  readonly apiVersion = PLUGIN_API_VERSION;
  readonly name = "recorder";
  port: ComponentPort | null = null;
  virqs: number[] = [];
  stopped = false;
  start(port: HypercallPort): void {
    this.port = port as ComponentPort;
  }
  onVirq(virq: number): void {
    this.virqs.push(virq);
  }
  stop(): void {
    this.stopped = true;
  }
}

Deno.test("a component makes hypercalls through the same dispatch, with its caps", async () => {
  const sys = new TestSystem({ 0x1000: [{ op: "work", n: 10 }, { op: "wfi" }] });
  const rec = new Recorder();
  await sys.hv.addComponent(rec);
  const port = rec.port!;
  const [err, cap] = port.call(
    Hypercall.PARTITION_CREATE_THREAD,
    port.env.partitionCap,
    port.env.cspaceCap,
    0n,
  );
  assertEquals(errorFromRegister(err), HypError.OK);
  const [err2] = port.call(Hypercall.VCPU_SET_AFFINITY, cap, 0n, -1n);
  assertEquals(errorFromRegister(err2), HypError.OK);
  // Without an address space the vCPU cannot be activated.
  assertEquals(
    errorFromRegister(port.call(Hypercall.OBJECT_ACTIVATE, cap)[0]),
    HypError.ERROR_OBJECT_CONFIG,
  );
  const [, cap2] = port.call(
    Hypercall.PARTITION_CREATE_THREAD,
    port.env.partitionCap,
    port.env.cspaceCap,
    0n,
  );
  port.call(Hypercall.VCPU_SET_AFFINITY, cap2, 0n, -1n);
  const [, as] = port.call(
    Hypercall.PARTITION_CREATE_ADDRSPACE,
    port.env.partitionCap,
    port.env.cspaceCap,
    0n,
  );
  port.call(Hypercall.ADDRSPACE_CONFIGURE, as, 5n);
  port.call(Hypercall.OBJECT_ACTIVATE, as);
  assertEquals(
    errorFromRegister(port.call(Hypercall.ADDRSPACE_ATTACH_THREAD, as, cap2)[0]),
    HypError.OK,
  );
  assertEquals(errorFromRegister(port.call(Hypercall.OBJECT_ACTIVATE, cap2)[0]), HypError.OK);
  port.call(Hypercall.VCPU_POWERON, cap2, 0x1000n, 0n, 0n);
  const t = sys.hv.threads[1];
  assert(sys.hv.runUntil(() => t.isBlocked(SchedulerBlock.VCPU_WFI)));
  // An unimplemented number answers -1 like HVC would.
  assertEquals(port.call(0x1ff)[0], 0xffffffffffffffffn);
  await sys.hv.stopComponents();
  assert(rec.stopped);
});

Deno.test("VIRQs asserted on a component's controller reach onVirq between rounds", async () => {
  const sys = new TestSystem({});
  const rec = new Recorder();
  const handle = await sys.hv.addComponent(rec);
  handle.irq.pulse(45);
  handle.irq.setLine(50, true);
  assertEquals(rec.virqs, []);
  // Nothing else to do: the step delivers and reports progress; the next finds nothing.
  assertEquals(sys.hv.step(), true);
  assertEquals(rec.virqs, [45, 50]);
  assertEquals(sys.hv.step(), false);
});

Deno.test("run() wakes from idle when a component's VIRQ is asserted", async () => {
  const sys = new TestSystem({});
  const rec = new Recorder();
  const handle = await sys.hv.addComponent(rec);
  const running = sys.hv.run();
  await new Promise((r) => setTimeout(r, 5));
  handle.irq.pulse(60);
  await new Promise((r) => setTimeout(r, 5));
  sys.hv.stop();
  assertEquals(await running, "stopped");
  assertEquals(rec.virqs, [60]);
});
