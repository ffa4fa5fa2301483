import { assertEquals } from "@gunyah-ts/tests/assert";
import { EventBus } from "./events.ts";

Deno.test("event bus delivers in order and unsubscribes", () => {
  const bus = new EventBus<{ a: number; b: string }>();
  const seen: string[] = [];
  const off = bus.on("a", (n) => seen.push(`1:${n}`));
  bus.on("a", (n) => seen.push(`2:${n}`));
  bus.on("b", (s) => seen.push(`b:${s}`));
  bus.emit("a", 7);
  off();
  bus.emit("a", 8);
  bus.emit("b", "x");
  assertEquals(seen, ["1:7", "2:7", "2:8", "b:x"]);
  assertEquals(bus.has("a"), true);
});
