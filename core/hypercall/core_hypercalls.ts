/**
 * Registration of everything the core itself implements: its object
 * factories and its hypercalls. The thread module adds its own factory and
 * calls through the same registries.
 *
 * @module
 */
import { cspaceFactory, registerCspaceHypercalls } from "../cspace/hypercalls.ts";
import type { ObjectFactoryRegistry } from "../object/factory.ts";
import { ObjectType } from "../object/object_type.ts";
import { registerPartitionHypercalls } from "../object/partition/hypercalls.ts";
import { registerIdentifyHypercall } from "./identify.ts";
import type { HypercallTable } from "./table.ts";

/** Register the core's object factories (every type except thread and hwirq). */
export function registerCoreObjectFactories(factories: ObjectFactoryRegistry): void {
  factories.register(ObjectType.CSPACE, cspaceFactory);
}

/** Register the core's hypercalls in `table`. */
export function registerCoreHypercalls(table: HypercallTable): void {
  registerIdentifyHypercall(table);
  registerPartitionHypercalls(table);
  registerCspaceHypercalls(table);
}
