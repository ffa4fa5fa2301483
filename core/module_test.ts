import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { HVC_NATIVE_RANGE } from "./abi/hypercall_numbers.ts";
import { HypercallTable } from "./hypercall/table.ts";
import { type CoreModule, installModules } from "./module.ts";
import { CORE_MODULES } from "./modules.ts";
import { ObjectFactoryRegistry } from "./object/factory.ts";
import { ObjectType } from "./object/object_type.ts";

function implemented(table: HypercallTable): number[] {
  const out: number[] = [];
  for (let n = 0; n < HVC_NATIVE_RANGE; n++) if (table.isImplemented(n)) out.push(n);
  return out;
}

Deno.test("modules: each core module registers its own hypercalls, none twice", () => {
  const seen = new Map<number, string>();
  for (const m of CORE_MODULES) {
    const table = new HypercallTable();
    installModules([m], new ObjectFactoryRegistry(), table);
    for (const n of implemented(table)) {
      assert(!seen.has(n), `hypercall ${n} registered by ${seen.get(n)} and ${m.name}`);
      seen.set(n, m.name);
    }
  }
  const all = new HypercallTable();
  installModules(CORE_MODULES, new ObjectFactoryRegistry(), all);
  assertEquals(implemented(all), [...seen.keys()].sort((a, b) => a - b));
  // Spot checks: a call of each kind lands in the module that owns its object.
  assertEquals(seen.get(0x10), "doorbell"); // doorbell_bind_virq
  assertEquals(seen.get(0x00), "hypercall"); // hypervisor_identify
});

Deno.test("modules: an object module adds its factory and hypercall by being listed", () => {
  const factories = new ObjectFactoryRegistry();
  const table = new HypercallTable();
  const example: CoreModule = {
    name: "example",
    objects: CORE_MODULES.find((m) => m.name === "doorbell")!.objects,
    // A number and name from the ABI's table (core/abi/hypercall_numbers.ts): the table checks both.
    hypercalls: (t) => t.registerHypercall(0x3f, "trace_update_class_flags", () => {}),
  };
  installModules([example], factories, table);
  assert(table.isImplemented(0x3f));
  assertEquals(table.entry(0x3f)?.name, "trace_update_class_flags");
  assert(factories.has(ObjectType.DOORBELL));
});
