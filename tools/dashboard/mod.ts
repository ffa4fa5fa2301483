/**
 * The gunyah-ts dashboard: a read model of a running {@link GunyahSystem}
 * (`snapshot`, with load over a recent window and deltas: `live.ts`), a hono
 * app with a live page (a terminal per VM), a JSON/SSE API, a console
 * WebSocket and VM lifecycle controls (`createDashboard`), a per-boot access
 * token and an images rule (`access.ts`), a loopback-only server
 * (`serveDashboard`), and the console tee the terminal shares with it
 * (`teeConsole`).
 *
 * @example
 * ```ts ignore
 * const dash = await serveDashboard(system, "127.0.0.1:8418");
 * console.error(`dashboard: ${dash.openUrl}`);
 * await attachTerminal(teeConsole(vm), ended);
 * await dash.close();
 * ```
 *
 * @module
 */
export type { GunyahSystem, VmInstance } from "@gunyah-ts/system";
export type { GuestConsole } from "@gunyah-ts/system";
export type { Hono } from "hono";
export * from "./access.ts";
export * from "./app.ts";
export * from "./console_stream.ts";
export * from "./live.ts";
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
