/**
 * A core module: one folder of the core (an object type, the cspace, the
 * hypervisor's own services) declaring in its `module.ts` what it adds to a
 * hypervisor — the object types it creates, with their factories, and the
 * hypercalls it implements — as Gunyah's modules do in their `.ev` files.
 * The hypervisor installs a list of modules ({@link CORE_MODULES}); adding an
 * object or a hypercall edits that object's folder (and the ABI's number
 * table, core/abi/hypercall_numbers.ts, where every hypercall number is
 * defined once), not a central registration file.
 *
 * @module
 */
import type { HypercallTable } from "./hypercall/table.ts";
import type { ObjectFactory, ObjectFactoryRegistry } from "./object/factory.ts";
import type { ObjectType } from "./object/object_type.ts";

/** What one core module adds to a hypervisor. */
export interface CoreModule {
  /** The module's name, as its folder is named (`doorbell`, `cspace`). */
  readonly name: string;
  /** The object types the module creates, each with its factory. */
  readonly objects?: readonly (readonly [ObjectType, ObjectFactory])[];
  /** Register the module's hypercalls in `table`. */
  readonly hypercalls?: (table: HypercallTable) => void;
}

/** Install `modules` into a hypervisor's factory registry and hypercall table, in order. */
export function installModules(
  modules: readonly CoreModule[],
  factories: ObjectFactoryRegistry,
  table: HypercallTable,
): void {
  for (const m of modules) {
    for (const [type, factory] of m.objects ?? []) factories.register(type, factory);
  }
  for (const m of modules) m.hypercalls?.(table);
}
