/**
 * The sandbox holds against the escapes of issue 12 §2: a plugin with
 * `read: []` tried `import("file:///...")` (JSON came back whole; other
 * files' first line leaked in the SyntaxError). Each attempt is made by a
 * plugin written into its own folder here; each is refused before the
 * Worker starts (dynamic import, static import of a host file) or inside it
 * (every way to run source text).
 */
import { assert, assertEquals, assertRejects } from "@gunyah-ts/tests/assert";
import { FakeDeviceHost } from "@gunyah-ts/plugin-testkit";
import { createIsolatedDevice } from "./isolated_device.ts";
import { SandboxPolicyError } from "./sandbox_policy.ts";

const SDK = import.meta.resolve("@gunyah-ts/core/plugin");
const SECRET = "the-secret-of-vm-b";

/** A plugin module whose create() runs `body` (which may await) and names the device by its result. */
function pluginSource(body: string, head = ""): string {
  return `import { PLUGIN_API_VERSION } from ${JSON.stringify(SDK)};
${head}
export default {
  kind: "device", apiVersion: PLUGIN_API_VERSION, name: "escape",
  async create() {
    const name = await (async () => { ${body} })();
    return { name: String(name), regions: [], reset() {}, describe: () => ({}) };
  },
};
`;
}

async function withPlugin(
  source: (secretPath: string) => string,
  fn: (url: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const hostDir = await Deno.makeTempDir();
  try {
    const secretPath = `${hostDir}/secret.json`;
    await Deno.writeTextFile(secretPath, JSON.stringify({ secret: SECRET }));
    await Deno.writeTextFile(`${dir}/mod.js`, source(secretPath));
    await fn(new URL(`file://${dir}/mod.js`).href);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(hostDir, { recursive: true });
  }
}

function start(pluginUrl: string) {
  return createIsolatedDevice({
    pluginUrl,
    host: new FakeDeviceHost(),
    ram: null,
    permissions: { read: [], write: [] },
    options: {},
  });
}

Deno.test('sandbox: a plugin with a literal import("file:///...") of a host file is refused before it runs', async () => {
  await withPlugin(
    (secret) =>
      pluginSource(
        `const m = await import(${
          JSON.stringify(`file://${secret}`)
        }, { with: { type: "json" } }); return JSON.stringify(m.default);`,
      ),
    async (url) => {
      const e = await assertRejects(() => start(url), SandboxPolicyError);
      assert(e.message.includes("contains a dynamic import()"), e.message);
      assert(!e.message.includes(SECRET));
    },
  );
});

Deno.test("sandbox: a static import of a host file outside the plugin's folder is refused", async () => {
  await withPlugin(
    (secret) =>
      pluginSource(
        "return JSON.stringify(secret);",
        `import secret from ${JSON.stringify(`file://${secret}`)} with { type: "json" };`,
      ),
    async (url) => {
      const e = await assertRejects(() => start(url), SandboxPolicyError);
      assert(e.message.includes("outside its own folder"), e.message);
    },
  );
});

Deno.test("sandbox: no way to run source text inside the Worker (eval, constructors, timers, Deno internals, loadPlugin, Worker)", async () => {
  await withPlugin(
    (secret) =>
      pluginSource(`
        const target = ${JSON.stringify(`file://${secret}`)};
        const attempts = {
          eval: () => globalThis["ev" + "al"]("1"),
          indirectEval: () => (0, globalThis.eval)("1"),
          Function: () => Function("return 1")(),
          functionCtor: () => (() => {}).constructor("return 1")(),
          asyncCtor: () => (async () => {}).constructor("return 1"),
          generatorCtor: () => (function* () {}).constructor("yield 1"),
          setTimeoutString: () => setTimeout("1", 0),
          denoInternal: () => Deno[Deno.internal].core.evalContext("1", "file:///x.js"),
          worker: () => new Worker(target, { type: "module" }),
        };
        const results = {};
        for (const [k, f] of Object.entries(attempts)) {
          try { f(); results[k] = "ALLOWED"; } catch (e) { results[k] = e.name; }
        }
        const sdk = await import(${JSON.stringify(SDK)}.replace("mod.ts", "loader.ts"));
        try { await sdk.loadPlugin(target, "device", "/"); results.loadPlugin = "ALLOWED"; }
        catch (e) { results.loadPlugin = e.message.includes("${SECRET}") ? "LEAKED" : e.name; }
        try { Deno.readTextFileSync(${JSON.stringify(secret)}); results.read = "ALLOWED"; }
        catch (e) { results.read = e.name; }
        return JSON.stringify(results);`),
    async (url) => {
      // This plugin itself uses import() (to reach loadPlugin), so the policy refuses it too:
      const e = await assertRejects(() => start(url), SandboxPolicyError);
      assert(e.message.includes("dynamic import"), e.message);
    },
  );
  // The same attempts through a static import of the SDK's loader: the policy allows the module
  // graph, and each attempt fails inside the Worker.
  await withPlugin(
    (secret) =>
      pluginSource(
        `
        const target = ${JSON.stringify(`file://${secret}`)};
        const attempts = {
          eval: () => globalThis["ev" + "al"]("1"),
          indirectEval: () => (0, globalThis.eval)("1"),
          Function: () => Function("return 1")(),
          functionCtor: () => (() => {}).constructor("return 1")(),
          asyncCtor: () => (async () => {}).constructor("return 1"),
          generatorCtor: () => (function* () {}).constructor("yield 1"),
          setTimeoutString: () => setTimeout("1", 0),
          denoInternal: () => Deno[Deno.internal].core.evalContext("1", "file:///x.js"),
          worker: () => new Worker(target, { type: "module" }),
        };
        const results = {};
        for (const [k, f] of Object.entries(attempts)) {
          try { f(); results[k] = "ALLOWED"; } catch (e) { results[k] = e.name; }
        }
        try { await loadPlugin(target, "device", "/"); results.loadPlugin = "ALLOWED"; }
        catch (e) { results.loadPlugin = e.message.includes("${SECRET}") ? "LEAKED" : e.name; }
        try { Deno.readTextFileSync(${JSON.stringify(secret)}); results.read = "ALLOWED"; }
        catch (e) { results.read = e.name; }
        return JSON.stringify(results);`,
        `import { loadPlugin } from ${JSON.stringify(SDK)};`,
      ),
    async (url) => {
      const device = await start(url);
      try {
        const results = JSON.parse(device.name) as Record<string, string>;
        console.log("escape attempts inside the sandbox:", results);
        for (const [attempt, outcome] of Object.entries(results)) {
          assert(outcome !== "ALLOWED" && outcome !== "LEAKED", `${attempt}: ${outcome}`);
        }
        assertEquals(results.read, "NotCapable");
        assertEquals(results.loadPlugin, "PluginContractError");
        assertEquals(Object.keys(results).length, 11);
      } finally {
        await device.close();
      }
    },
  );
});
