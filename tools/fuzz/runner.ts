/**
 * The fuzz runner: each target runs batches of cases from a seed until its
 * share of the time budget (or a case count) is spent, keeps the seed of
 * every batch, and reports counts. A failure is an exception the target did
 * not expect (a host exception escaping the system under test, a broken
 * isolation invariant); it is reported with the batch seed that reproduces
 * it: `deno task fuzz --target NAME --seed SEED --batches 1`.
 *
 * @module
 */
import { batchSeed, Prng } from "./prng.ts";

/** One fuzz target. */
export interface FuzzTarget {
  /** Short name (`--target`). */
  readonly name: string;
  /** What it fuzzes. */
  readonly description: string;
  /**
   * Run one batch from `prng` (a fresh system per batch where the target
   * needs one); returns the number of cases run. Throws {@link FuzzFailure}
   * (or anything else) on a broken invariant.
   */
  batch(prng: Prng, size: number): Promise<number>;
}

/** A broken invariant, named by the target. */
export class FuzzFailure extends Error {
  override readonly name = "FuzzFailure";
}

/** How a run goes. */
export interface FuzzOptions {
  /** Base seed (each batch gets {@link batchSeed}(seed, index)). */
  readonly seed: number;
  /** Host milliseconds for this target. */
  readonly budgetMs: number;
  /** Most batches (default: unbounded within the budget; the budget still ends a run). */
  readonly batches?: number;
  /** Cases per batch (the target's default otherwise). */
  readonly batchSize?: number;
}

/** What one target's run found. */
export interface FuzzReport {
  readonly target: string;
  readonly seed: number;
  readonly batches: number;
  readonly cases: number;
  readonly ms: number;
  /** The failures, each with the batch seed that reproduces it. */
  readonly failures: readonly { readonly batchSeed: number; readonly message: string }[];
}

/** Run `target` under `options`. */
export async function runTarget(
  target: FuzzTarget,
  options: FuzzOptions,
  defaultBatchSize: number,
): Promise<FuzzReport> {
  const t0 = performance.now();
  let cases = 0, batches = 0;
  const failures: { batchSeed: number; message: string }[] = [];
  const more = () =>
    options.batches !== undefined
      ? batches < options.batches && (batches === 0 || performance.now() - t0 < options.budgetMs)
      : batches === 0 || performance.now() - t0 < options.budgetMs;
  while (more()) {
    const s = options.batches === 1 ? options.seed : batchSeed(options.seed, batches);
    batches++;
    try {
      cases += await target.batch(new Prng(s), options.batchSize ?? defaultBatchSize);
    } catch (e) {
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      failures.push({ batchSeed: s, message });
      if (failures.length >= 5) break;
    }
  }
  return {
    target: target.name,
    seed: options.seed,
    batches,
    cases,
    ms: performance.now() - t0,
    failures,
  };
}
