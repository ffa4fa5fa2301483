/**
 * The gunyah-ts dashboard: a read model of a running {@link GunyahSystem}
 * (`snapshot`), a hono app with a live status page, a JSON/SSE API and VM
 * controls (`createDashboard`), a loopback-only server (`serveDashboard`),
 * and the console tee the terminal shares with it (`teeConsole`).
 *
 * @example
 * ```ts ignore
 * const dash = await serveDashboard(system, "127.0.0.1:8418");
 * console.error(`dashboard: ${dash.url}`);
 * await attachTerminal(teeConsole(vm), ended);
 * await dash.close();
 * ```
 *
 * @module
 */
export type { GunyahSystem, VmInstance } from "@gunyah-ts/system";
export type { GuestConsole } from "@gunyah-ts/system";
export type { Hono } from "hono";
export * from "./app.ts";
export * from "./console_tap.ts";
export * from "./event_log.ts";
export * from "./serve.ts";
export {
  hex,
  snapshot,
  SNAPSHOT_CONSOLE_BYTES,
  SNAPSHOT_EVENTS,
  type SnapshotOptions,
} from "./snapshot.ts";
export type * from "./snapshot_types.ts";
export * from "./vm_control.ts";
