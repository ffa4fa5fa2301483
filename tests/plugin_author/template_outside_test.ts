/**
 * The plugin author's path, end to end: plugins/template copied to an empty
 * folder outside this repository, pointed at the SDK packages with the one
 * `deno.json` line its README documents, passes its own tests there; then a
 * bare-metal guest (plugins/host/e2e/virtio_rng_guest.c, a virtio driver for
 * device ID 4) drives the copied plugin, loaded by path and sandboxed in a
 * Worker. Skipped (the guest part) when the AArch64 cross compiler is missing.
 */
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../assert.ts";
import { buildGuest, DEFAULT_QEMU_CPU, MissingToolError } from "../guests/mod.ts";
import { GunyahSystem } from "@gunyah-ts/system";

const ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const TEMPLATE = `${ROOT}/plugins/template`;
const SDK_IMPORT_MAP = `${ROOT}/plugins/sdk_import_map.json`;
const GUEST_SOURCE = `${ROOT}/plugins/host/e2e/virtio_rng_guest.c`;
const OUT_DIR = `${ROOT}/.cache/plugins-e2e/`;

/** Copy the template's files (not its lockfile or anything generated) into `dir`. */
function copyTemplate(dir: string): void {
  for (const e of Deno.readDirSync(TEMPLATE)) {
    if (e.isFile && /\.(ts|json|md)$/.test(e.name)) {
      Deno.copyFileSync(`${TEMPLATE}/${e.name}`, `${dir}/${e.name}`);
    }
  }
}

/** The README's one line: `"importMap"` naming the SDK's import map, added to `deno.json`. */
function pointAtSdk(dir: string): void {
  const config = JSON.parse(Deno.readTextFileSync(`${dir}/deno.json`));
  assertEquals(config.importMap, undefined, "the template must not carry an importMap of its own");
  config.importMap = SDK_IMPORT_MAP;
  Deno.writeTextFileSync(`${dir}/deno.json`, JSON.stringify(config, null, 2) + "\n");
}

Deno.test("plugin author: the template, copied out of the repository, tests and boots by path", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "gunyah-plugin-" });
  try {
    assert(!dir.startsWith(`${ROOT}/`), "the copy must live outside the repository");
    copyTemplate(dir);
    pointAtSdk(dir);

    // Its own tests, run there, as its author would.
    const test = await new Deno.Command(Deno.execPath(), {
      args: ["test", "--allow-all"],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const report = new TextDecoder().decode(test.stdout) + new TextDecoder().decode(test.stderr);
    assert(test.success, report);
    assert(/ok \| 3 passed \| 0 failed/.test(report), report);

    // A guest drives the copied plugin, named by path and sandboxed.
    let elf: Uint8Array;
    try {
      const built = await buildGuest(
        {
          name: "virtio_rng_guest",
          sources: [GUEST_SOURCE],
          fp: false,
          qemuCpu: DEFAULT_QEMU_CPU,
          smp: 1,
        },
        OUT_DIR,
      );
      elf = await Deno.readFile(built.elf);
    } catch (e) {
      if (e instanceof MissingToolError) {
        console.log(`guest part skipped: ${e.message}`);
        return;
      }
      throw e;
    }
    const system = await GunyahSystem.create({ ramBytes: 64 << 20 });
    const prepared = await system.prepareDevices(
      [{
        plugin: "./mod.ts",
        isolate: true,
        permissions: { read: [], write: [] },
        options: { pattern: "plug" },
      }],
      dir,
    );
    try {
      const vm = system.launch({
        name: "pattern",
        memory: 16 << 20,
        vcpus: 1,
        kernel: elf,
        bootargs: "",
        devicePlugins: prepared,
      });
      let out = "";
      vm.console.onOutput((b) => out += new TextDecoder().decode(b));
      let ended = false;
      vm.ended.then(() => ended = true);
      system.hv.runUntil(() => ended, 1e9);
      await Promise.resolve();
      const lines = out.split("\n");
      assertEquals(lines[0], "magic 74726976 version 2 device 4", out);
      assertEquals(lines[1], "features_ok 1", out);
      assertEquals(lines[3], "used id 0 len 20", out);
      const pattern = [...new TextEncoder().encode("plug".repeat(5))];
      assertEquals(
        lines[4],
        `bytes ${pattern.map((b) => b.toString(16).padStart(2, "0")).join(" ")}`,
      );
      const isolated = vm.devices.filter((d) => d.describe().isolated === true);
      assertEquals(isolated.length, 1);
    } finally {
      await system.hv.stopComponents();
      await prepared.close();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
