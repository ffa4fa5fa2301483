/**
 * The dashboard's HTTP application (hono): the live status page with a
 * terminal per VM, the JSON API, a Server-Sent Events stream of state
 * deltas, the console WebSocket and the VM lifecycle controls.
 *
 * The routes are {@link DASHBOARD_ROUTES} (`GET /api` returns them; the
 * README's route table is the same list). Every request must name a
 * loopback host (no DNS rebinding) and carry the per-boot token (cookie or
 * `Authorization: Bearer`, see `access.ts`); `GET /?token=...` sets the
 * cookie. Requests that change state must be `Content-Type:
 * application/json` (a browser cannot send that cross-site without a
 * preflight this server never grants). Errors are JSON `{error}`: 400 bad
 * input, 401 no or wrong token, 403 a file outside the images policy or a
 * foreign host, 404 no such VM or route, 405 a known path with another
 * method (with `Allow`), 409 the VM's state forbids it, 413 a body over
 * {@link MAX_BODY_BYTES}, 415 not JSON, 422 an image that cannot be read,
 * 426 a console stream without a WebSocket upgrade.
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { GunyahSystem, VmInstance, VmSnapshot } from "@gunyah-ts/system";
import {
  type ImagePolicy,
  newAccessToken,
  requestToken,
  sameToken,
  TOKEN_QUERY,
  tokenCookie,
} from "./access.ts";
import { ASSETS } from "./assets.ts";
import { type ConsoleTap, consoleTap } from "./console_tap.ts";
import { ConsoleStream } from "./console_stream.ts";
import { EventLog } from "./event_log.ts";
import { diffState, LoadWindow } from "./live.ts";
import { DASHBOARD_PAGE, UNAUTHORIZED_PAGE } from "./page.ts";
import { snapshot } from "./snapshot.ts";
import type { SystemSnapshot } from "./snapshot_types.ts";
import {
  type DefaultImages,
  isPrimaryVm,
  parseCreateVmRequest,
  VmControl,
  VmControlError,
  type VmControlStatus,
} from "./vm_control.ts";

/** Default time between updates on the SSE stream, ms. */
export const DEFAULT_STREAM_INTERVAL_MS = 500;
/** Shortest and longest `interval` a client may ask the SSE stream for, ms. */
export const STREAM_INTERVAL_RANGE_MS = [100, 10_000] as const;
/** Largest request body accepted, bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** One route of the API. */
export interface DashboardRoute {
  /** HTTP method. */
  readonly method: "GET" | "POST" | "DELETE";
  /** Path pattern (hono syntax: `:vmid` is a VMID, decimal or 0x hex). */
  readonly path: string;
  /** What it does and answers. */
  readonly summary: string;
}

