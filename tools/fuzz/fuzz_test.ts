/**
 * The bounded slice of every fuzzer that runs with the suite (CI): a fixed
 * seed, a few batches each, zero failures.
 */
import { assertEquals } from "@gunyah-ts/tests/assert";
import { FUZZ_TARGETS, runTarget } from "./mod.ts";

const SLICE: Record<string, { batches: number; batchSize: number }> = {
  hypercall: { batches: 1, batchSize: 1500 },
  "rm-rpc": { batches: 1, batchSize: 150 },
  virtqueue: { batches: 6, batchSize: 400 },
  parsers: { batches: 2, batchSize: 3000 },
  net: { batches: 3, batchSize: 600 },
};

for (const { target } of FUZZ_TARGETS) {
  Deno.test(`fuzz slice: ${target.name} (seed 12)`, async () => {
    const slice = SLICE[target.name];
    const r = await runTarget(
      target,
      { seed: 12, budgetMs: 60_000, batches: slice.batches, batchSize: slice.batchSize },
      slice.batchSize,
    );
    console.log(`${target.name}: ${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s`);
    assertEquals(r.failures, []);
  });
}
