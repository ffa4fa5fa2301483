import { assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { readCpio, S_IFCHR, S_IFDIR, S_IFLNK, S_IFREG, writeCpio } from "./cpio.ts";

Deno.test("cpio newc round-trips every member type and is deterministic", () => {
  const data = new TextEncoder().encode("#!/bin/sh\necho hi\n");
  const entries = [
    { type: "dir", path: "bin" } as const,
    { type: "file", path: "init", data, mode: 0o755 } as const,
    { type: "symlink", path: "bin/sh", target: "busybox" } as const,
    { type: "chardev", path: "dev/console", major: 5, minor: 1 } as const,
  ];
  const a = writeCpio(entries);
  assertEquals(a.length % 4, 0);
  assertEquals(writeCpio(entries), a);
  const back = readCpio(a);
  assertEquals(back.map((m) => m.path), ["bin", "init", "bin/sh", "dev/console"]);
  assertEquals(back[0].mode, S_IFDIR | 0o755);
  assertEquals(back[1].mode, S_IFREG | 0o755);
  assertEquals(back[1].data, data);
  assertEquals(back[2].mode & 0o170000, S_IFLNK);
  assertEquals(new TextDecoder().decode(back[2].data), "busybox");
  assertEquals(back[3].mode & 0o170000, S_IFCHR);
  assertEquals([back[3].rdevMajor, back[3].rdevMinor], [5, 1]);
});

Deno.test("cpio refuses absolute or escaping paths and reports truncation", () => {
  assertThrows(() => writeCpio([{ type: "dir", path: "/abs" }]), Error, "relative");
  assertThrows(() => writeCpio([{ type: "dir", path: "a/../b" }]), Error, "relative");
  const a = writeCpio([{ type: "dir", path: "x" }]);
  assertThrows(() => readCpio(a.subarray(0, 50)), Error, "truncated");
});
