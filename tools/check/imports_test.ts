import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { applyFixes, checkWorkspace, mergeEntryImports } from "./imports.ts";
import { parseClause, scanReferences } from "./source.ts";

/** Write a small two-member workspace into a temporary folder. */
function plant(files: Record<string, string>): string {
  const root = Deno.makeTempDirSync({ prefix: "gunyah-imports-" });
  const all: Record<string, string> = {
    "deno.json": JSON.stringify({ workspace: ["./lib", "./app"] }),
    "lib/deno.json": JSON.stringify({
      name: "@x/lib",
      version: "0.1.0",
      exports: { ".": "./mod.ts", "./abi": "./abi/mod.ts" },
    }),
    "lib/mod.ts": 'export * from "./abi/mod.ts";\nexport * from "./inner/thing.ts";\n',
    "lib/abi/mod.ts": 'export * from "./numbers.ts";\n',
    "lib/abi/numbers.ts": "export const PAGE_SIZE = 4096;\nexport type Word = number;\n",
    "lib/inner/thing.ts": "export class Thing {}\nexport const PAGE_SIZE_OTHER = 1;\n",
    "lib/inner/hidden.ts": "export const HIDDEN = 1;\n",
    "app/deno.json": JSON.stringify({ name: "@x/app", version: "0.1.0", exports: "./mod.ts" }),
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    Deno.mkdirSync(`${root}/${path.split("/").slice(0, -1).join("/")}`, { recursive: true });
    Deno.writeTextFileSync(`${root}/${path}`, text);
  }
  return root;
}

Deno.test("scanReferences: statements at line starts, not examples in comments", () => {
  const refs = scanReferences(
    [
      'import { a, type B as C } from "./a.ts";',
      '/** import { x } from "../nope.ts"; */',
      'export * from "./b.ts";',
      'import type {\n  D,\n} from "../c.ts";',
      'const w = new URL("./w.ts", import.meta.url);',
      'const d = new URL("../.cache/data/", import.meta.url);',
    ].join("\n"),
  );
  assertEquals(refs.map((r) => [r.kind, r.specifier, r.line]), [
    ["import", "./a.ts", 1],
    ["export", "./b.ts", 3],
    ["import", "../c.ts", 6],
    ["url", "./w.ts", 7],
  ]);
  assertEquals(parseClause("{ a, type B as C }").names, [
    { name: "a", alias: "a", type: false },
    { name: "B", alias: "C", type: true },
  ]);
  assertEquals(parseClause("* as ns").namespace, "ns");
  assertEquals(parseClause("d, { e }").names.map((n) => n.name), ["default", "e"]);
});

Deno.test("checker names file, line and import; --fix rewrites to the smallest entry point", () => {
  const root = plant({
    "app/mod.ts": [
      "// app",
      'import { PAGE_SIZE, type Word } from "../lib/abi/numbers.ts";',
      'import { Thing } from "../lib/inner/thing.ts";',
      'import { Thing as T2 } from "../lib/inner/thing.ts";',
      "export const x = [PAGE_SIZE, Thing, T2] as unknown as Word;",
    ].join("\n"),
  });
  try {
    const { findings } = checkWorkspace(root);
    assertEquals(findings.map((f) => `${f.file}:${f.line} ${f.specifier}`), [
      "app/mod.ts:2 ../lib/abi/numbers.ts",
      "app/mod.ts:3 ../lib/inner/thing.ts",
      "app/mod.ts:4 ../lib/inner/thing.ts",
    ]);
    assert(findings[0].problem.includes('use "@x/lib/abi"'), findings[0].problem);
    assert(findings[1].problem.includes('use "@x/lib"'), findings[1].problem);
    applyFixes(root, findings);
    const text = Deno.readTextFileSync(`${root}/app/mod.ts`);
    assert(text.includes('import { PAGE_SIZE, type Word } from "@x/lib/abi";'), text);
    assert(text.includes('import { Thing, Thing as T2 } from "@x/lib";'), text);
    // Idempotent: nothing left to do, and a second fix changes nothing.
    assertEquals(checkWorkspace(root).findings, []);
    assertEquals(applyFixes(root, checkWorkspace(root).findings), []);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("checker: an internal name no entry point exports is reported, not guessed", () => {
  const root = plant({ "app/mod.ts": 'import { HIDDEN } from "../lib/inner/hidden.ts";\n' });
  try {
    const [f] = checkWorkspace(root).findings;
    assertEquals([f.file, f.line, f.replacement], ["app/mod.ts", 1, undefined]);
    assert(f.problem.includes("HIDDEN (declared in lib/inner/hidden.ts)"), f.problem);
    assert(f.problem.includes("add it to one"), f.problem);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("checker: an undeclared subpath and a split over two entry points", () => {
  const root = plant({
    "app/mod.ts": [
      'import { HIDDEN } from "@x/lib/inner";',
      'import { PAGE_SIZE, Thing } from "../lib/mod.ts";',
    ].join("\n"),
  });
  try {
    const findings = checkWorkspace(root).findings;
    assert(findings[0].problem.includes("is not an entry point of @x/lib"), findings[0].problem);
    // Both names are in ".", which covers them at once.
    assertEquals(findings[1].replacement, 'import { PAGE_SIZE, Thing } from "@x/lib";');
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("mergeEntryImports keeps type-only imports apart", () => {
  assertEquals(
    mergeEntryImports(
      'import { b } from "@x/lib";\nimport type { T } from "@x/lib";\nimport { a } from "@x/lib";\n',
    ),
    'import { a, b } from "@x/lib";\nimport type { T } from "@x/lib";\n',
  );
});
