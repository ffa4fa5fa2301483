/**
 * The project's own fuzzers (issue 12): hypercalls from a guest through the
 * CPU, RM RPC, virtqueues behind the virtio-mmio transport, virtio-net and
 * Ethernet segments, and the parsers
 * of untrusted input. `deno task fuzz [--all] [--target NAME] [--budget 10m]
 * [--seed N]`; a bounded slice of each runs in the test suite.
 *
 * @module
 */
import type { FuzzTarget } from "./runner.ts";
import { hypercallTarget } from "./targets/hypercall.ts";
import { rmRpcTarget } from "./targets/rm_rpc.ts";
import { virtqueueTarget } from "./targets/virtqueue.ts";
import { parsersTarget } from "./targets/parsers.ts";
import { netTarget } from "./targets/net.ts";

export * from "./prng.ts";
export * from "./runner.ts";
export { hypercallTarget, netTarget, parsersTarget, rmRpcTarget, virtqueueTarget };

/** Every target with its default batch size (cases per fresh system). */
export const FUZZ_TARGETS: readonly { readonly target: FuzzTarget; readonly batchSize: number }[] =
  [
    { target: hypercallTarget, batchSize: 2000 },
    { target: rmRpcTarget, batchSize: 300 },
    { target: virtqueueTarget, batchSize: 2000 },
    { target: parsersTarget, batchSize: 5000 },
    { target: netTarget, batchSize: 2000 },
  ];
