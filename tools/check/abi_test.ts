/**
 * "Every number of a specification is defined once": the names the ABI
 * modules of the core define (core/abi: Gunyah, SMCCC + PSCI, GICv3, MPIDR,
 * virtio) are not defined again anywhere else, and no two modules export a
 * constant of the same name.
 */
import { assertEquals } from "@gunyah-ts/tests/assert";
import { loadWorkspace, sourceFiles } from "./workspace.ts";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const ws = loadWorkspace(ROOT);
const files = sourceFiles(ws, ["tests/guests/build"]).filter((f) => !f.startsWith("tools/check/"));
const DEFINITION = /^[ \t]*(export\s+)?(?:const|let|var)\s+([A-Z][A-Z0-9_]*)\b\s*(?::[^=]+)?=/gm;

function definitions(file: string): { name: string; exported: boolean; line: number }[] {
  const text = Deno.readTextFileSync(`${ROOT}/${file}`);
  return [...text.matchAll(DEFINITION)].map((m) => ({
    name: m[2],
    exported: m[1] !== undefined,
    line: text.slice(0, m.index).split("\n").length,
  }));
}

Deno.test("abi: a name core/abi defines is not defined again elsewhere", () => {
  const abi = new Set(
    files.filter((f) => f.startsWith("core/abi/")).flatMap((f) =>
      definitions(f).filter((d) => d.exported).map((d) => d.name)
    ),
  );
  const again = files.filter((f) => !f.startsWith("core/abi/")).flatMap((f) =>
    definitions(f).filter((d) => abi.has(d.name)).map((d) => `${f}:${d.line}: ${d.name}`)
  );
  assertEquals(again, []);
});

Deno.test("abi: no two modules export a constant of the same name", () => {
  const where = new Map<string, string[]>();
  for (const f of files.filter((f) => !/_test\.ts$/.test(f))) {
    for (const d of definitions(f).filter((d) => d.exported)) {
      where.set(d.name, [...(where.get(d.name) ?? []), `${f}:${d.line}`]);
    }
  }
  // `QEMU` is the same binary's name re-exported under a short alias by two harnesses.
  const twice = [...where].filter(([n, w]) => w.length > 1 && n !== "QEMU");
  assertEquals(twice, []);
});
