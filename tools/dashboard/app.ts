/**
 * The dashboard's HTTP application (hono): the live status page, the state
 * API, a Server-Sent Events stream of snapshots, and the VM controls.
 *
 * | Route | What |
 * |---|---|
 * | `GET /` | the self-contained status page |
 * | `GET /api/state` | {@link SystemSnapshot} as JSON |
 * | `GET /api/events` | SSE: a `state` event with a snapshot every `interval` ms (default 500) |
 * | `POST /api/vms` | create a VM from `{name, memory, vcpus, kernel?, initrd?, append?, start?}` |
 * | `POST /api/vms/:vmid/start` | VM_START of a VM created with `start: false` |
 * | `POST /api/vms/:vmid/stop` | forced VM_STOP (vcpu_kill of every vCPU) |
 * | `POST /api/vms/:vmid/reset` | VM_RESET of a stopped VM: its objects destroyed |
 * | `POST /api/vms/:vmid/destroy` | VM_DEALLOCATE of a reset VM: its VMID freed |
 * | `POST /api/vms/:vmid/console` | send `{text}` to the VM's console input |
 *
 * Errors are JSON `{error}` with a 4xx status. Requests that change state
 * must be `Content-Type: application/json` (a browser cannot send that
 * cross-site without a preflight this server never grants) and every request
 * must name a loopback host (no DNS rebinding).
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { GunyahSystem } from "@gunyah-ts/system";
import { consoleTap } from "./console_tap.ts";
import { EventLog } from "./event_log.ts";
import { DASHBOARD_PAGE } from "./page.ts";
import { snapshot } from "./snapshot.ts";
import type { SystemSnapshot } from "./snapshot_types.ts";
import {
  type DefaultImages,
  parseCreateVmRequest,
  VmControl,
  VmControlError,
} from "./vm_control.ts";

/** Default time between snapshots on the SSE stream, ms. */
export const DEFAULT_STREAM_INTERVAL_MS = 500;
/** Shortest and longest `interval` a client may ask the SSE stream for, ms. */
export const STREAM_INTERVAL_RANGE_MS = [100, 10_000] as const;
/** Largest request body accepted, bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Options of {@link createDashboard}. */
export interface DashboardOptions {
  /** Where the default guest images come from (default: the boot's `ensureGuestImages`). */
  readonly defaultImages?: DefaultImages;
  /** Events kept in the recent-event log (default 256). */
  readonly eventCapacity?: number;
}

/** A dashboard over one system. */
export interface Dashboard {
  /** The hono application (`app.fetch` is a fetch handler). */
  readonly app: Hono;
  /** The recent-event log it keeps. */
  readonly events: EventLog;
  /** The VM controls. */
  readonly control: VmControl;
  /** A snapshot of the system now (also starts recording the console of any new VM). */
  state(): SystemSnapshot;
  /** End every SSE stream and stop recording events. */
  close(): void;
}

const LOOPBACK_HOST = /^(127(\.\d{1,3}){3}|\[::1\]|localhost)(:\d+)?$/i;

function fail(c: Context, status: 400 | 403 | 404 | 409 | 413 | 415 | 422, error: string) {
  return c.json({ error }, status);
}

function parseVmid(text: string): number | null {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) return null;
  const v = Number(text);
  return Number.isSafeInteger(v) ? v : null;
}

async function readJson(
  c: Context,
): Promise<{ ok: true; body: unknown } | { ok: false; res: Response }> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    return {
      ok: false,
      res: fail(c, 415, "send the request with 'Content-Type: application/json'"),
    };
  }
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    return { ok: false, res: fail(c, 413, `request body over ${MAX_BODY_BYTES} bytes`) };
  }
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES) {
    return { ok: false, res: fail(c, 413, `request body over ${MAX_BODY_BYTES} bytes`) };
  }
  if (text.trim() === "") return { ok: true, body: {} };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch (e) {
    return { ok: false, res: fail(c, 400, `the body is not JSON: ${(e as Error).message}`) };
  }
}

