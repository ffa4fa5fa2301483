import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { GunyahSystem } from "@gunyah-ts/system";
import { createDashboard, type Dashboard, DASHBOARD_ROUTES, MAX_BODY_BYTES } from "./app.ts";
import { TOKEN_COOKIE } from "./access.ts";
import { DASHBOARD_PAGE } from "./page.ts";
import { printThenWaitGuest, systemWithGuest } from "./test_fixture.ts";

const BASE = "http://127.0.0.1:8418";

/** A request through `app.request` with the token (unless `token: null`). */
async function call(
  dash: Dashboard,
  method: string,
  path: string,
  opts: { json?: unknown; token?: string | null; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown>; res: Response }> {
  const headers = new Headers(opts.headers);
  const token = opts.token === undefined ? dash.token : opts.token;
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(opts.json);
  }
  const res = await dash.app.request(`${BASE}${path}`, { method, headers, body });
  const type = res.headers.get("content-type") ?? "";
  const parsed = type.includes("json") ? await res.json() : {};
  return { status: res.status, body: parsed as Record<string, unknown>, res };
}

Deno.test("a VM launched after the dashboard started has its console recorded from the first byte", async () => {
  const system = await GunyahSystem.create({ ramBytes: 32 << 20 });
  const dash = createDashboard(system);
  const vm = system.launch({
    name: "late",
    memory: 16 << 20,
    vcpus: 1,
    kernel: printThenWaitGuest("first bytes\n"),
    bootargs: "",
  });
  system.hv.runUntil(() => vm.vcpus[0].sched.blockBits !== 0, 1e6);
  const s = dash.state();
  assertEquals(s.consoles.map((c) => [c.name, c.text]), [["late", "first bytes\n"]]);
  dash.close();
});

Deno.test("token: every route needs it; the URL's ?token= becomes a cookie; loopback hosts only", async () => {
  const { system } = await systemWithGuest(printThenWaitGuest(""));
  const dash = createDashboard(system, { token: "a".repeat(32) });
  try {
    for (const r of DASHBOARD_ROUTES) {
      const path = r.path.replace(":vmid", "3").replace(":file", "xterm.js");
      const res = await call(dash, r.method, path, {
        token: null,
        json: r.method === "GET" ? undefined : {},
      });
      assertEquals(res.status, 401, `${r.method} ${path}`);
    }
    const wrong = await call(dash, "GET", "/api/state", { token: "b".repeat(32) });
    assertEquals([wrong.status, wrong.body.error], [
      401,
      "wrong access token (each boot draws a new one)",
    ]);
    const page = await dash.app.request(`${BASE}/`);
    assertEquals(page.status, 401);
    assert((await page.text()).includes("Access token needed"));

    const bad = await dash.app.request(`${BASE}/?token=${"c".repeat(32)}`);
    assertEquals([bad.status, bad.headers.get("set-cookie")], [401, null]);
    const good = await dash.app.request(`${BASE}/?token=${dash.token}`);
    assertEquals(good.status, 303);
    assertEquals(good.headers.get("location"), "/");
    const cookie = good.headers.get("set-cookie")!;
    assertEquals(cookie, `${TOKEN_COOKIE}=${dash.token}; Path=/; HttpOnly; SameSite=Strict`);
    const withCookie = await dash.app.request(`${BASE}/api/state`, {
      headers: { cookie: `other=1; ${cookie.split(";")[0]}` },
    });
    assertEquals(withCookie.status, 200);
    const pageWithCookie = await dash.app.request(`${BASE}/`, {
      headers: { cookie: cookie.split(";")[0] },
    });
    assertEquals(pageWithCookie.status, 200);
    assert((await pageWithCookie.text()).includes("<title>gunyah-ts dashboard</title>"));

    const foreign = await dash.app.request("http://evil.example:8418/api/state", {
      headers: { authorization: `Bearer ${dash.token}` },
    });
    assertEquals(foreign.status, 403);
  } finally {
    dash.close();
  }
});

