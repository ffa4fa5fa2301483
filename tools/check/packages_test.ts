import { assertEquals } from "@gunyah-ts/tests/assert";
import { failures } from "./packages.ts";

Deno.test("packages: a publish problem other than the license fails, naming the member", () => {
  assertEquals(
    failures([
      { name: "@x/a", publishProblems: ["missing-license"], docLint: new Map() },
      {
        name: "@x/b",
        publishProblems: ["missing-license", "missing-explicit-type"],
        docLint: new Map(),
      },
    ]),
    ["@x/b: deno publish --dry-run: missing-explicit-type"],
  );
});

Deno.test("packages: a documented entry point that regresses fails; others are reported", () => {
  assertEquals(
    failures([{
      name: "@gunyah-ts/core",
      publishProblems: [],
      docLint: new Map([["@gunyah-ts/core/abi", 2], ["@gunyah-ts/core", 100]]),
    }]),
    [
      "@gunyah-ts/core/abi: deno doc --lint finds 2 problem(s), and it is listed in " +
      "DOC_LINT_CLEAN",
    ],
  );
});