/** Build the dashboard of `system`. */
export function createDashboard(system: GunyahSystem, options: DashboardOptions = {}): Dashboard {
  const events = new EventLog(system, options.eventCapacity);
  const control = new VmControl(system, options.defaultImages);
  const streams = new Set<() => void>();
  let tapped = 0;
  const tapConsoles = () => {
    if (tapped === system.vms.length) return;
    for (const vm of system.vms) consoleTap(vm);
    tapped = system.vms.length;
  };
  // Record the consoles of the VMs there are now, and of each later VM before its first
  // instruction: a CPU announces the switch to a new vCPU before running it.
  tapConsoles();
  const offSwitch = system.events.on("sched.switch", tapConsoles);
  const state = (): SystemSnapshot => {
    tapConsoles();
    return snapshot(system, { events });
  };
  const app = new Hono();

  app.use("*", async (c, next) => {
    // Deno.serve builds the URL from the request's Host (or :authority).
    const host = new URL(c.req.url).host;
    if (!LOOPBACK_HOST.test(host)) {
      return fail(c, 403, `the dashboard answers loopback hosts only, not '${host}'`);
    }
    await next();
  });

  app.onError((err, c) => {
    if (err instanceof VmControlError) return fail(c, err.status, err.message);
    system.log(`dashboard: ${err.stack ?? err.message}`);
    return c.json({ error: `internal error: ${err.message}` }, 500);
  });
  app.notFound((c) =>
    fail(c, 404, `no route ${c.req.method} ${c.req.path}; see GET / or GET /api/state`)
  );

  app.get("/", (c) => c.html(DASHBOARD_PAGE));
  app.get("/api/state", (c) => c.json(state()));

  app.get("/api/events", (c) => {
    const asked = c.req.query("interval");
    let interval = DEFAULT_STREAM_INTERVAL_MS;
    if (asked !== undefined) {
      interval = Number(asked);
      const [lo, hi] = STREAM_INTERVAL_RANGE_MS;
      if (!Number.isInteger(interval) || interval < lo || interval > hi) {
        return fail(c, 400, `'interval' must be an integer from ${lo} to ${hi} ms, got '${asked}'`);
      }
    }
    const encoder = new TextEncoder();
    let stop = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        let id = 0;
        const send = () => {
          try {
            controller.enqueue(
              encoder.encode(`event: state\nid: ${id++}\ndata: ${JSON.stringify(state())}\n\n`),
            );
          } catch {
            stop();
          }
        };
        const timer = setInterval(send, interval);
        stop = () => {
          clearInterval(timer);
          streams.delete(stop);
          try {
            controller.close();
          } catch {
            // already closed by the client
          }
        };
        streams.add(stop);
        controller.enqueue(encoder.encode(`retry: ${interval * 4}\n\n`));
        send();
      },
      cancel() {
        stop();
      },
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  });

  app.post("/api/vms", async (c) => {
    const r = await readJson(c);
    if (!r.ok) return r.res;
    const req = parseCreateVmRequest(r.body);
    const vm = await control.create(req);
    const rec = system.vmRecord(vm.vmid);
    return c.json(
      {
        vmid: vm.vmid,
        name: vm.name,
        status: state().vms.find((v) => v.vmid === vm.vmid)?.status ?? rec.status,
        vcpus: vm.vcpus.map((t) => t.describeName()),
      },
      201,
    );
  });

  const withVm = (
    action: (vmid: number, body: unknown) => void | Promise<void>,
  ) =>
  async (c: Context) => {
    const text = c.req.param("vmid") ?? "";
    const vmid = parseVmid(text);
    if (vmid === null) return fail(c, 400, `'${text}' is not a VMID (decimal or 0x hex)`);
    const r = await readJson(c);
    if (!r.ok) return r.res;
    await action(vmid, r.body);
    const vm = state().vms.find((v) => v.vmid === vmid);
    return c.json({ vmid, status: vm?.status ?? null, exitReason: vm?.exitReason ?? null });
  };

  app.post("/api/vms/:vmid/start", withVm((vmid) => control.start(vmid)));
  app.post("/api/vms/:vmid/stop", withVm((vmid) => control.stop(vmid)));
  app.post("/api/vms/:vmid/reset", withVm((vmid) => control.reset(vmid)));
  app.post("/api/vms/:vmid/destroy", withVm((vmid) => control.destroy(vmid)));
  app.post(
    "/api/vms/:vmid/console",
    withVm((vmid, body) => {
      const vm = system.vms.find((v) => v.vmid === vmid);
      if (!vm) throw new VmControlError(404, `no running VM instance with VMID ${vmid}`);
      const text = (body as { text?: unknown }).text;
      if (typeof text !== "string" || text.length === 0) {
        throw new VmControlError(400, `expected {"text": "..."} with the characters to type`);
      }
      consoleTap(vm).console.input(new TextEncoder().encode(text));
    }),
  );

  return {
    app,
    events,
    control,
    state,
    close() {
      for (const stop of [...streams]) stop();
      offSwitch();
      events.close();
    },
  };
}