Deno.test("route table: every listed route answers; other methods get 405 with Allow; unknown 404", async () => {
  const { system } = await systemWithGuest(printThenWaitGuest(""));
  const dash = createDashboard(system);
  try {
    const table = await call(dash, "GET", "/api");
    assertEquals(table.body.routes, JSON.parse(JSON.stringify(DASHBOARD_ROUTES)));
    const registered = new Set(dash.app.routes.map((r) => `${r.method} ${r.path}`));
    for (const r of DASHBOARD_ROUTES) {
      assert(registered.has(`${r.method} ${r.path}`), `${r.method} ${r.path} is registered`);
    }
    // The README's route table lists the same routes.
    const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
    for (const r of DASHBOARD_ROUTES.filter((r) => r.path !== "/api")) {
      const row = new RegExp(`\\| ${r.method} +\\| \`${r.path.replaceAll("/", "\\/")}\` +\\|`);
      assert(row.test(readme), `README route table: ${r.method} ${r.path}`);
    }
    const put = await call(dash, "PUT", "/api/vms", { json: {} });
    assertEquals([put.status, put.res.headers.get("allow")], [405, "GET, POST"]);
    const getStop = await call(dash, "GET", "/api/vms/3/stop");
    assertEquals([getStop.status, getStop.res.headers.get("allow")], [405, "POST"]);
    assert(String(getStop.body.error).includes("use POST"));
    const patch = await call(dash, "PATCH", "/api/vms/3");
    assertEquals([patch.status, patch.res.headers.get("allow")], [405, "GET, DELETE"]);
    const none = await call(dash, "GET", "/api/nothing");
    assertEquals(none.status, 404);
    assert(String(none.body.error).includes("GET /api lists them"));

    const js = await call(dash, "GET", "/assets/xterm.js");
    assertEquals(js.res.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert((await js.res.text()).length > 100_000, "the xterm.js bundle");
    const css = await call(dash, "GET", "/assets/xterm.css");
    assert((await css.res.text()).includes(".xterm"));
    const fit = await call(dash, "GET", "/assets/addon-fit.js");
    assert((await fit.res.text()).includes("FitAddon"));
    assertEquals((await call(dash, "GET", "/assets/other.js")).status, 404);
  } finally {
    dash.close();
  }
});

Deno.test("bad requests: 400 / 413 / 415 / 404 / 426 with what to do", async () => {
  const { system } = await systemWithGuest(printThenWaitGuest(""));
  const dash = createDashboard(system);
  try {
    const big = await call(dash, "POST", "/api/vms", {
      json: { name: "x", append: "a".repeat(MAX_BODY_BYTES) },
    });
    assertEquals(big.status, 413);
    const plain = await dash.app.request(`${BASE}/api/vms`, {
      method: "POST",
      headers: { authorization: `Bearer ${dash.token}`, "content-type": "text/plain" },
      body: "{}",
    });
    assertEquals(plain.status, 415);
    const notJson = await dash.app.request(`${BASE}/api/vms`, {
      method: "POST",
      headers: { authorization: `Bearer ${dash.token}`, "content-type": "application/json" },
      body: "{",
    });
    assertEquals(notJson.status, 400);
    const huge = await call(dash, "POST", "/api/vms", { json: { name: "h", memory: "6G" } });
    assertEquals(huge.status, 409);
    assert(/needs 6144 MiB but the VM RAM budget has \d+ MiB free/.test(String(huge.body.error)));
    const vcpus = await call(dash, "POST", "/api/vms", { json: { name: "v", vcpus: "two" } });
    assertEquals(vcpus.status, 400);
    assertEquals(vcpus.body.error, `'vcpus': expected an integer from 1 to 8, got "two"`);
    assertEquals((await call(dash, "GET", "/api/vms/abc")).status, 400);
    const missing = await call(dash, "GET", "/api/vms/0x99");
    assertEquals(missing.status, 404);
    assert(String(missing.body.error).includes("VMs: 3 (primary)"));
    const ws = await call(dash, "GET", "/api/vms/3/console/ws");
    assertEquals(ws.status, 426);
    const from = await call(dash, "GET", "/api/vms/3/console?from=-1");
    assertEquals(from.status, 400);
    const confirm = await call(dash, "POST", "/api/vms/3/stop", { json: { confirm: "yes" } });
    assertEquals(confirm.status, 400);
  } finally {
    dash.close();
  }
});

Deno.test("the path rule: kernel/initrd only from the images folder or the configuration's paths", async () => {
  const { system } = await systemWithGuest(printThenWaitGuest(""), 96);
  const images = await Deno.makeTempDir();
  const named = await Deno.makeTempDir();
  await Deno.writeFile(`${images}/k.bin`, printThenWaitGuest("allowed\n"));
  await Deno.writeFile(`${named}/config-kernel.bin`, printThenWaitGuest("named\n"));
  await Deno.writeFile(`${named}/other.bin`, printThenWaitGuest("other\n"));
  await Deno.symlink("/etc/passwd", `${images}/link-out`);
  const dash = createDashboard(system, {
    images: { folders: [images], files: [`${named}/config-kernel.bin`] },
    defaultImages: () => Promise.reject(new Error("none in tests")),
  });
  try {
    const refused = [
      "/etc/passwd",
      `${images}/link-out`, // a symbolic link out of the folder
      `${images}/../${named.split("/").pop()}/other.bin`, // `..` out of the folder
      `${named}/other.bin`, // next to a named file, not named
    ];
    for (const kernel of refused) {
      const r = await call(dash, "POST", "/api/vms", {
        json: { name: "x", memory: "16M", kernel },
      });
      assertEquals(r.status, 403, kernel);
      assert(String(r.body.error).includes("outside the images folder"), String(r.body.error));
    }
    const initrd = await call(dash, "POST", "/api/vms", {
      json: { name: "x", memory: "16M", kernel: `${images}/k.bin`, initrd: "/etc/hostname" },
    });
    assertEquals(initrd.status, 403);
    const absent = await call(dash, "POST", "/api/vms", {
      json: { name: "x", memory: "16M", kernel: `${images}/absent.bin` },
    });
    assertEquals(absent.status, 422);
    const ok = await call(dash, "POST", "/api/vms", {
      json: { name: "in-folder", memory: "16M", kernel: `${images}/k.bin`, start: false },
    });
    assertEquals(ok.status, 201, JSON.stringify(ok.body));
    const ok2 = await call(dash, "POST", "/api/vms", {
      json: { name: "named", memory: "16M", kernel: `${named}/config-kernel.bin`, start: false },
    });
    assertEquals(ok2.status, 201, JSON.stringify(ok2.body));
  } finally {
    dash.close();
    await Deno.remove(images, { recursive: true });
    await Deno.remove(named, { recursive: true });
  }
});

Deno.test("lifecycle over app.request: list, one VM, console, stop, restart, delete; the primary is guarded", async () => {
  const { system, vm } = await systemWithGuest(printThenWaitGuest("primary\n"), 96);
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/second.bin`, printThenWaitGuest("second up\n"));
  const dash = createDashboard(system, {
    images: { folders: [dir], files: [] },
    defaultImages: () => Promise.reject(new Error("none in tests")),
  });
  try {
    system.hv.runUntil(() => vm.vcpus[0].sched.blockBits !== 0, 1e6);
    const list = await call(dash, "GET", "/api/vms");
    const vms = list.body.vms as { vmid: number; name: string; primary: boolean }[];
    assertEquals(vms.map((v) => [v.vmid, v.name, v.primary]), [[3, "primary", true]]);

    // The primary: stopping needs confirmation, restart and delete are refused.
    for (const act of ["stop", "shutdown"]) {
      const r = await call(dash, "POST", `/api/vms/3/${act}`, { json: {} });
      assertEquals(r.status, 409, act);
      assert(String(r.body.error).includes("ends the whole system"), String(r.body.error));
    }
    assertEquals((await call(dash, "POST", "/api/vms/3/restart", { json: {} })).status, 409);
    assertEquals((await call(dash, "DELETE", "/api/vms/3")).status, 409);

    const created = await call(dash, "POST", "/api/vms", {
      json: { name: "second", memory: "16M", vcpus: 1, kernel: `${dir}/second.bin`, start: false },
    });
    assertEquals([created.status, created.body.status], [201, "ready"]);
    const vmid = created.body.vmid as number;
    const typedEarly = await call(dash, "POST", `/api/vms/${vmid}/console`, {
      json: { text: "x" },
    });
    assertEquals(typedEarly.status, 409); // not running yet: nothing reads the console
    assertEquals((await call(dash, "POST", `/api/vms/${vmid}/start`, { json: {} })).status, 200);
    const second = system.vms.find((v) => v.vmid === vmid)!;
    system.hv.runUntil(() => second.vcpus[0].sched.blockBits !== 0, 1e6);

    const one = await call(dash, "GET", `/api/vms/${vmid}`);
    assertEquals([one.body.name, one.body.status, one.body.primary], ["second", "running", false]);
    assertEquals((one.body.vcpuThreads as unknown[]).length, 1);
    assert((one.body.load as { retired: number }).retired > 0);
    assert(Object.keys((one.body.load as { exits: object }).exits).length > 0, "exits by kind");

    const con = await call(dash, "GET", `/api/vms/${vmid}/console`);
    assertEquals(new TextDecoder().decode(await con.res.arrayBuffer()), "second up\n");
    assertEquals(
      [con.res.headers.get("x-console-offset"), con.res.headers.get("x-console-total")],
      [
        "0",
        "10",
      ],
    );
    const tail = await call(dash, "GET", `/api/vms/${vmid}/console?from=7`);
    assertEquals(new TextDecoder().decode(await tail.res.arrayBuffer()), "up\n");
    const typed = await call(dash, "POST", `/api/vms/${vmid}/console`, { json: { text: "ls\n" } });
    assertEquals(typed.status, 200);

    // Graceful shutdown: the RM sends NOTIFY_VM_SHUTDOWN; this guest ignores it and runs on.
    const shut = await call(dash, "POST", `/api/vms/${vmid}/shutdown`, { json: {} });
    assertEquals([shut.status, shut.body.status, shut.body.requested], [200, "running", true]);

    const stopped = await call(dash, "POST", `/api/vms/${vmid}/stop`, { json: {} });
    assertEquals([stopped.status, stopped.body.status], [200, "exited"]);
    const typedLate = await call(dash, "POST", `/api/vms/${vmid}/console`, { json: { text: "x" } });
    assertEquals(typedLate.status, 409);
    assert(String(typedLate.body.error).includes("exited"));

    const restarted = await call(dash, "POST", `/api/vms/${vmid}/restart`, { json: {} });
    assertEquals(restarted.status, 200, JSON.stringify(restarted.body));
    assertEquals([restarted.body.previousVmid, restarted.body.status], [vmid, "running"]);
    const again = restarted.body.vmid as number;
    assertEquals(again, vmid); // VM_DEALLOCATE freed it and the RM's allocator hands it out again
    const rebooted = system.vms.find((v) => v.vmid === again)!;
    assert(rebooted !== second, "a new VM instance");
    system.hv.runUntil(() => rebooted.vcpus[0].sched.blockBits !== 0, 1e6);
    const fresh = await call(dash, "GET", `/api/vms/${again}/console`);
    assertEquals(new TextDecoder().decode(await fresh.res.arrayBuffer()), "second up\n");

    const deleted = await call(dash, "DELETE", `/api/vms/${again}`);
    assertEquals(deleted.status, 200, JSON.stringify(deleted.body));
    assertEquals([deleted.body.vmid, deleted.body.memoryBytes], [again, 16 << 20]);
    assertEquals(typeof deleted.body.returnedBytes, "number");
    assertEquals((await call(dash, "GET", `/api/vms/${again}`)).status, 404);
    assertEquals(
      ((await call(dash, "GET", "/api/vms")).body.vms as { vmid: number }[]).map((v) => v.vmid),
      [3],
    );
  } finally {
    dash.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SSE over app.request: a full state, then deltas only; `end` when the dashboard closes", async () => {
  const { system, vm } = await systemWithGuest(printThenWaitGuest("tick\n"));
  const dash = createDashboard(system);
  const res = await dash.app.request(`${BASE}/api/events?interval=100`, {
    headers: { authorization: `Bearer ${dash.token}` },
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  const next = async (re: RegExp) => {
    while (!re.test(buf)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
    }
    const m = re.exec(buf)!;
    buf = buf.slice(m.index + m[0].length);
    return m;
  };
  const first = JSON.parse((await next(/event: state\nid: 0\ndata: (.*)\n\n/))[1]);
  assertEquals(first.vms[0].name, "primary");
  assertEquals(first.consoles[0].text, ""); // console bytes go over their own stream
  system.hv.runUntil(() => vm.vcpus[0].sched.blockBits !== 0, 1e6);
  const delta = JSON.parse((await next(/event: delta\nid: 1\ndata: (.*)\n\n/))[1]);
  assert("$o" in delta && "timeNs" in delta.$o, JSON.stringify(delta).slice(0, 200));
  assert(!("machine" in delta.$o), "unchanged sections are not re-sent");
  dash.close();
  await next(/event: end\n/);
});

Deno.test("the page: one inline script that compiles, xterm from /assets only, every panel", () => {
  const scripts = [...DASHBOARD_PAGE.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assertEquals(scripts.length, 1);
  new Function(scripts[0]); // throws SyntaxError if the inline script is broken
  assert(!/\b(src|href)=["']?(https?:)?\/\//.test(DASHBOARD_PAGE), "no external assets");
  const srcs = [...DASHBOARD_PAGE.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assertEquals(srcs, ["/assets/xterm.css", "/assets/xterm.js", "/assets/addon-fit.js"]);
  for (
    const id of [
      "vms",
      "cpus",
      "vcpus",
      "consoles",
      "memmap",
      "cspaces",
      "msgqueues",
      "events",
      "ended",
    ]
  ) {
    assert(DASHBOARD_PAGE.includes(`id="${id}"`), id);
  }
});
