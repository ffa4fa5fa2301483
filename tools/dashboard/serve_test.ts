import { assert, assertEquals, assertRejects, assertThrows } from "@gunyah-ts/tests/assert";
import type { SystemSnapshot } from "./snapshot_types.ts";
import {
  DashboardAddressError,
  type DashboardServer,
  parseListenAddress,
  serveDashboard,
} from "./serve.ts";
import { consoleTap } from "./console_tap.ts";
import { printThenOffGuest, printThenWaitGuest, systemWithGuest } from "./test_fixture.ts";

Deno.test("listen addresses: loopback only, with clear errors", () => {
  assertEquals(parseListenAddress("127.0.0.1:8418"), { hostname: "127.0.0.1", port: 8418 });
  assertEquals(parseListenAddress("127.1.2.3:0"), { hostname: "127.1.2.3", port: 0 });
  assertEquals(parseListenAddress("[::1]:9000"), { hostname: "::1", port: 9000 });
  assertEquals(parseListenAddress("localhost:80"), { hostname: "127.0.0.1", port: 80 });
  assertThrows(() => parseListenAddress("0.0.0.0:8418"), DashboardAddressError, "not loopback");
  assertThrows(() => parseListenAddress("[::]:8418"), DashboardAddressError, "not loopback");
  assertThrows(() => parseListenAddress("192.168.1.5:80"), DashboardAddressError, "127.0.0.1");
  assertThrows(() => parseListenAddress("127.0.0.1"), DashboardAddressError, "host:port");
  assertThrows(() => parseListenAddress("127.0.0.1:70000"), DashboardAddressError, "65535");
  assertThrows(() => parseListenAddress("127.0.0.300:1"), DashboardAddressError, "not loopback");
});

Deno.test("serveDashboard refuses a non-loopback address and a port in use", async () => {
  const { system } = await systemWithGuest(printThenWaitGuest(""));
  await assertRejects(() => serveDashboard(system, "0.0.0.0:0"), DashboardAddressError);
  const first = await serveDashboard(system, "127.0.0.1:0");
  try {
    await assertRejects(
      () => serveDashboard(system, `127.0.0.1:${first.port}`),
      DashboardAddressError,
      "in use",
    );
  } finally {
    await first.close();
  }
});

/** The token of the server under test (set when it starts). */
let token = "";

