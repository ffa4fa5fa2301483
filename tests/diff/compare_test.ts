import { assertEquals, assertMatch } from "../assert.ts";
import { describeDifference, firstDifference } from "./compare.ts";

Deno.test("firstDifference: identical outputs have no difference", () => {
  assertEquals(firstDifference("a\nb\n", "a\nb\n"), null);
});

Deno.test("firstDifference: reports the first differing line, 1-based", () => {
  assertEquals(firstDifference("a\nb\nc\n", "a\nx\nc\n"), { line: 2, expected: "b", actual: "x" });
});

Deno.test("firstDifference: a truncated output ends early", () => {
  assertEquals(firstDifference("a\nb\n", "a\n"), {
    line: 2,
    expected: "b",
    actual: "",
  });
  assertEquals(firstDifference("a", "a\nmore"), {
    line: 2,
    expected: "<end of output>",
    actual: "more",
  });
});

Deno.test("describeDifference: quotes both sides and escapes control bytes", () => {
  const text = describeDifference({ line: 3, expected: "x=1", actual: "x=\u0001" });
  assertMatch(text, /line 3:/);
  assertMatch(text, /qemu: +"x=1"/);
  assertMatch(text, /gunyah-ts: "x=\\u0001"/);
});
