/**
 * What a module exports, and where each exported name is declared. The fixer
 * uses this to find the entry point of a member that re-exports the very
 * declaration an internal import reached for (not merely a name that is spelt
 * the same: two modules may both export a `PAGE_SIZE`).
 *
 * @module
 */
import { parseClause, scanReferences } from "./source.ts";
import { dirname, normalize, resolveBare, type Workspace } from "./workspace.ts";

/** Exported name → origin (`file#declaredName`, or `specifier#name` outside the workspace). */
export type ExportMap = ReadonlyMap<string, string>;

const DECLARATION =
  /^[ \t]*export\s+(?:declare\s+)?(default\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\s*\*?|class|const\s+enum|const|let|var|type|interface|enum|namespace)\s+([\w$]+)/gm;
const DEFAULT_EXPRESSION =
  /^[ \t]*export\s+default\s+(?!(?:abstract\s+)?(?:async\s+)?(?:function|class)\b)/m;
const LOCAL_LIST = /^[ \t]*export\s+(?:type\s+)?\{([^}]*)\}\s*(?!\s*from)(?:;|$)/gm;

/** Resolves and caches the export maps of the workspace's modules. */
export class ExportIndex {
  readonly #ws: Workspace;
  readonly #cache = new Map<string, Map<string, string>>();
  readonly #sources = new Map<string, string>();

  /** An index over the files of `ws`, read on first use. */
  constructor(ws: Workspace) {
    this.#ws = ws;
  }

  /** Source text of root-relative `file` (cached), or undefined if it does not exist. */
  source(file: string): string | undefined {
    if (!this.#sources.has(file)) {
      try {
        this.#sources.set(file, Deno.readTextFileSync(`${this.#ws.root}/${file}`));
      } catch {
        return undefined;
      }
    }
    return this.#sources.get(file);
  }

  /** Root-relative file a specifier written in `from` refers to, or undefined if external. */
  resolve(from: string, specifier: string): string | undefined {
    if (specifier.startsWith("./") || specifier.startsWith("../")) {
      return normalize(`${dirname(from)}/${specifier}`);
    }
    return resolveBare(this.#ws, specifier)?.file;
  }

  /** The exports of root-relative `file`. */
  exportsOf(file: string): ExportMap {
    const cached = this.#cache.get(file);
    if (cached) return cached;
    const map = new Map<string, string>();
    this.#cache.set(file, map); // a cycle sees the partial map, as ES modules do
    const text = this.source(file);
    if (text === undefined) return map;
    const imported = new Map<string, string>();
    const originOf = (specifier: string, name: string): string => {
      const target = this.resolve(file, specifier);
      if (target === undefined) return `${specifier}#${name}`;
      if (name === "*") return `${target}#*`;
      return this.exportsOf(target).get(name) ?? `${target}#${name}`;
    };
    for (const ref of scanReferences(text)) {
      if (ref.kind === "import") {
        const clause = parseClause(ref.clause);
        if (clause.namespace) imported.set(clause.namespace, originOf(ref.specifier, "*"));
        for (const n of clause.names) imported.set(n.alias, originOf(ref.specifier, n.name));
      } else if (ref.kind === "export") {
        const clause = parseClause(ref.clause);
        if (clause.namespace === "") {
          const target = this.resolve(file, ref.specifier);
          if (target === undefined) continue;
          for (const [name, origin] of this.exportsOf(target)) {
            if (name !== "default" && !map.has(name)) map.set(name, origin);
          }
        } else if (clause.namespace !== undefined) {
          map.set(clause.namespace, originOf(ref.specifier, "*"));
        }
        for (const n of clause.names) map.set(n.alias, originOf(ref.specifier, n.name));
      }
    }
    for (const m of text.matchAll(DECLARATION)) {
      map.set(m[1] ? "default" : m[2], `${file}#${m[2]}`);
    }
    if (DEFAULT_EXPRESSION.test(text)) map.set("default", `${file}#default`);
    for (const m of text.matchAll(LOCAL_LIST)) {
      for (const n of parseClause(`{${m[1]}}`).names) {
        map.set(n.alias, imported.get(n.name) ?? `${file}#${n.name}`);
      }
    }
    return map;
  }
}
