import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { HostYield } from "./host_yield.ts";

Deno.test("HostYield: cheap yields until the interval has passed, then a full one", async () => {
  const y = new HostYield(40);
  assertEquals(y.fullDue, false);
  await y.yield();
  const start = performance.now();
  while (performance.now() - start < 45) { /* let the interval pass */ }
  assert(y.fullDue);
  await y.yield();
  assertEquals(y.fullDue, false);
});

Deno.test("HostYield: cheap yields still let due timers run", async () => {
  const y = new HostYield(1e9);
  let fired = false;
  setTimeout(() => (fired = true), 1);
  const start = performance.now();
  while (!fired && performance.now() - start < 2000) await y.yield();
  assert(fired, "a 1 ms timer fired while yielding with setImmediate only");
});

Deno.test("HostYield: full yields let socket readiness through", async () => {
  const y = new HostYield(0);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  let accepted: Deno.Conn | null = null;
  const acceptance = listener.accept().then((c) => (accepted = c));
  const client = await Deno.connect({ hostname: "127.0.0.1", port });
  for (let i = 0; i < 200 && accepted === null; i++) await y.yield();
  await acceptance;
  assert(accepted !== null, "the connection was accepted while the loop yielded");
  (accepted as Deno.Conn).close();
  client.close();
  listener.close();
});

Deno.test("HostYield: rejects a negative or NaN interval", () => {
  assertThrows(() => new HostYield(-1), RangeError);
  assertThrows(() => new HostYield(NaN), RangeError);
});
