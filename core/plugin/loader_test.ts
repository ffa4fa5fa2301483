import { assertEquals, assertRejects, assertThrows } from "@gunyah-ts/tests/assert";
import { loadPlugin, resolveSpecifier } from "./loader.ts";
import { assertPlugin, contractProblems, PluginContractError } from "./validate.ts";

const here = new URL("./testdata/", import.meta.url);

Deno.test("a plugin that satisfies its contract loads and works", async () => {
  const p = await loadPlugin("./good_device.ts", "device", here);
  assertEquals(p.name, "scratch-register");
  const dev = await p.create({} as never, { initial: 7 });
  const out = { lo: 0, hi: 0 };
  dev.regions[0].read(0, 4, 0, out);
  assertEquals(out.lo, 7);
});

Deno.test("a plugin that breaks its contract is refused naming what is missing", async () => {
  const e = await assertRejects(
    () => loadPlugin("./old_device.ts", "device", here),
    PluginContractError,
  );
  assertEquals(
    e.message,
    "plugin ./old_device.ts is refused as a device plugin: apiVersion 0 is not supported " +
      "(this core implements plugin API 1..2 for device plugins); method create() is missing",
  );
  await assertRejects(
    () => loadPlugin("./nope.ts", "device", here),
    PluginContractError,
    "could not be loaded",
  );
  assertThrows(() => assertPlugin(null, "arch", "x"), PluginContractError, "it is null");
  assertEquals(contractProblems({ kind: "platform", apiVersion: 1, name: "p" }, "arch"), [
    'kind is "platform", expected "arch"',
    "method createVcpu() is missing",
    "method createInterruptController() is missing",
  ]);
});

Deno.test("specifiers resolve relative to the configuration", () => {
  assertEquals(resolveSpecifier("./a.ts", "/etc/gunyah"), "file:///etc/gunyah/a.ts");
  assertEquals(resolveSpecifier("npm:foo", "/x"), "npm:foo");
});
