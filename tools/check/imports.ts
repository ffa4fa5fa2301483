/**
 * The package-boundary checker: every import that crosses from one workspace
 * member into another goes through an entry point the target declares in the
 * `exports` of its `deno.json` (`@gunyah-ts/core`, `@gunyah-ts/core/plugin`),
 * never a relative path into the other member's files.
 *
 * ```sh
 * deno run -A tools/check/imports.ts         # report; exit 1 naming file:line and the import
 * deno run -A tools/check/imports.ts --fix   # rewrite each crossing import to its entry point
 * ```
 *
 * `--fix` finds, for each imported name, an entry point of the target member
 * that re-exports the same declaration (the smallest such entry point wins),
 * splits an import over several entry points when it must, and names what to
 * export when no entry point has it. Running it again changes nothing.
 *
 * @module
 */
import { ExportIndex } from "./exports.ts";
import { type Clause, parseClause, type Reference, scanReferences } from "./source.ts";
import {
  dirname,
  entrySpecifier,
  loadWorkspace,
  type Member,
  memberOf,
  normalize,
  relative,
  resolveBare,
  sourceFiles,
  type Workspace,
} from "./workspace.ts";

/** Folders never scanned (generated output). */
export const EXCLUDED: readonly string[] = ["tests/guests/build"];

/** One import that breaks a package boundary. */
export interface Finding {
  /** Root-relative file holding the import. */
  readonly file: string;
  /** 1-based line of the import. */
  readonly line: number;
  /** The specifier as written. */
  readonly specifier: string;
  /** What is wrong, in words a person can act on. */
  readonly problem: string;
  /** The statement with entry-point specifiers, when the fixer can rewrite it. */
  readonly replacement?: string;
  /** Offset of the statement in the file. */
  readonly start: number;
  /** Offset just past the statement. */
  readonly end: number;
}

interface Group {
  spec: string;
  names: { name: string; alias: string; type: boolean }[];
  namespace?: string;
}

function formatStatement(ref: Reference, groups: Group[]): string {
  return groups.map((g) => {
    const parts: string[] = [];
    const def = g.names.find((n) => n.name === "default" && ref.kind === "import");
    const named = g.names.filter((n) => n !== def);
    if (def) parts.push(def.alias);
    if (g.namespace !== undefined) parts.push(g.namespace === "" ? "*" : `* as ${g.namespace}`);
    if (named.length > 0 || parts.length === 0) {
      const inner = named.map((n) =>
        `${n.type ? "type " : ""}${n.name === n.alias ? n.name : `${n.name} as ${n.alias}`}`
      );
      parts.push(`{ ${inner.join(", ")} }`);
    }
    return `${ref.kind}${ref.typeOnly ? " type" : ""} ${parts.join(", ")} from "${g.spec}";`;
  }).join("\n");
}

/** Chooses entry points of a member for the declarations an import needs. */
class EntryChooser {
  constructor(private readonly index: ExportIndex) {}

  /** Entry points of `member`, smallest first (the most specific wins a tie). */
  entries(member: Member): { spec: string; exports: ReadonlyMap<string, string> }[] {
    return [...member.exports].map(([sub, file]) => ({
      spec: entrySpecifier(member, sub),
      exports: this.index.exportsOf(file),
    })).sort((a, b) => a.exports.size - b.exports.size || a.spec.localeCompare(b.spec));
  }

  /** The entry point whose file is exactly `file`, if any. */
  entryFile(member: Member, file: string): string | undefined {
    for (const [sub, f] of member.exports) if (f === file) return entrySpecifier(member, sub);
    return undefined;
  }
}

