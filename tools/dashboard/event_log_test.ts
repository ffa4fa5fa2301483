import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { EventLog } from "./event_log.ts";
import { printThenOffGuest, systemWithGuest } from "./test_fixture.ts";

Deno.test("event log: bounded ring of recent events, counts of the frequent ones", async () => {
  const { system, vm } = await systemWithGuest(printThenOffGuest("x"));
  const log = new EventLog(system, 4);
  system.hv.log("first");
  for (let i = 0; i < 5; i++) system.hv.log(`message ${i}`);
  assertEquals(log.total, 6);
  assertEquals(log.recent().map((e) => [e.seq, e.kind, e.text]), [
    [2, "log", "message 1"],
    [3, "log", "message 2"],
    [4, "log", "message 3"],
    [5, "log", "message 4"],
  ]);
  assertEquals(log.recent(2).map((e) => e.seq), [4, 5]);
  assertEquals(log.recent(10, 4).map((e) => e.seq), [5]);

  let ended = false;
  vm.ended.then(() => (ended = true));
  system.hv.runUntil(() => system.vmRecord(vm.vmid).exitReason !== null, 1e6);
  await vm.ended;
  assert(ended);
  const kinds = log.recent().map((e) => e.kind);
  assert(kinds.includes("vm.exit"), kinds.join());
  assertEquals(log.exits.hvc, 1);
  assert((log.counts["sched.switch"] ?? 0) >= 1);
  assert(log.recent().some((e) => e.text.includes("requested system_off")));

  log.close();
  system.hv.log("after close");
  assertEquals(log.recent().at(-1)!.text.includes("after close"), false);
  assertThrows(() => new EventLog(system, 0), RangeError, "positive integer");
});
