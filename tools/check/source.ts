/**
 * Finding the module references in one TypeScript source: static `import` and
 * `export ... from` statements, `import("...")` with a literal, and
 * `new URL("...", import.meta.url)` (how a Worker script or a plugin is named
 * by path). A statement must start a line, so examples inside comments and
 * strings are not mistaken for imports.
 *
 * @module
 */

/** How a module is referenced. */
export type ReferenceKind = "import" | "export" | "side-effect" | "dynamic" | "url";

/** One module reference in a source file. */
export interface Reference {
  /** Static import, re-export, side-effect import, `import()` or `new URL`. */
  readonly kind: ReferenceKind;
  /** The specifier as written (`../../core/plugin/contracts.ts`, `@gunyah-ts/core`). */
  readonly specifier: string;
  /** 1-based line of the specifier. */
  readonly line: number;
  /** Offset of the whole statement (or expression) in the source. */
  readonly start: number;
  /** Offset just past the statement (or expression). */
  readonly end: number;
  /** Offset of the specifier's opening quote. */
  readonly specifierStart: number;
  /** `import type` / `export type`: the whole statement is type-only. */
  readonly typeOnly: boolean;
  /** The clause between `import`/`export` and `from` (`{ a, type b }`, `* as ns`, `d, { e }`). */
  readonly clause: string;
}

const ID = String.raw`[\w$]+`;
const BRACES = String.raw`\{[^}]*\}`;
const CLAUSE = String
  .raw`(?:${BRACES}|\*(?:\s*as\s+${ID})?|${ID}(?:\s*,\s*(?:${BRACES}|\*\s*as\s+${ID}))?)`;
const STATIC = new RegExp(
  String.raw`^[ \t]*(import|export)(\s+type)?\s*(${CLAUSE})\s*from\s*(["'])([^"'\n]+)\4[ \t]*;?`,
  "gm",
);
const SIDE_EFFECT = /^[ \t]*import\s*(["'])([^"'\n]+)\1[ \t]*;?/gm;
const DYNAMIC = /\bimport\(\s*(["'])([^"'\n]+)\1\s*\)/g;
const URL_REF = /\bnew URL\(\s*(["'])([^"'\n]+)\1\s*,\s*import\.meta\.url\s*\)/g;

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

function inComment(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const head = text.slice(lineStart, offset).trimStart();
  return head.startsWith("//") || head.startsWith("*") || head.startsWith("/*");
}

/** Every module reference in `text`, in source order. */
export function scanReferences(text: string): Reference[] {
  const refs: Reference[] = [];
  for (const m of text.matchAll(STATIC)) {
    const specifierStart = m.index! + m[0].lastIndexOf(`${m[4]}${m[5]}${m[4]}`);
    refs.push({
      kind: m[1] === "import" ? "import" : "export",
      specifier: m[5],
      line: lineAt(text, specifierStart),
      start: m.index! + (m[0].length - m[0].trimStart().length),
      end: m.index! + m[0].length,
      specifierStart,
      typeOnly: m[2] !== undefined,
      clause: m[3].trim(),
    });
  }
  for (const m of text.matchAll(SIDE_EFFECT)) {
    const specifierStart = m.index! + m[0].indexOf(m[1]);
    refs.push({
      kind: "side-effect",
      specifier: m[2],
      line: lineAt(text, specifierStart),
      start: m.index! + (m[0].length - m[0].trimStart().length),
      end: m.index! + m[0].length,
      specifierStart,
      typeOnly: false,
      clause: "",
    });
  }
  for (const [re, kind] of [[DYNAMIC, "dynamic"], [URL_REF, "url"]] as const) {
    for (const m of text.matchAll(re)) {
      if (inComment(text, m.index!)) continue;
      if (kind === "url" && !/\.(?:ts|tsx|js|mjs)$/.test(m[2])) continue; // a data path, not a module
      const specifierStart = m.index! + m[0].indexOf(m[1]);
      refs.push({
        kind,
        specifier: m[2],
        line: lineAt(text, specifierStart),
        start: m.index!,
        end: m.index! + m[0].length,
        specifierStart,
        typeOnly: false,
        clause: "",
      });
    }
  }
  return refs.sort((a, b) => a.start - b.start);
}

/** One name in an import or export clause: `type A as B` → `{ name: "A", alias: "B", type: true }`. */
export interface ClauseName {
  /** The name in the module the clause refers to (`default` for a default import). */
  readonly name: string;
  /** The local (import) or exported (export) name. */
  readonly alias: string;
  /** Marked `type` inline. */
  readonly type: boolean;
}

/** A parsed import/export clause. */
export interface Clause {
  /** `* as ns` (import or export), or `*` (export only, `namespace` is ``). */
  readonly namespace?: string;
  /** The names between the braces (and a default import as `default`). */
  readonly names: readonly ClauseName[];
}

/** Parse an import/export clause as captured by {@link scanReferences}. */
export function parseClause(clause: string): Clause {
  const names: ClauseName[] = [];
  let namespace: string | undefined;
  let rest = clause.trim();
  const star = /^\*(?:\s*as\s+([\w$]+))?$/.exec(rest);
  if (star) return { namespace: star[1] ?? "", names };
  const def = /^([\w$]+)\s*(?:,\s*(.*))?$/s.exec(rest);
  if (def) {
    names.push({ name: "default", alias: def[1], type: false });
    rest = (def[2] ?? "").trim();
    const ns = /^\*\s*as\s+([\w$]+)$/.exec(rest);
    if (ns) return { namespace: ns[1], names };
  }
  if (rest.startsWith("{")) {
    for (const part of rest.slice(1, rest.lastIndexOf("}")).split(",")) {
      const p = part.trim();
      if (p === "") continue;
      const m = /^(type\s+)?([\w$]+)(?:\s+as\s+([\w$]+))?$/.exec(p);
      if (!m) throw new Error(`cannot parse "${p}" in clause ${clause}`);
      names.push({ name: m[2], alias: m[3] ?? m[2], type: m[1] !== undefined });
    }
  }
  return { namespace, names };
}
