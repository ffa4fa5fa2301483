import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { ComponentInterruptController } from "./component_irq.ts";

Deno.test("ComponentInterruptController queues each assertion once, in order", () => {
  let kicks = 0;
  const irq = new ComponentInterruptController(64, () => kicks++);
  irq.setLine(40, true);
  irq.setLine(40, true); // still high: no new edge
  irq.pulse(33);
  irq.pulse(33); // already queued
  assert(irq.hasPending());
  assertEquals(irq.takePending(), [40, 33]);
  assert(!irq.hasPending());
  assert(irq.level(40));
  irq.setLine(40, false);
  irq.setLine(40, true);
  assertEquals(irq.takePending(), [40]);
  assertEquals(kicks, 3);
});

Deno.test("ComponentInterruptController rejects VIRQs it does not implement", () => {
  const irq = new ComponentInterruptController(8);
  assertThrows(() => irq.pulse(40), RangeError, "SPIs");
  assertThrows(() => irq.setLine(3, true), RangeError, "PPI");
  assertThrows(() => new ComponentInterruptController(2000), RangeError, "spiCount");
});