/** Every route the dashboard serves (what `GET /api` returns). */
export const DASHBOARD_ROUTES: readonly DashboardRoute[] = [
  {
    method: "GET",
    path: "/",
    summary: "the page (`?token=` sets the token cookie, then redirects)",
  },
  { method: "GET", path: "/assets/:file", summary: "xterm.js, its CSS and fit addon (from npm)" },
  { method: "GET", path: "/api", summary: "this route table" },
  { method: "GET", path: "/api/state", summary: "the whole system: a SystemSnapshot" },
  {
    method: "GET",
    path: "/api/events",
    summary:
      "SSE: `state` (full, `?interval=` ms), then `delta` events, `end` when the system ends",
  },
  {
    method: "GET",
    path: "/api/vms",
    summary: "the VMs: `{vms: [VmSnapshot & {primary, load}], ram: {budgetBytes, usedBytes}}`",
  },
  {
    method: "POST",
    path: "/api/vms",
    summary: "create `{name, memory?, vcpus?, kernel?, initrd?, append?, start?}` → 201",
  },
  {
    method: "GET",
    path: "/api/vms/:vmid",
    summary: "one VM with its vCPUs, load, exits by kind and console counters",
  },
  {
    method: "DELETE",
    path: "/api/vms/:vmid",
    summary: "stop, VM_RESET, VM_DEALLOCATE: `{vmid, memoryBytes, returnedBytes}`",
  },
  {
    method: "POST",
    path: "/api/vms/:vmid/start",
    summary: "VM_START of a VM created with start: false",
  },
  {
    method: "POST",
    path: "/api/vms/:vmid/shutdown",
    summary: "graceful: VM_STOP without FORCE (NOTIFY_VM_SHUTDOWN); primary needs {confirm: true}",
  },
  {
    method: "POST",
    path: "/api/vms/:vmid/stop",
    summary: "force stop: VM_STOP FORCE (vcpu_kill of every vCPU); primary needs {confirm: true}",
  },
  {
    method: "POST",
    path: "/api/vms/:vmid/restart",
    summary: "stop, VM_RESET, VM_DEALLOCATE, launch again from the same images (new VMID)",
  },
  { method: "POST", path: "/api/vms/:vmid/reset", summary: "VM_RESET of a stopped VM" },
  { method: "POST", path: "/api/vms/:vmid/destroy", summary: "VM_DEALLOCATE of a reset VM" },
  {
    method: "GET",
    path: "/api/vms/:vmid/console",
    summary: "console history as bytes from `?from=` (X-Console-Offset, X-Console-Total)",
  },
  {
    method: "POST",
    path: "/api/vms/:vmid/console",
    summary: "type `{text}` on a running VM's console",
  },
  {
    method: "GET",
    path: "/api/vms/:vmid/console/ws",
    summary: "WebSocket: the console stream from `?from=` (see console_stream.ts), keystrokes back",
  },
];

/** Options of {@link createDashboard}. */
export interface DashboardOptions {
  /** Where the default guest images come from (default: the boot's `ensureGuestImages`). */
  readonly defaultImages?: DefaultImages;
  /** Which files `kernel` / `initrd` may name (default: the images folder only). */
  readonly images?: ImagePolicy;
  /** The access token (default: a fresh random one). */
  readonly token?: string;
  /** Events kept in the recent-event log (default 256). */
  readonly eventCapacity?: number;
}

/** A dashboard over one system. */
export interface Dashboard {
  /** The hono application (`app.fetch` is a fetch handler). */
  readonly app: Hono;
  /** The per-boot access token every request must carry. */
  readonly token: string;
  /** The recent-event log it keeps. */
  readonly events: EventLog;
  /** The VM controls. */
  readonly control: VmControl;
  /** A snapshot of the system now (also starts recording the console of any new VM). */
  state(): SystemSnapshot;
  /** Tell every client the system ended, end the streams and stop recording events. */
  close(): void;
}

const LOOPBACK_HOST = /^(127(\.\d{1,3}){3}|\[::1\]|localhost)(:\d+)?$/i;

function fail(c: Context, status: VmControlStatus | 401 | 426, error: string) {
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
  if (new TextEncoder().encode(text).length > MAX_BODY_BYTES) {
    return { ok: false, res: fail(c, 413, `request body over ${MAX_BODY_BYTES} bytes`) };
  }
  if (text.trim() === "") return { ok: true, body: {} };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch (e) {
    return { ok: false, res: fail(c, 400, `the body is not JSON: ${(e as Error).message}`) };
  }
}

function confirmOf(body: unknown): { confirm?: boolean } {
  const b = body as { confirm?: unknown };
  if (typeof body !== "object" || body === null) return {};
  if (b.confirm !== undefined && typeof b.confirm !== "boolean") {
    throw new VmControlError(
      400,
      `'confirm' must be true or false, got ${JSON.stringify(b.confirm)}`,
    );
  }
  return { confirm: b.confirm as boolean | undefined };
}

