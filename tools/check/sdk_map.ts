/**
 * The SDK import map: how code outside this repository (a third-party
 * plugin) names the packages in it. It maps every declared entry point of
 * every member (`@gunyah-ts/core/plugin`, `@gunyah-ts/virtio-mmio`, ...) to
 * its file, relative to the map, which lives at {@link SDK_IMPORT_MAP}. A
 * plugin project uses it with one line in its `deno.json`:
 *
 * ```json
 * "importMap": "/path/to/gunyah-ts/plugins/sdk_import_map.json"
 * ```
 *
 * ```sh
 * deno run -A tools/check/sdk_map.ts          # fail if the checked-in map is out of date
 * deno run -A tools/check/sdk_map.ts --write  # regenerate it
 * ```
 *
 * @module
 */
import { entrySpecifier, loadWorkspace, relative } from "./workspace.ts";

/** Where the map lives, relative to the workspace root. */
export const SDK_IMPORT_MAP = "plugins/sdk_import_map.json";

/** The import map's text for the workspace at `root` (sorted, so it is stable). */
export function sdkImportMap(root: string): string {
  const ws = loadWorkspace(root);
  const imports: Record<string, string> = {};
  const entries = ws.members.flatMap((m) =>
    [...m.exports].map(([sub, file]) => [entrySpecifier(m, sub), file] as const)
  ).sort(([a], [b]) => a.localeCompare(b));
  const from = SDK_IMPORT_MAP.slice(0, SDK_IMPORT_MAP.lastIndexOf("/"));
  for (const [spec, file] of entries) imports[spec] = relative(from, file);
  return JSON.stringify({ imports }, null, 2) + "\n";
}

if (import.meta.main) {
  const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
  const want = sdkImportMap(root);
  const path = `${root}/${SDK_IMPORT_MAP}`;
  if (Deno.args.includes("--write")) {
    Deno.writeTextFileSync(path, want);
  } else {
    let have = "";
    try {
      have = Deno.readTextFileSync(path);
    } catch {
      // missing: reported below
    }
    if (have !== want) {
      console.error(
        `${SDK_IMPORT_MAP} does not match the members' exports; ` +
          "`deno run -A tools/check/sdk_map.ts --write` regenerates it",
      );
      Deno.exit(1);
    }
  }
}
