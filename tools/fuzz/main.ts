/**
 * `deno task fuzz [--all] [--target NAME]... [--budget 10m] [--seed N]
 * [--batches N] [--batch-size N]`: run the fuzzers (all with `--all`, the
 * default), sharing the budget, and print per target the seed, batches,
 * cases and failures. A failure prints the batch seed that reproduces it:
 * `deno task fuzz --target NAME --seed SEED --batches 1`. Exit status 1 when
 * anything failed.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { FUZZ_TARGETS } from "./mod.ts";
import { runTarget } from "./runner.ts";

/** Parse `10m`, `90s`, `500ms` or a number of seconds. */
export function parseBudget(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`--budget: expected a duration such as 10m, 90s or 500ms, got '${text}'`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? "s"]!;
  return Number(m[1]) * unit;
}

/** The text `--help` prints. */
export function usage(): string {
  return `deno task fuzz [options]: run the project's fuzzers against hypercalls, RM RPC, virtqueues
and the parsers, sharing one time budget; a failure prints the seed that reproduces it.

Options:
  --all                 every target (the default when no --target is given)
  --target NAME         one target (repeatable); targets: ${
    FUZZ_TARGETS.map((t) => t.target.name).join(", ")
  }
  --budget DURATION     total time, e.g. 10m, 90s, 500ms (default 1m)
  --seed N              first batch seed (default: from the clock, printed)
  --batches N           stop each target after N batches (default: when its budget is spent)
  --batch-size N        cases per batch (default: per target)
  -h, --help            this text

Exit status: 0 no failures, 1 a fuzzer found a failure, 2 bad options.`;
}

function count(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new Error(`--${name}: expected a non-negative integer, got '${text}'`);
  }
  return n;
}

/** Run the fuzzers as `args` say; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  let values;
  let budgetMs: number, seed: number, batches: number | undefined, batchSize: number | undefined;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        all: { type: "boolean" },
        target: { type: "string", multiple: true },
        budget: { type: "string" },
        seed: { type: "string" },
        batches: { type: "string" },
        "batch-size": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
    if (values.help) {
      console.log(usage());
      return 0;
    }
    budgetMs = parseBudget(values.budget ?? "1m");
    seed = (count("seed", values.seed) ?? Date.now()) >>> 0;
    batches = count("batches", values.batches);
    batchSize = count("batch-size", values["batch-size"]);
  } catch (e) {
    console.error(`fuzz: ${(e as Error).message}\n(deno task fuzz --help lists the options)`);
    return 2;
  }
  const names = values.target ?? [];
  const chosen = values.all || names.length === 0
    ? FUZZ_TARGETS
    : FUZZ_TARGETS.filter((t) => names.includes(t.target.name));
  const unknown = names.filter((n) => !FUZZ_TARGETS.some((t) => t.target.name === n));
  if (unknown.length > 0) {
    console.error(
      `unknown fuzz target ${unknown.join(", ")} (targets: ${
        FUZZ_TARGETS.map((t) => t.target.name).join(", ")
      })`,
    );
    return 2;
  }
  console.log(`fuzz: seed ${seed}, budget ${budgetMs / 1000} s over ${chosen.length} targets`);
  let total = 0, failed = 0;
  for (const { target, batchSize: dflt } of chosen) {
    const r = await runTarget(
      target,
      { seed, budgetMs: budgetMs / chosen.length, batches, batchSize },
      dflt,
    );
    total += r.cases;
    failed += r.failures.length;
    console.log(
      `${target.name}: ${r.cases} cases in ${r.batches} batches, ${
        (r.ms / 1000).toFixed(1)
      } s, ${r.failures.length} failures`,
    );
    for (const f of r.failures) {
      console.log(`  FAIL ${f.message}`);
      console.log(
        `  reproduce: deno task fuzz --target ${target.name} --seed ${f.batchSeed} --batches 1` +
          (batchSize !== undefined ? ` --batch-size ${batchSize}` : ""),
      );
    }
  }
  console.log(`fuzz: ${total} cases, ${failed} failures`);
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