/** Check one file; `index` caches module exports across files. */
export function checkFile(
  ws: Workspace,
  index: ExportIndex,
  file: string,
): Finding[] {
  const text = index.source(file);
  const from = memberOf(ws, file);
  if (text === undefined || from === undefined) return [];
  const chooser = new EntryChooser(index);
  const findings: Finding[] = [];
  for (const ref of scanReferences(text)) {
    const at = { file, line: ref.line, specifier: ref.specifier, start: ref.start, end: ref.end };
    const scope = ref.specifier.startsWith("@") ? ref.specifier.split("/")[0] + "/" : undefined;
    if (scope !== undefined && ws.members.some((m) => m.name.startsWith(scope))) {
      const bare = resolveBare(ws, ref.specifier);
      if (bare === undefined) {
        findings.push({ ...at, problem: `no workspace member is named like "${ref.specifier}"` });
      } else if (bare.file === undefined) {
        const declared = [...bare.member.exports.keys()].map((s) => entrySpecifier(bare.member, s));
        findings.push({
          ...at,
          problem: `"${ref.specifier}" is not an entry point of ${bare.member.name} ` +
            `(declared: ${declared.join(", ")})`,
        });
      } else if (bare.member === from) {
        const path = relative(dirname(file), bare.file);
        findings.push({
          ...at,
          problem: `${from.name} imports itself by name; use a relative path ("${path}")`,
          replacement: text.slice(ref.start, ref.specifierStart) + `"${path}"` +
            text.slice(ref.specifierStart + ref.specifier.length + 2, ref.end),
        });
      }
      continue;
    }
    if (!ref.specifier.startsWith("./") && !ref.specifier.startsWith("../")) continue;
    const target = normalize(`${dirname(file)}/${ref.specifier}`);
    const to = memberOf(ws, target);
    if (to === from) continue;
    if (to === undefined) {
      findings.push({ ...at, problem: `reaches ${target}, which belongs to no workspace member` });
      continue;
    }
    const crossing = `crosses into ${to.name} (${target})`;
    if (ref.kind === "side-effect" || ref.kind === "dynamic" || ref.kind === "url") {
      const spec = chooser.entryFile(to, target);
      if (spec === undefined) {
        findings.push({ ...at, problem: `${crossing}, which is no entry point of ${to.name}` });
        continue;
      }
      const href = ref.kind === "url" && text.startsWith(".href", ref.end);
      if (href) at.end += ".href".length;
      const replacement = href
        ? `import.meta.resolve("${spec}")`
        : ref.kind === "url"
        ? `new URL(import.meta.resolve("${spec}"))`
        : ref.kind === "dynamic"
        ? `import("${spec}")`
        : `import "${spec}";`;
      findings.push({ ...at, problem: `${crossing}; use "${spec}"`, replacement });
      continue;
    }
    const clause: Clause = parseClause(ref.clause);
    const targetExports = index.exportsOf(target);
    const wanted = clause.names.map((n) => ({ ...n, origin: targetExports.get(n.name) }));
    const groups: Group[] = [];
    const entries = chooser.entries(to);
    let missing: string[] = [];
    if (clause.namespace !== undefined) {
      // `* as ns` / `export *`: an entry point that re-exports everything the file does.
      const whole = entries.find((e) =>
        [...targetExports].every(([n, o]) => n === "default" || e.exports.get(n) === o)
      );
      if (whole) groups.push({ spec: whole.spec, names: [], namespace: clause.namespace });
      else missing.push(`everything ${target} exports (for "${ref.clause}")`);
    }
    let left = wanted.filter((n) => n.origin !== undefined);
    missing = missing.concat(wanted.filter((n) => n.origin === undefined).map((n) => n.name));
    while (left.length > 0) {
      let best: { spec: string; covers: typeof left } | undefined;
      for (const e of entries) {
        const covers = left.filter((n) => e.exports.get(n.name) === n.origin);
        if (covers.length > (best?.covers.length ?? 0)) best = { spec: e.spec, covers };
      }
      if (best === undefined) {
        missing = missing.concat(
          left.map((n) => `${n.name} (declared in ${n.origin!.split("#")[0]})`),
        );
        break;
      }
      const covered = new Set(best.covers);
      const same = groups.find((g) => g.spec === best!.spec);
      const names = best.covers.map(({ name, alias, type }) => ({ name, alias, type }));
      if (same) same.names.push(...names);
      else groups.push({ spec: best.spec, names });
      left = left.filter((n) => !covered.has(n));
    }
    if (missing.length > 0) {
      const declared = [...to.exports.keys()].map((s) => entrySpecifier(to, s)).join(", ");
      findings.push({
        ...at,
        problem: `${crossing}; no entry point of ${to.name} (${declared}) exports ` +
          `${missing.join(", ")}: add it to one`,
      });
      continue;
    }
    const replacement = groups.length === 1
      ? text.slice(ref.start, ref.specifierStart) + `"${groups[0].spec}"` +
        text.slice(ref.specifierStart + ref.specifier.length + 2, ref.end)
      : formatStatement(ref, groups);
    findings.push({
      ...at,
      problem: `${crossing}; use ${groups.map((g) => `"${g.spec}"`).join(" + ")}`,
      replacement,
    });
  }
  return findings;
}

