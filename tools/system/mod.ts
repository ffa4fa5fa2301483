/**
 * `@gunyah-ts/system`: the composition root. It builds a machine from a
 * configuration using only the plugin contracts and the packages' entry
 * points: the arch and platform plugins loaded by specifier, the hypervisor
 * core on them, the resource manager component, the VMs the RM builds and
 * the device plugins attached in the platform's slots.
 *
 * The CLI, the dashboard, the benchmarks and the tests depend on this
 * package, never on each other.
 *
 * @example
 * ```ts ignore
 * const system = await GunyahSystem.create({ ramBytes: 64 << 20, plugins: config.plugins });
 * const vm = system.launch({ name: "hlos", memory: 32 << 20, vcpus: 1, kernel, bootargs: "" });
 * vm.console.onOutput((b) => Deno.stdout.writeSync(b));
 * await system.hv.run();
 * ```
 *
 * @module
 */
export * from "./system.ts";
export * from "./machine_plugins.ts";
export * from "./config.ts";
export * from "./images/mod.ts";
export type { DevicePluginConfig, PreparedDevicePlugins } from "@gunyah-ts/plugin-host";
export type * from "./status_types.ts";
export { hex } from "./status.ts";
export * from "./control.ts";
export * from "./host_vmm.ts";
/** The event stream's vocabulary: the hypervisor's event map and the hypercall error names it carries. */
export type { HypervisorEventBus, HypervisorEvents } from "@gunyah-ts/core";
export { errorName } from "@gunyah-ts/core/abi";
export * from "./vm_ram.ts";
export * from "./networks.ts";
