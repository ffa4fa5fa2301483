import { assertEquals, assertMatch } from "../../assert.ts";
import { DiffMachine } from "./machine.ts";

const RAM = 0x4000_0000;

function image(words: number[]): Uint8Array {
  const b = new Uint8Array(words.length * 4);
  const v = new DataView(b.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w, true));
  return b;
}

Deno.test("DiffMachine: PL011 output and PSCI SYSTEM_OFF end the run", () => {
  const m = new DiffMachine();
  m.loadImage(
    RAM,
    image([
      0xd2a12001, // movz x1, #0x0900, lsl #16   (PL011 at 0x09000000)
      0x528009e2, // movz w2, #'O'
      0xb9000022, // str w2, [x1]                (UARTDR)
      0x52800962, // movz w2, #'K'
      0xb9000022, // str w2, [x1]
      0xd2b08000, // movz x0, #0x8400, lsl #16
      0xf2800100, // movk x0, #0x8               (SYSTEM_OFF 0x84000008)
      0xd4000002, // hvc #0
    ]),
    RAM,
  );
  const run = m.run();
  assertEquals(run.output, "OK");
  assertEquals(run.reason, "system-off");
  assertEquals(run.instructions, 8);
  assertEquals(run.virtualNs, 8);
});

Deno.test("DiffMachine: an endless loop stops at the instruction limit", () => {
  const m = new DiffMachine({ maxInstructions: 50_000 });
  m.loadImage(RAM, image([0x14000000]), RAM); // b .
  const run = m.run();
  assertEquals(run.reason, "instruction-limit");
  assertMatch(run.message, /stopped after \d+ instructions/);
});

Deno.test("DiffMachine: WFI with nothing armed is reported as stuck", () => {
  const m = new DiffMachine();
  m.loadImage(RAM, image([0xd503207f, 0x14000000]), RAM); // wfi; b .
  const run = m.run();
  assertEquals(run.reason, "stuck");
  assertMatch(run.message, /WFI/);
});
