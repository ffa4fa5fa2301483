/**
 * The workspace as the boundary checker sees it: its members, where they live,
 * and the entry points each declares in the `exports` of its `deno.json`.
 *
 * @module
 */

/** One workspace member (a package that could be published on its own). */
export interface Member {
  /** Package name from its `deno.json`, e.g. `@gunyah-ts/core`. */
  readonly name: string;
  /** Folder relative to the workspace root, no trailing slash, e.g. `plugins/virtio-mmio`. */
  readonly dir: string;
  /** Declared entry points: subpath (`.`, `./plugin`) to file relative to the root. */
  readonly exports: ReadonlyMap<string, string>;
}

/** The workspace: its root folder and members, most specific folder first. */
export interface Workspace {
  /** Absolute path of the workspace root (holds the root `deno.json`). */
  readonly root: string;
  /** The members, the most deeply nested folder first. */
  readonly members: readonly Member[];
}

/** Join and normalise a relative path (`a/b/../c` → `a/c`); `..` past the root stays. */
export function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}

/** Directory part of a relative path (`a/b/c.ts` → `a/b`, `c.ts` → ``). */
export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

/** The relative path from folder `fromDir` to file `to` (both root-relative), starting with `./` or `../`. */
export function relative(fromDir: string, to: string): string {
  const a = fromDir === "" ? [] : fromDir.split("/");
  const b = to.split("/");
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  const up = a.length - i;
  const rest = b.slice(i).join("/");
  return up === 0 ? `./${rest}` : `${"../".repeat(up)}${rest}`;
}

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(Deno.readTextFileSync(path));
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Read the workspace whose root `deno.json` is in `root`. */
export function loadWorkspace(root: string): Workspace {
  const config = readJson(`${root}/deno.json`);
  const list = config.workspace;
  if (!Array.isArray(list)) throw new Error(`${root}/deno.json: no "workspace" array`);
  const members: Member[] = [];
  for (const entry of list) {
    const dir = normalize(String(entry));
    const pkg = readJson(`${root}/${dir}/deno.json`);
    if (typeof pkg.name !== "string") {
      throw new Error(`${dir}/deno.json: a workspace member needs a "name"`);
    }
    const exports = new Map<string, string>();
    const raw = pkg.exports;
    if (typeof raw === "string") exports.set(".", normalize(`${dir}/${raw}`));
    else if (raw !== null && typeof raw === "object") {
      for (const [sub, file] of Object.entries(raw as Record<string, unknown>)) {
        exports.set(sub, normalize(`${dir}/${String(file)}`));
      }
    }
    members.push({ name: pkg.name, dir, exports });
  }
  members.sort((a, b) => b.dir.length - a.dir.length);
  return { root, members };
}

/** The member that holds root-relative `file`, or undefined for a file outside every member. */
export function memberOf(ws: Workspace, file: string): Member | undefined {
  return ws.members.find((m) => file === m.dir || file.startsWith(`${m.dir}/`));
}

/** The import specifier of entry point `sub` of `member`: `@gunyah-ts/core` or `@gunyah-ts/core/plugin`. */
export function entrySpecifier(member: Member, sub: string): string {
  return sub === "." ? member.name : `${member.name}/${sub.replace(/^\.\//, "")}`;
}

/** Resolve a bare `@scope/name[/sub]` specifier to a member's entry file, if it names one. */
export function resolveBare(
  ws: Workspace,
  specifier: string,
): { member: Member; sub: string; file: string | undefined } | undefined {
  for (const member of ws.members) {
    if (specifier === member.name || specifier.startsWith(`${member.name}/`)) {
      const sub = specifier === member.name ? "." : `./${specifier.slice(member.name.length + 1)}`;
      return { member, sub, file: member.exports.get(sub) };
    }
  }
  return undefined;
}

/** Every `.ts`/`.tsx` file under the root that belongs to a member, root-relative, sorted. */
export function sourceFiles(ws: Workspace, exclude: readonly string[] = []): string[] {
  const out: string[] = [];
  const skip = new Set([".git", ".cache", "node_modules", ...exclude]);
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir === "" ? ws.root : `${ws.root}/${dir}`)) {
      const path = dir === "" ? e.name : `${dir}/${e.name}`;
      if (skip.has(e.name) || skip.has(path)) continue;
      if (e.isDirectory) walk(path);
      else if (e.isFile && /\.tsx?$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(path);
    }
  };
  walk("");
  return out.sort();
}
