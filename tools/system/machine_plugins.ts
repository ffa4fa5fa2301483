/**
 * The machine's arch and platform plugins, loaded by specifier through the
 * core's plugin loader (core/plugin/loader.ts) and checked against their
 * contracts, exactly as a configuration's `plugins.arch` / `plugins.platform`
 * name them.
 *
 * Specifiers: `builtin:aarch64`, `builtin:qemu-virt`, or a module specifier
 * (path, `file:`, `npm:`, URL) resolved against the configuration's
 * directory. The module's default export (or its export `plugin`) is the
 * plugin.
 *
 * @module
 */
import type { ArchPlugin, PlatformPlugin } from "@gunyah-ts/core/plugin";
import { loadPlugin, resolveSpecifier } from "@gunyah-ts/core/plugin";

/** Built-in arch plugins: specifier → module (the package entry point). */
export const BUILTIN_ARCH_PLUGINS: Readonly<Record<string, string>> = {
  "builtin:aarch64": import.meta.resolve("@gunyah-ts/arch-aarch64"),
};

/** Built-in platform plugins: specifier → module (the package entry point). */
export const BUILTIN_PLATFORM_PLUGINS: Readonly<Record<string, string>> = {
  "builtin:qemu-virt": import.meta.resolve("@gunyah-ts/platform-qemu-virt"),
};

/** The arch and platform a configuration names. */
export interface MachinePluginSpecifiers {
  /** The arch plugin's specifier (`plugins.arch`). */
  readonly arch: string;
  /** The platform plugin's specifier (`plugins.platform`). */
  readonly platform: string;
}

/** The default machine: the AArch64 CPU on QEMU's `virt` board. */
export const DEFAULT_MACHINE_PLUGINS: MachinePluginSpecifiers = {
  arch: "builtin:aarch64",
  platform: "builtin:qemu-virt",
};

/** The module URL of a machine plugin specifier (a `builtin:` name or a module specifier). */
export function machinePluginUrl(
  specifier: string,
  builtins: Readonly<Record<string, string>>,
  what: string,
  configDir: string,
): string {
  if (specifier.startsWith("builtin:")) {
    const url = builtins[specifier];
    if (url === undefined) {
      throw new Error(
        `unknown built-in ${what} plugin '${specifier}' (built-in: ${
          Object.keys(builtins).join(", ")
        })`,
      );
    }
    return url;
  }
  return resolveSpecifier(specifier, configDir);
}

/** The arch and platform plugin objects of a machine. */
export interface MachinePlugins {
  /** The arch plugin. */
  readonly arch: ArchPlugin;
  /** The platform plugin. */
  readonly platform: PlatformPlugin;
}

/**
 * Load the machine's arch and platform plugins. A specifier that does not
 * load, or a module whose plugin breaks its contract, is refused with a
 * `PluginContractError` naming the specifier and everything missing.
 */
export async function loadMachinePlugins(
  specifiers: MachinePluginSpecifiers,
  configDir: string,
): Promise<MachinePlugins> {
  const archUrl = machinePluginUrl(specifiers.arch, BUILTIN_ARCH_PLUGINS, "arch", configDir);
  const platformUrl = machinePluginUrl(
    specifiers.platform,
    BUILTIN_PLATFORM_PLUGINS,
    "platform",
    configDir,
  );
  const arch = await loadPlugin(archUrl, "arch", configDir).catch((e) => {
    throw relabel(e, archUrl, specifiers.arch);
  });
  const platform = await loadPlugin(platformUrl, "platform", configDir).catch((e) => {
    throw relabel(e, platformUrl, specifiers.platform);
  });
  return { arch, platform };
}

/** Name the specifier as the configuration wrote it, not the URL it resolved to. */
function relabel(e: unknown, url: string, specifier: string): unknown {
  if (e instanceof Error && url !== specifier) {
    e.message = e.message.replace(`plugin ${url} `, `plugin ${specifier} (${url}) `);
  }
  return e;
}
