import { assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { VirtualClock } from "./virtual_clock.ts";

Deno.test("VirtualClock advances with retired instructions at the configured rate", () => {
  const clock = new VirtualClock({ nsPerInstruction: 4 });
  assertEquals(clock.now, 0);
  clock.advanceInstructions(25);
  assertEquals(clock.now, 100);
  assertEquals(clock.instructionsToNs(3), 12);
  assertEquals(clock.nsToInstructions(10), 2);
  assertEquals(clock.nsToInstructions(1), 1);
  assertEquals(clock.nsToInstructions(0), 0);
  assertEquals(clock.nsToInstructions(Infinity), Infinity);
});

Deno.test("VirtualClock.advanceTo never moves time backwards", () => {
  const clock = new VirtualClock({ start: 50 });
  clock.advanceTo(40);
  assertEquals(clock.now, 50);
  clock.advanceTo(1000);
  assertEquals(clock.now, 1000);
  clock.setSliceTime(900);
  assertEquals(clock.now, 900);
});

Deno.test("VirtualClock rejects unusable rates with an actionable message", () => {
  assertThrows(() => new VirtualClock({ nsPerInstruction: 0 }), RangeError, "nsPerInstruction");
  assertThrows(() => new VirtualClock({ nsPerInstruction: NaN }), RangeError, "nsPerInstruction");
  assertThrows(() => new VirtualClock({ start: -1 }), RangeError, "start");
});
