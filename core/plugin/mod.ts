/**
 * The plugin SDK of gunyah-ts: the typed contracts at which the core meets
 * architecture, platform and device plugins and native components
 * ({@link ArchPlugin}, {@link PlatformPlugin}, {@link DevicePlugin},
 * {@link Component}), the check that a module fulfils one, and the loader
 * that imports a plugin by specifier. A plugin depends on this entry point
 * (`@gunyah-ts/core/plugin`) and on nothing else of the core.
 *
 * @module
 */
export * from "./contracts.ts";
export * from "./validate.ts";
export * from "./loader.ts";
export * from "./log_rate_limit.ts";
