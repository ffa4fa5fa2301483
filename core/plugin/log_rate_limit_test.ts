import { assertEquals } from "@gunyah-ts/tests/assert";
import { LogRateLimit } from "./log_rate_limit.ts";

Deno.test("LogRateLimit: a burst per source, then one line per interval, with the suppressed count", () => {
  const lines: string[] = [];
  let now = 0;
  const limit = new LogRateLimit((m) => lines.push(m), {
    burst: 3,
    intervalMs: 100,
    now: () => now,
  });
  for (let i = 0; i < 1000; i++) limit.log("vm 1", `bad ${i}`);
  limit.log("vm 2", "other guest");
  assertEquals(lines, ["vm 1: bad 0", "vm 1: bad 1", "vm 1: bad 2", "vm 2: other guest"]);
  assertEquals(limit.suppressed("vm 1"), 997);
  now = 100;
  limit.log("vm 1", "after a while");
  assertEquals(
    lines[4],
    "vm 1: after a while (997 earlier lines suppressed by the log rate limit)",
  );
  assertEquals(limit.take("vm 1"), -1);
});
