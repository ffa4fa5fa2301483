/**
 * Loads a plugin module by specifier (a path, `npm:`, `jsr:` or URL) and
 * checks it against its contract. The module's default export is the plugin
 * (or a named export `plugin`).
 *
 * @module
 */
import type { Plugin } from "./contracts.ts";
import { assertPlugin, PluginContractError, type PluginKind } from "./validate.ts";

/** Resolve `specifier` against `base` (a directory URL or path) when it is relative. */
export function resolveSpecifier(specifier: string, base: string | URL): string {
  if (/^(npm:|jsr:|node:|https?:|file:|data:)/.test(specifier)) return specifier;
  const baseUrl = base instanceof URL
    ? base
    : new URL(`file://${base.endsWith("/") ? base : base + "/"}`);
  return new URL(specifier, baseUrl).href;
}

/** Import `specifier` and return its plugin of `kind`, refusing one that breaks the contract. */
export async function loadPlugin<K extends PluginKind>(
  specifier: string,
  kind: K,
  base: string | URL,
): Promise<Extract<Plugin, { kind: K }>> {
  const url = resolveSpecifier(specifier, base);
  if ((globalThis as Record<symbol, unknown>)[Symbol.for("gunyah-ts.plugin-sandbox")] === true) {
    // plugins/host/sandbox_lockdown.ts: inside a device plugin's sandbox no module is loaded at
    // run time (Deno would not check the Worker's read permission for it).
    throw new PluginContractError(
      `plugin ${specifier} cannot be loaded from inside a device plugin's sandbox`,
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = await import(url);
  } catch (e) {
    throw new PluginContractError(
      `plugin ${specifier} could not be loaded: ${(e as Error).message}`,
    );
  }
  const value = mod.default ?? mod.plugin;
  if (value === undefined) {
    throw new PluginContractError(
      `plugin ${specifier} is refused: the module has neither a default export nor an export named 'plugin'`,
    );
  }
  return assertPlugin(value, kind, specifier);
}
