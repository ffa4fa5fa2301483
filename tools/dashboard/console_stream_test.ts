import { assertEquals } from "@gunyah-ts/tests/assert";
import type { GuestConsole } from "@gunyah-ts/system";
import { ConsoleTap } from "./console_tap.ts";
import { ConsoleStream, STREAM_CHUNK_BYTES, STREAM_HIGH_WATER_BYTES } from "./console_stream.ts";

/** A console whose output the test writes, and a socket that records frames. */
function fixture(capacity: number) {
  let out: (b: Uint8Array) => void = () => {};
  const typed: number[] = [];
  const source: GuestConsole = {
    input: (b) => typed.push(...b),
    onOutput: (s) => (out = s),
  };
  const tap = new ConsoleTap(source, capacity);
  const frames: (string | Uint8Array)[] = [];
  const socket = {
    readyState: 1,
    bufferedAmount: 0,
    send(d: string | Uint8Array) {
      frames.push(d);
    },
  };
  return { tap, socket, frames, typed, write: (s: string) => out(new TextEncoder().encode(s)) };
}

const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms));

Deno.test("console stream: history then live bytes in chunks; keystrokes and resize", async () => {
  const f = fixture(64 * 1024);
  f.write("x".repeat(STREAM_CHUNK_BYTES + 10));
  const s = new ConsoleStream(f.tap, f.socket);
  s.open({ vmid: 3 });
  await tick();
  assertEquals(JSON.parse(f.frames[0] as string).offset, 0);
  assertEquals(f.frames.slice(1).map((b) => b.length), [STREAM_CHUNK_BYTES, 10]);
  f.write("live");
  await tick();
  assertEquals(new TextDecoder().decode(f.frames.at(-1) as Uint8Array), "live");
  s.receive("\u0003ls\r", (b) => f.tap.input(b));
  s.receive(new Uint8Array([0x1b, 0x5b, 0x41]).buffer, (b) => f.tap.input(b)); // Up arrow
  s.receive(JSON.stringify({ type: "resize", cols: 100, rows: 30 }), (b) => f.tap.input(b));
  assertEquals(f.typed, [3, 0x6c, 0x73, 0x0d, 0x1b, 0x5b, 0x41]);
  assertEquals(s.size, { cols: 100, rows: 30 });
  s.close();
});

Deno.test("console stream: a full socket is not written to; a reader that falls behind is told what it lost", async () => {
  const f = fixture(1024);
  const s = new ConsoleStream(f.tap, f.socket);
  s.open({});
  await tick();
  f.socket.bufferedAmount = STREAM_HIGH_WATER_BYTES + 1; // the client stopped reading
  f.write("a".repeat(600));
  f.write("b".repeat(600)); // 1200 bytes: 176 already overwritten in the 1024-byte history
  await tick(60);
  assertEquals(f.frames.length, 1); // only the hello: nothing sent into the full socket
  f.socket.bufferedAmount = 0; // drained
  await tick(60);
  assertEquals(JSON.parse(f.frames[1] as string), { type: "gap", lost: 176 });
  assertEquals((f.frames[2] as Uint8Array).length, 1024);
  assertEquals([s.next, s.lost, s.sent], [1200, 176, 1024]);
  s.close();
});

Deno.test("console stream: resume from an offset; an offset no longer held starts at the oldest byte", () => {
  const f = fixture(8);
  f.write("0123456789");
  assertEquals(new ConsoleStream(f.tap, f.socket, 5).next, 5);
  const old = new ConsoleStream(f.tap, f.socket, 0);
  assertEquals([old.next, old.lost], [2, 2]);
  assertEquals(new ConsoleStream(f.tap, f.socket, 99).next, 10);
});
