/**
 * The native hypercall port of a component (plugin contract
 * `HypercallPort`): the same dispatch a vCPU reaches with
 * `hvc #0x6000+N`, called directly with argument values.
 *
 * @module
 */
import type { HypercallPort } from "../plugin/contracts.ts";
import type { HypercallContext } from "./context.ts";
import type { HypercallTable } from "./table.ts";

/** A `HypercallPort` that calls `table` as the caller described by `ctx`. */
export function createHypercallPort(table: HypercallTable, ctx: HypercallContext): HypercallPort {
  return {
    call(n: number, ...args: bigint[]): bigint[] {
      return table.call(ctx, n, ...args);
    },
  };
}
