import { assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { ConsoleRing, ConsoleTap, consoleTap, peekConsoleTap, teeConsole } from "./console_tap.ts";
import type { GuestConsole } from "@gunyah-ts/system";
import { printThenWaitGuest, systemWithGuest } from "./test_fixture.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("console ring keeps the most recent bytes across wrap-around", () => {
  const r = new ConsoleRing(8);
  r.write(bytes("abc"));
  assertEquals(text(r.tail()), "abc");
  r.write(bytes("defghij"));
  assertEquals(r.total, 10);
  assertEquals(text(r.tail()), "cdefghij");
  assertEquals(text(r.tail(3)), "hij");
  r.write(bytes("0123456789XY")); // longer than the ring
  assertEquals(text(r.tail()), "456789XY");
  assertEquals(r.total, 22);
  assertEquals(text(r.tail(0)), "");
  assertThrows(() => new ConsoleRing(0), RangeError, "positive integer");
});

Deno.test("a tap records output and forwards it to the sink registered on the tee", () => {
  let guestSink: ((b: Uint8Array) => void) | null = null;
  const typed: string[] = [];
  const source: GuestConsole = {
    input: (b) => typed.push(text(b)),
    onOutput: (s) => (guestSink = s),
  };
  const tap = new ConsoleTap(source, 16);
  guestSink!(bytes("early "));
  const seen: string[] = [];
  tap.console.onOutput((b) => seen.push(text(b)));
  guestSink!(bytes("late"));
  assertEquals(seen, ["late"]);
  assertEquals(text(tap.ring.tail()), "early late");
  tap.console.input(bytes("ls\n"));
  assertEquals(typed, ["ls\n"]);
});

Deno.test("teeConsole: one tap per VM; the terminal and the dashboard both see the guest's output", async () => {
  const { system, vm } = await systemWithGuest(printThenWaitGuest("hi\n"));
  assertEquals(peekConsoleTap(vm), undefined);
  const terminal: string[] = [];
  teeConsole(vm).onOutput((b) => terminal.push(text(b)));
  assertEquals(consoleTap(vm), peekConsoleTap(vm));
  system.hv.runUntil(() => terminal.join("") === "hi\n", 1e6);
  assertEquals(terminal.join(""), "hi\n");
  assertEquals(text(consoleTap(vm).ring.tail()), "hi\n");
});
