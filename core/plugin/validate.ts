/**
 * Checks that a value satisfies one of the plugin contracts of
 * {@link ./contracts.ts} before the core uses it, so a broken or outdated
 * plugin is refused with a message naming everything that is missing.
 *
 * @module
 */
import { type Plugin, PLUGIN_API_VERSION } from "./contracts.ts";

/** The kinds of plugin. */
export type PluginKind = Plugin["kind"];

/** Methods (and arities) each kind must provide, and required string fields. */
const REQUIRED: Record<
  PluginKind,
  {
    methods: Record<string, number>;
    fields: string[];
    numbers?: string[];
    objects?: string[];
  }
> = {
  arch: { methods: { createVcpu: 1, createInterruptController: 2 }, fields: ["name"] },
  platform: {
    methods: {
      mpidrOf: 1,
      deviceSlot: 1,
      createDevices: 2,
      consoleOf: 1,
      planBoot: 3,
      buildDeviceTree: 2,
    },
    fields: ["name"],
    numbers: ["ramBase", "maxVcpus", "deviceSlotCount"],
    objects: ["interruptControllerPlacement", "memoryMap"],
  },
  device: { methods: { create: 2 }, fields: ["name"] },
  component: { methods: { start: 1 }, fields: ["name"] },
};

/**
 * The oldest plugin API version each kind may declare: version 2 changed
 * only the platform contract, so arch, device and component plugins written
 * against version 1 still satisfy theirs.
 */
export const OLDEST_SUPPORTED_API: Readonly<Record<PluginKind, number>> = {
  arch: 1,
  platform: 2,
  device: 1,
  component: 1,
};

/** Raised when a plugin does not satisfy its contract. */
export class PluginContractError extends Error {
  /** The error's name. */
  override readonly name = "PluginContractError";
}

/**
 * Problems that keep `value` from being a plugin of `kind`; empty when it is one.
 * Functions may declare fewer parameters than the contract passes only if they
 * declare none (rest parameters); more is always an error.
 */
export function contractProblems(value: unknown, kind: PluginKind): string[] {
  if (typeof value !== "object" || value === null) {
    return [`it is ${value === null ? "null" : typeof value}, not an object`];
  }
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  if (v.kind !== kind) problems.push(`kind is ${JSON.stringify(v.kind)}, expected "${kind}"`);
  const oldest = OLDEST_SUPPORTED_API[kind];
  const supported = oldest === PLUGIN_API_VERSION
    ? `${PLUGIN_API_VERSION}`
    : `${oldest}..${PLUGIN_API_VERSION}`;
  if (
    typeof v.apiVersion !== "number" || v.apiVersion < oldest || v.apiVersion > PLUGIN_API_VERSION
  ) {
    problems.push(
      typeof v.apiVersion === "number"
        ? `apiVersion ${v.apiVersion} is not supported (this core implements plugin API ${supported} for ${kind} plugins)`
        : `apiVersion is missing (this core implements plugin API ${supported} for ${kind} plugins)`,
    );
  }
  const spec = REQUIRED[kind];
  for (const f of spec.fields) {
    if (typeof v[f] !== "string" || (v[f] as string).length === 0) {
      problems.push(`field '${f}' (a string) is missing`);
    }
  }
  for (const f of spec.numbers ?? []) {
    if (typeof v[f] !== "number" || !Number.isSafeInteger(v[f])) {
      problems.push(`field '${f}' (an integer) is missing`);
    }
  }
  for (const f of spec.objects ?? []) {
    if (typeof v[f] !== "object" || v[f] === null) {
      problems.push(`field '${f}' (an object) is missing`);
    }
  }
  for (const [m, arity] of Object.entries(spec.methods)) {
    const fn = v[m];
    if (typeof fn !== "function") problems.push(`method ${m}() is missing`);
    else if (fn.length > arity) {
      problems.push(`method ${m}() takes ${fn.length} parameters, the contract passes ${arity}`);
    }
  }
  return problems;
}

/** Return `value` typed as a plugin of `kind`, or throw naming what is missing. */
export function assertPlugin<K extends PluginKind>(
  value: unknown,
  kind: K,
  source: string,
): Extract<Plugin, { kind: K }> {
  const problems = contractProblems(value, kind);
  if (problems.length > 0) {
    throw new PluginContractError(
      `plugin ${source} is refused as a ${kind} plugin: ${problems.join("; ")}`,
    );
  }
  return value as Extract<Plugin, { kind: K }>;
}