/** A request bounded in time, with the token; returns status and parsed JSON (or text). */
async function request(
  url: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const headers = new Headers(init.headers);
  if (!headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  const res = await fetch(url, { ...init, headers, body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  if ((res.headers.get("content-type") ?? "").includes("json")) parsed = JSON.parse(text);
  return { status: res.status, body: parsed, text };
}

/** A raw HTTP/1.1 GET with an arbitrary Host header (fetch will not send a foreign one). */
async function rawGet(port: number, path: string, host: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(
      new TextEncoder().encode(
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      ),
    );
    let out = "";
    const buf = new Uint8Array(4096);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const n = await conn.read(buf);
      if (n === null) break;
      out += new TextDecoder().decode(buf.subarray(0, n));
    }
    return out;
  } finally {
    conn.close();
  }
}

async function state(base: string): Promise<SystemSnapshot> {
  return (await request(`${base}api/state`)).body as unknown as SystemSnapshot;
}

/** Poll the state until `pred` holds (bounded). */
async function until(
  base: string,
  pred: (s: SystemSnapshot) => boolean,
  what: string,
): Promise<SystemSnapshot> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = await state(base);
    if (pred(s)) return s;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s.vms)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("HTTP API over loopback: page, state, SSE, create/start/stop, console, errors", async () => {
  const { system } = await systemWithGuest(printThenWaitGuest("primary up\n"), 64);
  const dir = await Deno.makeTempDir();
  const kernel = `${dir}/hello.bin`;
  await Deno.writeFile(kernel, printThenWaitGuest("second up\n"));
  const off = `${dir}/off.bin`;
  await Deno.writeFile(off, printThenOffGuest("bye\n"));
  const server = await serveDashboard(system, "127.0.0.1:0", {
    defaultImages: () => Promise.reject(new Error("no default images in tests")),
    images: { folders: [dir], files: [] },
  });
  const base = server.url;
  token = server.dashboard.token;
  assertEquals(server.openUrl, `${base}?token=${token}`);
  assertEquals((await Deno.readTextFile(server.tokenFile)).trim(), token);
  assertEquals((await Deno.stat(server.tokenFile)).mode! & 0o777, 0o600);
  const running = system.hv.run();
  try {
    assert(base.startsWith("http://127.0.0.1:"), base);

    const page = await request(base);
    assertEquals(page.status, 200);
    assert(page.text.includes("<title>gunyah-ts dashboard</title>"));
    const assets = [...page.text.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)];
    assert(assets.every((m) => m[1].startsWith("/assets/")), "assets from this server only");
    for (const m of assets) assertEquals((await request(`${base}${m[1].slice(1)}`)).status, 200);

    let s = await until(base, (s) => s.consoles[0]?.text === "primary up\n", "primary output");
    assertEquals(s.vms.map((v) => [v.vmid, v.name, v.status]), [[3, "primary", "running"]]);
    assert(s.cspaces.some((c) => !c.root && c.caps.length >= 7), "the RM's cspace holds the VM");

    // SSE: the first `state` event carries a snapshot.
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 10_000);
    const sse = await fetch(`${base}api/events?interval=100`, {
      signal: ctl.signal,
      headers: { authorization: `Bearer ${token}` },
    });
    assertEquals(sse.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const reader = sse.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    while (!/event: state\nid: \d+\ndata: .*\n\n/.test(buf)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
    }
    const data = JSON.parse(/data: (.*)\n\n/.exec(buf)![1]) as SystemSnapshot;
    assertEquals(data.vms[0].name, "primary");
    await reader.cancel();
    ctl.abort();
    clearTimeout(timer);

    // Create without starting: the VM is READY, its vCPU not yet powered on.
    const created = await request(`${base}api/vms`, {
      method: "POST",
      json: { name: "second", memory: "16M", vcpus: 1, kernel, start: false },
    });
    assertEquals(created.status, 201, created.text);
    assertEquals(created.body.status, "ready");
    const vmid = created.body.vmid as number;
    assertEquals(vmid, 0x80); // the first dynamic VMID
    s = await state(base);
    assertEquals(s.vcpus.find((t) => t.vm === "second")!.blocked.includes("vcpu_off"), true);

    const started = await request(`${base}api/vms/${vmid}/start`, { method: "POST", json: {} });
    assertEquals([started.status, started.body.status], [200, "running"]);
    await until(
      base,
      (s) => s.consoles.find((c) => c.vmid === vmid)?.text === "second up\n",
      "output",
    );

    const again = await request(`${base}api/vms/${vmid}/start`, { method: "POST", json: {} });
    assertEquals(again.status, 409);
    assert(String(again.body.error).includes("already running"));

    const stopped = await request(`${base}api/vms/0x80/stop`, { method: "POST", json: {} });
    assertEquals([stopped.status, stopped.body.status], [200, "exited"]);
    assertEquals(stopped.body.exitReason, "stopped (VM_STOP_FORCED) by VM 0x3f");
    s = await until(
      base,
      (s) => s.vcpus.find((t) => t.vm === "second")?.state === "EXITED",
      "the killed vCPU to exit",
    );
    assertEquals(s.vms.find((v) => v.vmid === 3)!.status, "running"); // the other VM is untouched
    const restart = await request(`${base}api/vms/${vmid}/start`, { method: "POST", json: {} });
    assertEquals(restart.status, 409);
    assert(String(restart.body.error).includes("create a new VM"), restart.text);

    // A guest that powers itself off is reported EXITED by the system's own path.
    const third = await request(`${base}api/vms`, {
      method: "POST",
      json: { name: "third", memory: 16 << 20, vcpus: 1, kernel: off },
    });
    assertEquals(third.status, 201, third.text);
    // The run loop may already have run it to its end before the answer was built.
    assert(["running", "exited"].includes(third.body.status as string), third.text);
    s = await until(base, (s) => s.vms.find((v) => v.name === "third")?.status === "exited", "off");
    assertEquals(s.consoles.find((c) => c.name === "third")!.text, "bye\n");

    // Console input reaches the guest's PL011 receive FIFO.
    const typed = await request(`${base}api/vms/3/console`, {
      method: "POST",
      json: { text: "x" },
    });
    assertEquals(typed.status, 200, typed.text);

    // Bad input.
    const cases: [string, RequestInit & { json?: unknown }, number, string][] = [
      ["api/vms", { method: "POST", json: { memory: "16M" } }, 400, "'name' is required"],
      ["api/vms", { method: "POST", json: { name: "x", vcpus: 99 } }, 400, "at most 8"],
      ["api/vms", { method: "POST", json: { name: "x", memory: "1M" } }, 400, "from 16M to 3G"],
      ["api/vms", { method: "POST", json: { name: "x", colour: 1 } }, 400, "unknown field"],
      ["api/vms", { method: "POST", json: { name: "primary", kernel } }, 409, "exists"],
      [
        "api/vms",
        { method: "POST", json: { name: "y", memory: "16M", kernel: `${dir}/nope` } },
        422,
        "nope",
      ],
      ["api/vms", { method: "POST", json: { name: "z", memory: "64M", kernel } }, 409, "MiB"],
      ["api/vms", { method: "POST", json: { name: "d", memory: "16M" } }, 409, "no default images"],
      [
        "api/vms",
        { method: "POST", body: "{", headers: { "content-type": "application/json" } },
        400,
        "not JSON",
      ],
      ["api/vms", { method: "POST", body: "{}" }, 415, "application/json"],
      ["api/vms", { method: "POST", json: { name: "x".repeat(70_000) } }, 413, "over 65536"],
      ["api/vms/77/stop", { method: "POST", json: {} }, 404, "no VM with VMID 77"],
      ["api/vms/abc/stop", { method: "POST", json: {} }, 400, "not a VMID"],
      ["api/vms/3/console", { method: "POST", json: {} }, 400, "text"],
      ["api/events?interval=5", {}, 400, "interval"],
      ["api/nothing", {}, 404, "no route"],
    ];
    for (const [path, init, status, text] of cases) {
      const r = await request(`${base}${path}`, init);
      assertEquals(r.status, status, `${path}: ${r.text}`);
      assert(String(r.body.error).includes(text), `${path}: ${r.text}`);
    }

    // A page on another host reaching us through DNS rebinding names its own host: refused.
    const raw = await rawGet(server.port, "/api/state", "evil.example:8418");
    assert(raw.startsWith("HTTP/1.1 403"), raw);
    assert(raw.includes("loopback hosts only"), raw);
  } finally {
    await server.close();
    system.hv.stop();
    await running;
    await Deno.remove(dir, { recursive: true });
  }
  // The token file goes with the server.
  await assertRejects(() => Deno.stat(server.tokenFile), Deno.errors.NotFound);
});

