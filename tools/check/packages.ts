/**
 * Can each workspace member be published on its own? For every member this
 * runs `deno publish --dry-run --allow-dirty` (the registry's own checks:
 * the exports resolve, the public API has no slow types, every import is a
 * declared dependency) and `deno doc --lint` on each of its entry points.
 * Both run offline.
 *
 * ```sh
 * deno run -A tools/check/packages.ts
 * ```
 *
 * Gaps the project has not decided yet are reported, not failed:
 * - no member has a `license` (choosing one is the owner's decision), so
 *   `missing-license` is expected from every dry run;
 * - entry points not yet in {@link DOC_LINT_CLEAN} have undocumented
 *   symbols; their counts are printed. An entry point in the list that
 *   regresses fails the check.
 *
 * @module
 */
import { entrySpecifier, loadWorkspace } from "./workspace.ts";

/** Entry points whose every exported symbol is documented (`deno doc --lint` passes). */
export const DOC_LINT_CLEAN: ReadonlySet<string> = new Set([
  "@gunyah-ts/core/abi",
  "@gunyah-ts/core/plugin",
  "@gunyah-ts/cli/main",
  "@gunyah-ts/bench",
  "@gunyah-ts/check",
  "@gunyah-ts/tests/assert",
  "@gunyah-ts/tests/guests",
  "@gunyah-ts/tests/e2e",
]);

/** Problems `deno publish --dry-run` reports that are known and not failed (see the module doc). */
export const ACCEPTED_PUBLISH_PROBLEMS: ReadonlySet<string> = new Set(["missing-license"]);

/** The result for one member. */
export interface PackageReport {
  /** The member's package name. */
  readonly name: string;
  /** Publish problems by code (`missing-explicit-type`, ...), accepted ones included. */
  readonly publishProblems: readonly string[];
  /** Doc-lint problem count per entry-point specifier. */
  readonly docLint: ReadonlyMap<string, number>;
}

async function run(args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" }, // plain text to match on
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const dec = new TextDecoder();
  return dec.decode(out.stdout) + dec.decode(out.stderr);
}

/** Dry-run publish and doc-lint every member of the workspace at `root`. */
export async function checkPackages(root: string): Promise<PackageReport[]> {
  const ws = loadWorkspace(root);
  const reports: PackageReport[] = [];
  // Two at a time: each run is one type-check, the machine has few cores.
  const queue = [...ws.members].sort((a, b) => a.dir.localeCompare(b.dir));
  const worker = async () => {
    for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
      const publish = await run(["publish", "--dry-run", "--allow-dirty"], `${root}/${m.dir}`);
      const publishProblems = [...publish.matchAll(/^error\[([a-z-]+)\]/gm)].map((x) => x[1]);
      if (/^error: /m.test(publish) && publishProblems.length === 0) {
        publishProblems.push(publish.split("\n").find((l) => l.startsWith("error: ")) ?? "error");
      }
      const docLint = new Map<string, number>();
      for (const [sub, file] of m.exports) {
        const out = await run(["doc", "--lint", file], root);
        docLint.set(entrySpecifier(m, sub), [...out.matchAll(/^error\[/gm)].length);
      }
      reports.push({ name: m.name, publishProblems, docLint });
    }
  };
  await Promise.all([worker(), worker()]);
  return reports.sort((a, b) => a.name.localeCompare(b.name));
}

/** The failures among `reports` (an empty list: every member passes). */
export function failures(reports: readonly PackageReport[]): string[] {
  const out: string[] = [];
  for (const r of reports) {
    const bad = r.publishProblems.filter((p) => !ACCEPTED_PUBLISH_PROBLEMS.has(p));
    if (bad.length > 0) out.push(`${r.name}: deno publish --dry-run: ${bad.join(", ")}`);
    for (const [entry, n] of r.docLint) {
      if (n > 0 && DOC_LINT_CLEAN.has(entry)) {
        out.push(
          `${entry}: deno doc --lint finds ${n} problem(s), and it is listed in DOC_LINT_CLEAN`,
        );
      }
    }
  }
  return out;
}

if (import.meta.main) {
  const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
  const reports = await checkPackages(root);
  const undocumented = reports.flatMap((r) =>
    [...r.docLint].filter(([e, n]) => n > 0 && !DOC_LINT_CLEAN.has(e)).map(([e, n]) => `${e} ${n}`)
  );
  if (undocumented.length > 0) {
    console.log(`not yet documented (deno doc --lint problems): ${undocumented.join(", ")}`);
  }
  const failed = failures(reports);
  for (const f of failed) console.error(f);
  if (failed.length > 0) Deno.exit(1);
  console.log(`${reports.length} members: publish dry-run passes (no license chosen yet)`);
}
