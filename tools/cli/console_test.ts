import { assertEquals } from "@gunyah-ts/tests/assert";
import { EscapeDecoder, scriptedConsole, unescapeTyped } from "./console.ts";

const b = (...x: number[]) => Uint8Array.from(x);

Deno.test("Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A, other bytes pass", () => {
  const d = new EscapeDecoder();
  assertEquals(d.feed(b(0x6c, 0x73, 0x0d)), { bytes: b(0x6c, 0x73, 0x0d), actions: [] });
  assertEquals(d.feed(b(0x01, 0x01, 0x61)), { bytes: b(0x01, 0x61), actions: [] });
  assertEquals(d.feed(b(0x01, 0x68)), { bytes: b(), actions: ["help"] });
  // an escape split across two reads
  assertEquals(d.feed(b(0x41, 0x01)), { bytes: b(0x41), actions: [] });
  assertEquals(d.feed(b(0x78, 0x42)), { bytes: b(0x42), actions: ["quit"] });
});

Deno.test("a console script types its input the moment the output matches, in order", () => {
  const typed: string[] = [];
  let sink: (b: Uint8Array) => void = () => {};
  const guest = {
    input: (bytes: Uint8Array) => typed.push(new TextDecoder().decode(bytes)),
    onOutput: (s: (b: Uint8Array) => void) => (sink = s),
  };
  const shown: string[] = [];
  const c = scriptedConsole(guest, [{ when: "login:", type: "root\n" }, {
    when: "# ",
    type: "ls\n",
  }]);
  c.onOutput((b) => shown.push(new TextDecoder().decode(b)));
  const out = (s: string) => sink(new TextEncoder().encode(s));
  out("# early prompt does not count\n");
  out("log");
  assertEquals(typed, []);
  out("in: ");
  assertEquals(typed, ["root\n"]);
  out("/ # ");
  assertEquals(typed, ["root\n", "ls\n"]);
  out("# ");
  assertEquals(typed.length, 2);
  assertEquals(shown.join(""), "# early prompt does not count\nlogin: / # # ");
  assertEquals(unescapeTyped("a\\nb\\\\n"), "a\nb\\n");
});
