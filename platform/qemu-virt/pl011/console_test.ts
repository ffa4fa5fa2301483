import { assertEquals } from "@gunyah-ts/tests/assert";
import { Pl011 } from "./pl011.ts";
import { Pl011Console } from "./console.ts";
import { FakeDeviceHost } from "../testing/fake_host.ts";
import { UARTDR } from "./registers.ts";

function setup() {
  const uart = new Pl011(new FakeDeviceHost());
  const con = new Pl011Console(uart);
  const batches: string[] = [];
  con.onOutput((b) => batches.push(new TextDecoder().decode(b)));
  const send = (s: string) => {
    for (const ch of s) uart.regions[0].write(UARTDR, 1, ch.charCodeAt(0), 0, 0);
  };
  return { uart, con, batches, send };
}

Deno.test("Pl011Console delivers output line by line, and the rest when the slice yields", async () => {
  const { batches, send } = setup();
  send("hello\nwor");
  assertEquals(batches, ["hello\n"]);
  send("ld");
  await Promise.resolve(); // the run slice ends: the microtask flushes
  assertEquals(batches, ["hello\n", "world"]);
});

Deno.test("Pl011Console flushes a full buffer at once and passes input to the UART", () => {
  const { uart, con, batches, send } = setup();
  send("x".repeat(5000));
  assertEquals(batches.length, 1);
  assertEquals(batches[0].length, 4096);
  con.flush();
  assertEquals(batches[1].length, 904);
  con.input(new TextEncoder().encode("ab"));
  assertEquals(uart.pendingInput, 1); // one character in the holding register, one queued
});
