import { assertEquals } from "@gunyah-ts/tests/assert";
import {
  blankStringsAndComments,
  checkRmCalls,
  formatRmCallViolation,
  RM_ALLOWED_MEMBERS,
} from "./rm_calls.ts";
import { loadWorkspace, sourceFiles } from "./workspace.ts";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const ws = loadWorkspace(ROOT);

/** The workspace's sources in memory, so a test can plant a file without touching the tree. */
function tree(): Map<string, string> {
  const files = new Map<string, string>();
  for (const f of sourceFiles(ws, ["tests/guests/build"])) {
    files.set(f, Deno.readTextFileSync(`${ROOT}/${f}`));
  }
  return files;
}

const violations = (files: ReadonlyMap<string, string>) =>
  checkRmCalls(files).map(formatRmCallViolation);

Deno.test("RM isolation: no ResourceManager method is called outside rm/ but the allowed set", () => {
  assertEquals(violations(tree()), []);
});

Deno.test("RM isolation: the allowed set is exactly the read model, construction and attachClient", () => {
  assertEquals([...RM_ALLOWED_MEMBERS.keys()].sort(), [
    "attachClient",
    "bootFailure",
    "find",
    "memoryParcels",
    "ownedMemory",
    "rpcFaults",
    "vm",
    "vms",
  ]);
});

Deno.test("RM isolation: planted calls, aliases and constructions fail, naming file and line", () => {
  const files = tree();
  files.set(
    "tools/dashboard/planted.ts",
    [
      "// system.rm.stopVm(3) in a comment is fine, and so is a string:",
      'const s = "sys.rm.resetVm(3)";',
      "export function planted(system: { rm: any }) {",
      "  system.rm.stopVm(3, `x ${system.rm.resetVm(3)}`);",
      "  const r = system.rm;",
      "  system.rm?.attachClient('vmm', 0x3f, {});",
      "  return [s, r, system.rm.vms.length];",
      "}",
      "new ResourceManager();",
    ].join("\n"),
  );
  files.set("rm/planted.ts", "export const x = (rm: any) => rm.stopVm(3);\n"); // rm/ itself may
  // The composition root may not build VMs either: the RM builds the primary from its
  // boot description, the host VMM the others over RPC.
  const root = files.get("tools/system/system.ts")!;
  const rootLines = root.split("\n").length;
  files.set(
    "tools/system/system.ts",
    root + "\nconst planted = (s: any) => [s.#rm.initVm(3, {}), s.rm.allocateVm('x'), s.#rm];\n",
  );
  assertEquals(violations(files), [
    "tools/dashboard/planted.ts:4: calls ResourceManager.stopVm (go through the host VMM's RM RPC channel)",
    "tools/dashboard/planted.ts:4: calls ResourceManager.resetVm (go through the host VMM's RM RPC channel)",
    "tools/dashboard/planted.ts:5: uses the ResourceManager as a value (alias or argument); " +
    "only tools/system/system.ts hands it to the hypervisor",
    "tools/dashboard/planted.ts:6: uses ResourceManager.attachClient, allowed only in tools/system/system.ts",
    "tools/dashboard/planted.ts:9: constructs the ResourceManager (only tools/system/system.ts does)",
    `tools/system/system.ts:${
      rootLines + 1
    }: calls ResourceManager.initVm (go through the host VMM's RM RPC channel)`,
    `tools/system/system.ts:${
      rootLines + 1
    }: calls ResourceManager.allocateVm (go through the host VMM's RM RPC channel)`,
    `tools/system/system.ts:${
      rootLines + 1
    }: uses the ResourceManager as a value (alias or argument); ` +
    "only tools/system/system.ts hands it to the hypervisor",
  ]);
});

Deno.test("RM isolation: strings and comments are blanked, template expressions kept", () => {
  assertEquals(
    blankStringsAndComments('a("rm.x") // rm.y\n`t ${b.rm.z} u`'),
    'a("    ")        \n`  ${b.rm.z}  `',
  );
});
