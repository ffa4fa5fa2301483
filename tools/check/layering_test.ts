import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { memberEdges } from "./graph.ts";
import { checkLayering, formatViolation, KNOWN_EXCEPTIONS, layerOf } from "./layering.ts";
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

function violations(files: ReadonlyMap<string, string>): string[] {
  return checkLayering(ws, memberEdges(ws, files))
    .filter((v) => !KNOWN_EXCEPTIONS.has(`${v.edge.file} -> ${v.edge.to}`))
    .map(formatViolation);
}

Deno.test("layering: every member is in a layer", () => {
  assertEquals(ws.members.filter((m) => layerOf(m.dir) === undefined).map((m) => m.dir), []);
});

Deno.test("layering: the tree keeps the rules", () => {
  assertEquals(violations(tree()), []);
});

Deno.test("layering: each known exception still exists (the list only shrinks)", () => {
  const found = new Set(
    checkLayering(ws, memberEdges(ws, tree())).map((v) => `${v.edge.file} -> ${v.edge.to}`),
  );
  for (const key of KNOWN_EXCEPTIONS.keys()) {
    assert(found.has(key), `"${key}" keeps the rules now: remove it from KNOWN_EXCEPTIONS`);
  }
});

Deno.test("layering: planted violations fail, naming file, line and rule", () => {
  const files = tree();
  files.set(
    "core/planted.ts",
    '// planted\nimport { aarch64Plugin } from "@gunyah-ts/arch-aarch64";\nexport { aarch64Plugin };\n',
  );
  files.set(
    "arch/aarch64/planted.ts",
    'import { Pl011 } from "@gunyah-ts/platform-qemu-virt";\nexport { Pl011 };\n',
  );
  files.set(
    "plugins/virtio-rng/planted.ts",
    'import { Cpu } from "../../arch/aarch64/cpu/cpu.ts";\nexport { Cpu };\n',
  );
  files.set(
    "rm/planted.ts",
    'import { Hypervisor } from "@gunyah-ts/core";\nexport { Hypervisor };\n',
  );
  files.set(
    "platform/qemu-virt/planted.ts",
    'import { FakeArch } from "@gunyah-ts/core/testing";\nexport { FakeArch };\n',
  );
  assertEquals(violations(files), [
    'arch/aarch64/planted.ts:1: import "@gunyah-ts/platform-qemu-virt": arch ' +
    "(@gunyah-ts/arch-aarch64) may not import platform (@gunyah-ts/platform-qemu-virt)",
    'core/planted.ts:2: import "@gunyah-ts/arch-aarch64": core (@gunyah-ts/core) may not ' +
    "import arch (@gunyah-ts/arch-aarch64)",
    'platform/qemu-virt/planted.ts:1: import "@gunyah-ts/core/testing": production code ' +
    "imports test code (core/testing/mod.ts)",
    'plugins/virtio-rng/planted.ts:1: import "../../arch/aarch64/cpu/cpu.ts": device ' +
    "(@gunyah-ts/virtio-rng) may not import arch (@gunyah-ts/arch-aarch64)",
    'rm/planted.ts:1: import "@gunyah-ts/core": rm (@gunyah-ts/rm) may import ' +
    "@gunyah-ts/core only through ./plugin, ./abi, not .",
  ]);
});

Deno.test("layering: a test file may reach further, production code may not", () => {
  const files = tree();
  files.set("rm/planted_test.ts", 'import { Hypervisor } from "@gunyah-ts/core";\n');
  assertEquals(violations(files), []);
});
