import { assert, assertEquals, assertRejects } from "@gunyah-ts/tests/assert";
import { PluginContractError } from "@gunyah-ts/core/plugin";
import { loadMachinePlugins } from "./machine_plugins.ts";
import { GunyahSystem } from "./system.ts";

const testdata = new URL("./testdata/", import.meta.url).pathname;

Deno.test("machine plugins: the built-in specifiers load the aarch64 arch and the qemu-virt platform", async () => {
  const m = await loadMachinePlugins(
    { arch: "builtin:aarch64", platform: "builtin:qemu-virt" },
    testdata,
  );
  assertEquals([m.arch.kind, m.arch.name], ["arch", "aarch64"]);
  assertEquals([m.platform.kind, m.platform.name], ["platform", "qemu-virt"]);
  assertEquals(m.platform.ramBase, 0x4000_0000);
});

Deno.test("machine plugins: a specifier that does not load is refused, naming it", async () => {
  await assertRejects(
    () =>
      GunyahSystem.create({
        ramBytes: 16 << 20,
        plugins: { arch: "builtin:aarch64", platform: "./no_such_board.ts" },
        configDir: testdata,
      }),
    PluginContractError,
    "plugin ./no_such_board.ts (file://",
  );
  await assertRejects(
    () => loadMachinePlugins({ arch: "builtin:riscv", platform: "builtin:qemu-virt" }, testdata),
    Error,
    "unknown built-in arch plugin 'builtin:riscv' (built-in: builtin:aarch64)",
  );
});

Deno.test("machine plugins: a plugin of the wrong kind or missing contract members is refused, naming each", async () => {
  const e = await assertRejects(
    () =>
      loadMachinePlugins(
        { arch: "builtin:aarch64", platform: "./version1_platform.ts" },
        testdata,
      ),
    PluginContractError,
  );
  assert(e.message.startsWith("plugin ./version1_platform.ts ("), e.message);
  assert(
    e.message.endsWith(
      "is refused as a platform plugin: apiVersion 1 is not supported (this core implements " +
        "plugin API 2 for platform plugins); field 'ramBase' (an integer) is missing; " +
        "field 'maxVcpus' (an integer) is missing; field 'deviceSlotCount' (an integer) is missing; " +
        "field 'interruptControllerPlacement' (an object) is missing; method mpidrOf() is missing; " +
        "method deviceSlot() is missing; method consoleOf() is missing",
    ),
    e.message,
  );
  await assertRejects(
    () =>
      loadMachinePlugins({
        arch: new URL(import.meta.resolve("@gunyah-ts/platform-qemu-virt")).pathname,
        platform: "builtin:qemu-virt",
      }, "/"),
    PluginContractError,
    'is refused as a arch plugin: kind is "platform", expected "arch"',
  );
});
