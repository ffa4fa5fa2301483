/**
 * Measures what a busy host loop keeps of the CPU, and what the event loop
 * still serves, for each way of yielding between 10 ms busy slices:
 * `timeout` (setTimeout 0 every slice), `immediate` (setImmediate every
 * slice) and `hostyield` (core/hypervisor/host_yield.ts: setImmediate, plus
 * setTimeout 0 every 50 ms). A 1 ms interval timer counts ticks and an
 * in-process HTTP server counts the requests an in-process client gets
 * answered (pass `--no-client` to measure the busy share without it).
 *
 * Run: `deno run -A tools/bench/event_loop_yield.ts [--no-client]`
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { HostYield } from "@gunyah-ts/core";

const SLICE_MS = 10;
const RUN_MS = 3000;
const withClient = !Deno.args.includes("--no-client");

async function measure(name: string, yieldNow: () => Promise<void>): Promise<void> {
  let ticks = 0;
  const interval = setInterval(() => ticks++, 1);
  let requests = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    requests++;
    return new Response("ok");
  });
  let done = false;
  const client = withClient
    ? (async () => {
      while (!done) {
        const r = await fetch(`http://127.0.0.1:${server.addr.port}/`);
        await r.text();
      }
    })()
    : Promise.resolve();
  let busy = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < RUN_MS) {
    const s = performance.now();
    while (performance.now() - s < SLICE_MS) { /* emulation stands in here */ }
    busy += performance.now() - s;
    await yieldNow();
  }
  const total = performance.now() - t0;
  done = true;
  clearInterval(interval);
  await server.shutdown();
  await client.catch(() => {});
  console.log(
    `${name.padEnd(10)} busy ${(busy / total * 100).toFixed(1)}%  1ms-timer ticks/s ${
      (ticks / total * 1000).toFixed(0)
    }  HTTP requests/s ${(requests / total * 1000).toFixed(0)}`,
  );
}

await measure("timeout", () => new Promise<void>((r) => setTimeout(r, 0)));
await measure("immediate", () => new Promise<void>((r) => setImmediate(r)));
const hy = new HostYield();
await measure("hostyield", () => hy.yield());
Deno.exit(0);
