/**
 * What a sandboxed device plugin may load, checked on the host before its
 * Worker starts (issue 12 §2). Deno's module loader ignores the Worker's
 * `read` permission for `file:` modules, so the check is on the code itself:
 *
 * - every module of the plugin's static module graph (`deno info --json`)
 *   must be a local file in the plugin's own folder or in the SDK (this
 *   repository's `core/` and `plugins/` packages): no static import of a host
 *   file outside them (`import secret from "file:///etc/x.json" with {...}`),
 *   no remote, `npm:` or `data:` module;
 * - no module may contain a dynamic `import(`: the sandbox lockdown
 *   (sandbox_lockdown.ts) removes `eval` and the function constructors, so
 *   source text is the only place one could be. The SDK's `loadPlugin` (its
 *   one dynamic import) refuses inside the sandbox.
 *
 * The check is conservative: the text `import(` in a comment or a string
 * is refused too, with the file and line named.
 *
 * @module
 */

/** Thrown when a plugin may not run in the sandbox; the message names the module and why. */
export class SandboxPolicyError extends Error {
  override readonly name = "SandboxPolicyError";
}

const REPO = new URL("../../", import.meta.url);
/** Folders whose modules any plugin may import (the SDK). */
export const SDK_ROOTS: readonly string[] = [
  new URL("core/", REPO).pathname,
  new URL("plugins/", REPO).pathname,
];
/** The SDK module allowed to hold a dynamic import (it refuses to run inside the sandbox). */
const SDK_LOADER = new URL("core/plugin/loader.ts", REPO).pathname;

/** `import` followed (after blanks and comments) by `(`: a dynamic import. */
const DYNAMIC_IMPORT = /\bimport(?:\s|\/\*[\s\S]*?\*\/|\/\/[^\n]*\n)*\(/g;

interface InfoModule {
  readonly specifier: string;
  readonly local?: string;
  readonly kind?: string;
  readonly error?: string;
}

/** The modules of `url`'s static graph, from `deno info --json`. */
async function moduleGraph(url: string): Promise<InfoModule[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", url],
    cwd: REPO.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new SandboxPolicyError(
      `plugin ${url}: its modules could not be resolved: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
  return info.modules;
}

function within(path: string, dir: string): boolean {
  return path.startsWith(dir.endsWith("/") ? dir : dir + "/");
}

/**
 * Check that the plugin at `pluginUrl` may run in the sandbox; throws
 * {@link SandboxPolicyError} naming the first module that may not.
 */
export async function checkSandboxPolicy(pluginUrl: string): Promise<void> {
  if (!pluginUrl.startsWith("file:")) {
    throw new SandboxPolicyError(
      `plugin ${pluginUrl}: a sandboxed plugin must be a local module (file:), not a remote one`,
    );
  }
  const entry = new URL(pluginUrl).pathname;
  const pluginDir = entry.slice(0, entry.lastIndexOf("/"));
  const roots = [pluginDir, ...SDK_ROOTS];
  const modules = await moduleGraph(pluginUrl);
  // Dynamic imports first: deno info lists a literal import()'s target too, and the import is
  // the attempt to name.
  for (const m of modules) {
    if (m.local === undefined || !roots.some((r) => within(m.local!, r))) continue;
    if (m.local === SDK_LOADER || m.kind === "asserted" || m.kind === "json") continue;
    if (m.error !== undefined) continue;
    const source = await Deno.readTextFile(m.local);
    DYNAMIC_IMPORT.lastIndex = 0;
    const hit = DYNAMIC_IMPORT.exec(source);
    if (hit !== null) {
      const line = source.slice(0, hit.index).split("\n").length;
      throw new SandboxPolicyError(
        `plugin module ${m.local}:${line} contains a dynamic import(); a sandboxed plugin may ` +
          "load code only by static imports of its own folder and the SDK",
      );
    }
  }
  for (const m of modules) {
    if (m.error !== undefined) {
      throw new SandboxPolicyError(`plugin ${pluginUrl}: module ${m.specifier}: ${m.error}`);
    }
    if (!m.specifier.startsWith("file:") || m.local === undefined) {
      throw new SandboxPolicyError(
        `plugin ${pluginUrl} imports ${m.specifier}: a sandboxed plugin may import only files ` +
          `in its own folder (${pluginDir}) and the gunyah-ts SDK`,
      );
    }
    if (!roots.some((r) => within(m.local!, r))) {
      throw new SandboxPolicyError(
        `plugin ${pluginUrl} imports ${m.local}, outside its own folder (${pluginDir}) and the ` +
          "gunyah-ts SDK: a sandboxed plugin may not load host files as modules",
      );
    }
  }
}
