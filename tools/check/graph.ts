/**
 * The import graph of the workspace at the level the layering rules speak
 * of: which member's file imports which member, through which entry point,
 * and whether the importing file is test code.
 *
 * @module
 */
import { scanReferences } from "./source.ts";
import {
  dirname,
  loadWorkspace,
  type Member,
  memberOf,
  normalize,
  resolveBare,
  sourceFiles,
  type Workspace,
} from "./workspace.ts";

/** One import from a file of one member into another member. */
export interface MemberEdge {
  /** Root-relative importing file. */
  readonly file: string;
  /** 1-based line of the import. */
  readonly line: number;
  /** The specifier as written. */
  readonly specifier: string;
  /** Package name of the importing member. */
  readonly from: string;
  /** Package name of the imported member. */
  readonly to: string;
  /** The entry point used (`.`, `./plugin`), or undefined for a path into the member's files. */
  readonly entry: string | undefined;
  /** The importing file is test code (see {@link isTestCode}). */
  readonly test: boolean;
  /** The imported file (entry point or internal), root-relative, when the workspace has it. */
  readonly target: string | undefined;
}

/**
 * Test code: `*_test.ts`, files whose name starts with `test_` or ends in
 * `_testing.ts`, and everything under a `testing/`, `testdata/` or `e2e/`
 * folder. The layering rules bind production code; test code may reach
 * further (a differential test needs QEMU's memory map), but production code
 * never imports it.
 */
export function isTestCode(file: string): boolean {
  return /_test\.tsx?$/.test(file) || /(^|\/)test_[^/]*$/.test(file) ||
    /_testing\.tsx?$/.test(file) || /(^|\/)(testing|testdata|e2e)\//.test(file);
}

/** Folders never scanned (generated output). */
const EXCLUDED = ["tests/guests/build"];

/** Every cross-member import of the workspace (static, dynamic and `new URL` module references). */
export function memberEdges(ws: Workspace, files?: ReadonlyMap<string, string>): MemberEdge[] {
  const edges: MemberEdge[] = [];
  const list = files ? [...files.keys()].sort() : sourceFiles(ws, EXCLUDED);
  for (const file of list) {
    const from: Member | undefined = memberOf(ws, file);
    if (from === undefined) continue;
    const text = files?.get(file) ?? Deno.readTextFileSync(`${ws.root}/${file}`);
    for (const ref of scanReferences(text)) {
      let to: Member | undefined;
      let entry: string | undefined;
      let target: string | undefined;
      if (ref.specifier.startsWith("./") || ref.specifier.startsWith("../")) {
        target = normalize(`${dirname(file)}/${ref.specifier}`);
        to = memberOf(ws, target);
        for (const [sub, f] of to?.exports ?? []) if (f === target) entry = sub;
      } else {
        const bare = resolveBare(ws, ref.specifier);
        to = bare?.member;
        entry = bare?.file === undefined ? undefined : bare.sub;
        target = bare?.file;
      }
      if (to === undefined || to === from) continue;
      edges.push({
        file,
        line: ref.line,
        specifier: ref.specifier,
        from: from.name,
        to: to.name,
        entry,
        test: isTestCode(file),
        target,
      });
    }
  }
  return edges;
}

/** The import graph of the workspace at `root`. */
export function loadMemberEdges(root: string): { ws: Workspace; edges: MemberEdge[] } {
  const ws = loadWorkspace(root);
  return { ws, edges: memberEdges(ws) };
}