Deno.test("close() ends SSE streams a client still holds open", async () => {
  const { system } = await systemWithGuest(printThenWaitGuest(""));
  const server = await serveDashboard(system, "127.0.0.1:0");
  const res = await fetch(`${server.url}api/events`, {
    signal: AbortSignal.timeout(10_000),
    headers: { authorization: `Bearer ${server.dashboard.token}` },
  });
  const reader = res.body!.getReader();
  await reader.read(); // the stream is open
  const closed = server.close();
  let ended = false;
  while (!ended) ended = (await reader.read()).done;
  await closed;
  assertEquals(ended, true);
});

/** Open the console WebSocket of `vmid`; collects text frames and output bytes. */
function openConsole(server: DashboardServer, vmid: number, from?: number) {
  const url = `${server.url.replace("http:", "ws:")}api/vms/${vmid}/console/ws${
    from === undefined ? "" : `?from=${from}`
  }`;
  const init = { headers: { authorization: `Bearer ${server.dashboard.token}` } };
  const ws = new WebSocket(url, init as unknown as string[]);
  ws.binaryType = "arraybuffer";
  const messages: Record<string, unknown>[] = [];
  let output = "";
  const dec = new TextDecoder();
  ws.onmessage = (ev) => {
    if (typeof ev.data === "string") messages.push(JSON.parse(ev.data));
    else output += dec.decode(new Uint8Array(ev.data as ArrayBuffer), { stream: true });
  };
  const closed = new Promise<void>((r) => ws.addEventListener("close", () => r()));
  return { ws, messages, output: () => output, closed };
}

async function waitFor(pred: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("console WebSocket: history, live bytes, keystrokes, resume from an offset, end", async () => {
  const { system, vm } = await systemWithGuest(printThenWaitGuest("hello from the guest\n"));
  const server = await serveDashboard(system, "127.0.0.1:0");
  const running = system.hv.run();
  try {
    await waitFor(() => consoleTap(vm).ring.total === 21, "the guest's output");
    const a = openConsole(server, vm.vmid);
    await waitFor(() => a.output() === "hello from the guest\n", "the history");
    assertEquals(a.messages[0], {
      type: "hello",
      vmid: 3,
      name: "primary",
      status: "running",
      offset: 0,
      total: 21,
      lost: 0,
      stream: consoleTap(vm).id,
    });
    // Keystrokes (a control key included) reach the guest's console input.
    const typed: number[] = [];
    const tap = consoleTap(vm);
    const input = tap.input.bind(tap);
    tap.input = (b) => {
      typed.push(...b);
      input(b);
    };
    a.ws.send(new Uint8Array([0x03])); // Ctrl-C
    a.ws.send("ls\r");
    a.ws.send(JSON.stringify({ type: "resize", cols: 120, rows: 40 }));
    await waitFor(() => typed.length === 4, "the keystrokes");
    assertEquals(typed, [0x03, 0x6c, 0x73, 0x0d]);
    a.ws.close();
    await a.closed;

    // A reconnect resumes where the client left off.
    const b = openConsole(server, vm.vmid, 11);
    await waitFor(() => b.output() === "the guest\n", "the resumed stream");
    assertEquals(b.messages[0].offset, 11);

    // The VM stops: the stream says so; closing the dashboard ends the socket.
    await server.dashboard.control.stop(vm.vmid, { confirm: true });
    await waitFor(() => b.messages.some((m) => m.type === "end"), "the end notice");
    b.ws.send("x");
    await waitFor(() => b.messages.some((m) => m.type === "error"), "the refusal");
    await server.close();
    await b.closed;
  } finally {
    await server.close();
    system.hv.stop();
    await running;
  }
});