/** Build the dashboard of `system`. */
export function createDashboard(system: GunyahSystem, options: DashboardOptions = {}): Dashboard {
  const token = options.token ?? newAccessToken();
  const events = new EventLog(system, options.eventCapacity);
  const control = new VmControl(system, options.defaultImages, options.images);
  const load = new LoadWindow();
  const streams = new Set<(ended?: boolean) => void>();
  const sockets = new Set<
    { vmid: number; tap: ConsoleTap; stream: ConsoleStream; socket: WebSocket }
  >();
  let tapped = 0;
  const tapConsoles = () => {
    if (tapped === system.vms.length) return;
    for (const vm of system.vms) {
      consoleTap(vm);
      watchEnd(vm);
    }
    tapped = system.vms.length;
  };
  const watched = new WeakSet<VmInstance>();
  const watchEnd = (vm: VmInstance) => {
    if (watched.has(vm)) return;
    watched.add(vm);
    vm.ended.then((e) => {
      for (const s of sockets) {
        if (s.vmid === vm.vmid) s.stream.notify({ type: "end", reason: e.kind });
      }
    });
  };
  // Record the consoles of the VMs there are now, and of each later VM before its first
  // instruction: a CPU announces the switch to a new vCPU before running it.
  tapConsoles();
  const offSwitch = system.events.on("sched.switch", tapConsoles);
  const state = (consoleBytes?: number): SystemSnapshot => {
    tapConsoles();
    return snapshot(system, { events, load, consoleBytes });
  };
  const vmOf = (vmid: number): VmInstance => {
    const vm = system.vms.find((v) => v.vmid === vmid);
    if (vm === undefined) {
      const known = system.vms.map((v) => `${v.vmid} (${v.name})`).join(", ") || "none";
      throw new VmControlError(404, `no VM instance with VMID ${vmid}; VMs: ${known}`);
    }
    return vm;
  };
  const vmidParam = (c: Context): number => {
    const text = c.req.param("vmid") ?? "";
    const vmid = parseVmid(text);
    if (vmid === null) throw new VmControlError(400, `'${text}' is not a VMID (decimal or 0x hex)`);
    return vmid;
  };
  const vmView = (s: SystemSnapshot, v: VmSnapshot) => ({
    ...v,
    primary: isPrimaryVm(v.vmid),
    load: s.load?.vms.find((l) => l.vmid === v.vmid) ?? null,
    console: s.consoles.find((c) => c.vmid === v.vmid) ?? null,
  });
  const app = new Hono();

  app.use("*", async (c, next) => {
    // Deno.serve builds the URL from the request's Host (or :authority).
    const url = new URL(c.req.url);
    if (!LOOPBACK_HOST.test(url.host)) {
      return fail(c, 403, `the dashboard answers loopback hosts only, not '${url.host}'`);
    }
    const asked = url.searchParams.get(TOKEN_QUERY);
    if (asked !== null && c.req.method === "GET" && url.pathname === "/") {
      if (!sameToken(asked, token)) {
        return c.html(UNAUTHORIZED_PAGE, 401);
      }
      // Hand the token over as a cookie and drop it from the address bar and history.
      url.searchParams.delete(TOKEN_QUERY);
      return new Response(null, {
        status: 303,
        headers: { location: url.pathname + url.search, "set-cookie": tokenCookie(token) },
      });
    }
    const carried = requestToken(c.req.raw);
    if (carried === null || !sameToken(carried, token)) {
      if (!url.pathname.startsWith("/api")) return c.html(UNAUTHORIZED_PAGE, 401);
      return fail(
        c,
        401,
        carried === null
          ? "no access token: open the URL 'gunyah boot' printed (…/?token=…) or send " +
            "'Authorization: Bearer <token>' (the token file is named in the boot log)"
          : "wrong access token (each boot draws a new one)",
      );
    }
    await next();
  });

  app.onError((err, c) => {
    if (err instanceof VmControlError) return fail(c, err.status, err.message);
    system.log(`dashboard: ${err.stack ?? err.message}`);
    return c.json({ error: `internal error: ${err.message}` }, 500);
  });
  app.notFound((c) => fail(c, 404, `no route ${c.req.method} ${c.req.path}; GET /api lists them`));

  app.get("/", (c) => {
    c.header("cache-control", "no-store");
    return c.html(DASHBOARD_PAGE);
  });
  app.get("/assets/:file", (c) => {
    const asset = ASSETS.get(c.req.path);
    if (asset === undefined) return fail(c, 404, `no asset ${c.req.path}`);
    return c.body(asset.body, 200, {
      "content-type": asset.type,
      "cache-control": "private, max-age=86400",
    });
  });
  app.get("/api", (c) => c.json({ routes: DASHBOARD_ROUTES }));
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
    let stop = (_ended?: boolean) => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        let id = 0;
        let sent: SystemSnapshot | null = null;
        const send = () => {
          try {
            // The consoles' text goes over their own stream; the state carries their counters.
            const now = state(0);
            if (sent === null) {
              controller.enqueue(
                encoder.encode(`event: state\nid: ${id++}\ndata: ${JSON.stringify(now)}\n\n`),
              );
            } else {
              const d = diffState(sent, now);
              if (d !== undefined) {
                controller.enqueue(
                  encoder.encode(`event: delta\nid: ${id++}\ndata: ${JSON.stringify(d)}\n\n`),
                );
              }
            }
            sent = now;
          } catch {
            stop();
          }
        };
        const timer = setInterval(send, interval);
        stop = (ended = false) => {
          clearInterval(timer);
          streams.delete(stop);
          try {
            if (ended) controller.enqueue(encoder.encode(`event: end\ndata: {}\n\n`));
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

  app.get("/api/vms", (c) => {
    const s = state(0);
    return c.json({ vms: s.vms.map((v) => vmView(s, v)), ram: control.ram() });
  });

  app.post("/api/vms", async (c) => {
    const r = await readJson(c);
    if (!r.ok) return r.res;
    const req = parseCreateVmRequest(r.body);
    const vm = await control.create(req);
    watchEnd(vm);
    const rec = system.vmRecord(vm.vmid);
    return c.json(
      {
        vmid: vm.vmid,
        name: vm.name,
        status: rec.status,
        vcpus: vm.vcpus.map((t) => t.describeName()),
      },
      201,
    );
  });

  app.get("/api/vms/:vmid", (c) => {
    const vmid = vmidParam(c);
    control.record(vmid);
    const s = state(0);
    const v = s.vms.find((x) => x.vmid === vmid);
    if (v === undefined) throw new VmControlError(404, `no VM with VMID ${vmid}`);
    return c.json({ ...vmView(s, v), vcpuThreads: s.vcpus.filter((t) => t.vmid === vmid) });
  });

  const after = (c: Context, vmid: number, extra: Record<string, unknown> = {}) => {
    const vm = state(0).vms.find((v) => v.vmid === vmid);
    return c.json({
      vmid,
      status: vm?.status ?? null,
      exitReason: vm?.exitReason ?? null,
      ...extra,
    });
  };
  const withVm =
    (action: (vmid: number, body: unknown, c: Context) => Promise<Response | void>) =>
    async (c: Context) => {
      const vmid = vmidParam(c);
      const r = await readJson(c);
      if (!r.ok) return r.res;
      const res = await action(vmid, r.body, c);
      return res ?? after(c, vmid);
    };

  /** End the console sockets of VM instances the system no longer has (deleted, rebuilt). */
  const dropGone = () => {
    for (const s of [...sockets]) {
      const vm = system.vms.find((v) => v.vmid === s.vmid);
      if (vm === undefined || consoleTap(vm) !== s.tap) {
        s.stream.notify({ type: "end", reason: "deleted" });
        s.stream.close();
        sockets.delete(s);
        s.socket.close(1000, "the VM was deleted");
      }
    }
  };
  app.delete("/api/vms/:vmid", async (c) => {
    const vmid = vmidParam(c);
    const done = await control.delete(vmid);
    dropGone();
    return c.json(done);
  });
  app.post("/api/vms/:vmid/start", withVm((vmid) => control.start(vmid)));
  app.post(
    "/api/vms/:vmid/shutdown",
    withVm(async (vmid, b, c) => {
      await control.shutdown(vmid, confirmOf(b));
      // The RM delivered NOTIFY_VM_SHUTDOWN; the guest decides when (and whether) to power off.
      return after(c, vmid, { requested: true });
    }),
  );
  app.post("/api/vms/:vmid/stop", withVm((vmid, b) => control.stop(vmid, confirmOf(b))));
  app.post(
    "/api/vms/:vmid/restart",
    withVm(async (vmid, _b, c) => {
      const vm = await control.restart(vmid);
      watchEnd(vm);
      dropGone();
      return after(c, vm.vmid, { previousVmid: vmid, name: vm.name });
    }),
  );
  app.post("/api/vms/:vmid/reset", withVm((vmid) => control.reset(vmid)));
  app.post("/api/vms/:vmid/destroy", withVm((vmid) => control.destroy(vmid)));

  app.get("/api/vms/:vmid/console", (c) => {
    const vm = vmOf(vmidParam(c));
    const ring = consoleTap(vm).ring;
    const from = c.req.query("from");
    const at = from === undefined ? ring.start : Number(from);
    if (!Number.isSafeInteger(at) || at < 0) {
      throw new VmControlError(400, `'from' must be a byte offset (integer ≥ 0), got '${from}'`);
    }
    const { offset, bytes } = ring.since(at);
    return c.body(bytes.slice().buffer, 200, {
      "content-type": "application/octet-stream",
      "x-console-offset": String(offset),
      "x-console-total": String(ring.total),
    });
  });

  app.post(
    "/api/vms/:vmid/console",
    withVm(async (vmid, body) => {
      const vm = vmOf(vmid);
      const text = (body as { text?: unknown }).text;
      if (typeof text !== "string" || text.length === 0) {
        throw new VmControlError(400, `expected {"text": "..."} with the characters to type`);
      }
      control.requireRunning(vmid, "typed on");
      consoleTap(vm).input(new TextEncoder().encode(text));
      await Promise.resolve();
    }),
  );

  app.get("/api/vms/:vmid/console/ws", (c) => {
    const vmid = vmidParam(c);
    const vm = vmOf(vmid);
    if ((c.req.header("upgrade") ?? "").toLowerCase() !== "websocket") {
      return fail(c, 426, "this is a WebSocket: connect with 'Upgrade: websocket'");
    }
    const origin = c.req.header("origin");
    if (origin !== undefined && new URL(origin).host !== new URL(c.req.url).host) {
      return fail(c, 403, `a console stream is not opened for another origin ('${origin}')`);
    }
    const fromText = c.req.query("from");
    const from = fromText === undefined ? undefined : Number(fromText);
    if (from !== undefined && (!Number.isSafeInteger(from) || from < 0)) {
      return fail(c, 400, `'from' must be a byte offset (integer ≥ 0), got '${fromText}'`);
    }
    const tap = consoleTap(vm);
    const { socket, response } = Deno.upgradeWebSocket(c.req.raw);
    socket.binaryType = "arraybuffer";
    const stream = new ConsoleStream(tap, socket, from);
    const entry = { vmid, tap, stream, socket };
    socket.onopen = () => {
      sockets.add(entry);
      stream.open({ vmid, name: vm.name, status: system.vmRecord(vmid).status, stream: tap.id });
    };
    socket.onmessage = (ev) => {
      const status = system.vmRecord(vmid).status;
      if (status !== "running") {
        stream.notify({
          type: "error",
          error: `VM '${vm.name}' is ${status}: nothing reads its console`,
        });
        return;
      }
      stream.receive(ev.data, (b) => tap.input(b));
    };
    socket.onclose = () => {
      stream.close();
      sockets.delete(entry);
    };
    socket.onerror = () => {
      stream.close();
      sockets.delete(entry);
    };
    return response;
  });

  // A known path asked with another method: 405 with the methods it has.
  const methods = new Map<string, string[]>();
  for (const r of DASHBOARD_ROUTES) methods.set(r.path, [...(methods.get(r.path) ?? []), r.method]);
  for (const [path, allowed] of methods) {
    app.all(path, (c) => {
      c.header("allow", allowed.join(", "));
      return fail(
        c,
        405,
        `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(" or ")}`,
      );
    });
  }

  return {
    app,
    token,
    events,
    control,
    state: () => state(),
    close() {
      for (const stop of [...streams]) stop(true);
      for (const s of [...sockets]) {
        s.stream.notify({ type: "end", reason: "system ended" });
        s.stream.close();
        try {
          s.socket.close(1001, "system ended");
        } catch {
          // already closing
        }
      }
      sockets.clear();
      offSwitch();
      events.close();
    },
  };
}