/** Check every member source file of the workspace at `root`. */
export function checkWorkspace(root: string): { ws: Workspace; findings: Finding[] } {
  const ws = loadWorkspace(root);
  const index = new ExportIndex(ws);
  const findings: Finding[] = [];
  for (const member of ws.members) {
    for (const [sub, file] of member.exports) {
      if (index.source(file) === undefined) {
        findings.push({
          file: `${member.dir}/deno.json`,
          line: 1,
          specifier: sub,
          problem: `entry point "${sub}" names ${file}, which does not exist`,
          start: 0,
          end: 0,
        });
      }
    }
  }
  for (const file of sourceFiles(ws, EXCLUDED)) findings.push(...checkFile(ws, index, file));
  return { ws, findings };
}

/**
 * Merge the brace-only imports of one file that name the same workspace entry
 * point with the same `type` modifier into the first of them (the fixer's
 * rewrites leave one statement per old internal file).
 */
export function mergeEntryImports(text: string): string {
  const seen = new Map<string, { ref: Reference; names: string[] }>();
  const drop: Reference[] = [];
  for (const ref of scanReferences(text)) {
    if (ref.kind !== "import" || /^\.|:/.test(ref.specifier)) continue; // workspace/bare only
    if (!ref.clause.startsWith("{")) continue;
    const key = `${ref.typeOnly ? "type " : ""}${ref.specifier}`;
    const names = ref.clause.slice(1, ref.clause.lastIndexOf("}")).split(",").map((n) => n.trim())
      .filter((n) => n !== "");
    const first = seen.get(key);
    if (first === undefined) seen.set(key, { ref, names });
    else {
      first.names.push(...names.filter((n) => !first.names.includes(n)));
      drop.push(ref);
    }
  }
  if (drop.length === 0) return text;
  const edits: { start: number; end: number; text: string }[] = drop.map((r) => ({
    start: r.start,
    end: text[r.end] === "\n" ? r.end + 1 : r.end,
    text: "",
  }));
  for (const { ref, names } of seen.values()) {
    const key = (n: string) => n.replace(/^type\s+/, "");
    names.sort((a, b) => key(a).localeCompare(key(b)));
    edits.push({
      start: ref.start,
      end: ref.end,
      text: `import${ref.typeOnly ? " type" : ""} { ${names.join(", ")} } from "${ref.specifier}";`,
    });
  }
  for (const e of edits.sort((a, b) => b.start - a.start)) {
    text = text.slice(0, e.start) + e.text + text.slice(e.end);
  }
  return text;
}

/** Apply every replacement to its file; returns the files changed. */
export function applyFixes(root: string, findings: readonly Finding[]): string[] {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.replacement === undefined) continue;
    byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  }
  for (const [file, list] of byFile) {
    let text = Deno.readTextFileSync(`${root}/${file}`);
    for (const f of list.sort((a, b) => b.start - a.start)) {
      text = text.slice(0, f.start) + f.replacement + text.slice(f.end);
    }
    text = mergeEntryImports(text);
    Deno.writeTextFileSync(`${root}/${file}`, text);
  }
  return [...byFile.keys()];
}

if (import.meta.main) {
  const root = normalizeRoot(new URL("../..", import.meta.url).pathname);
  const fix = Deno.args.includes("--fix");
  let { findings } = checkWorkspace(root);
  if (fix) {
    // Each pass may expose no new work, but splitting can only happen once; two passes at most.
    for (let pass = 0; pass < 2 && findings.some((f) => f.replacement !== undefined); pass++) {
      const changed = applyFixes(root, findings);
      const fmt = new Deno.Command(Deno.execPath(), {
        args: ["fmt", "--quiet", ...changed],
        cwd: root,
      });
      if (!fmt.outputSync().success) console.error("deno fmt failed on the rewritten files");
      console.log(`rewrote ${changed.length} file(s)`);
      findings = checkWorkspace(root).findings;
    }
  }
  for (const f of findings) console.error(`${f.file}:${f.line}: "${f.specifier}" ${f.problem}`);
  if (findings.length > 0) {
    console.error(
      `${findings.length} import(s) cross a package boundary` +
        (fix ? "" : "; `deno run -A tools/check/imports.ts --fix` rewrites the fixable ones"),
    );
    Deno.exit(1);
  }
}

function normalizeRoot(path: string): string {
  return path.replace(/\/$/, "");
}
