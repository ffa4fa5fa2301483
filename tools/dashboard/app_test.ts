import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { GunyahSystem } from "@gunyah-ts/system";
import { createDashboard } from "./app.ts";
import { DASHBOARD_PAGE } from "./page.ts";
import { printThenWaitGuest } from "./test_fixture.ts";

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

Deno.test("fetch handler without a server: JSON state and errors", async () => {
  const system = await GunyahSystem.create({ ramBytes: 32 << 20 });
  const dash = createDashboard(system);
  const ok = await dash.app.fetch(new Request("http://127.0.0.1:8418/api/state"));
  assertEquals(ok.status, 200);
  assertEquals((await ok.json()).vms, []);
  const bad = await dash.app.fetch(
    new Request("http://127.0.0.1:8418/api/vms/3/stop", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    }),
  );
  assertEquals(bad.status, 404);
  assert(((await bad.json()).error as string).includes("VMs: none"));
  dash.close();
});

Deno.test("the page is one self-contained document whose script compiles", () => {
  const scripts = [...DASHBOARD_PAGE.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assertEquals(scripts.length, 1);
  new Function(scripts[0]); // throws SyntaxError if the inline script is broken
  assert(!/\b(src|href)=["']?(https?:)?\/\//.test(DASHBOARD_PAGE), "no external assets");
  for (
    const id of ["vms", "cpus", "vcpus", "consoles", "memmap", "cspaces", "msgqueues", "events"]
  ) {
    assert(DASHBOARD_PAGE.includes(`id="${id}"`), id);
  }
});
