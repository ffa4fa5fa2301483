import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import {
  guestProgram,
  INPUTS,
  instLine,
  loadAddress,
  moveImmediate32,
  OUTPUTS,
  pairTransfers,
  quadLines,
} from "./test_qemu_guest.ts";

Deno.test("line helpers spell the A64 instructions and data directives", () => {
  assertEquals(loadAddress("x3", "buffer"), ["  adrp x3, buffer", "  add x3, x3, :lo12:buffer"]);
  assertEquals(moveImmediate32("x0", 0x84000008), [
    "  movz x0, #0x8",
    "  movk x0, #0x8400, lsl #16",
  ]);
  assertEquals(pairTransfers("stp", "q", 0, 4, "x21"), [
    "  stp q0, q1, [x21], #32",
    "  stp q2, q3, [x21], #32",
  ]);
  assertEquals(pairTransfers("ldp", "x", 4, 2, "x20"), ["  ldp x4, x5, [x20], #16"]);
  assertEquals(instLine(0xd503201f), "  .inst 0xd503201f");
  assertEquals(instLine(0x1f), "  .inst 0x0000001f");
  assertEquals(quadLines([0n, 0xffffffffffffffffn]), ["  .quad 0x0", "  .quad 0xffffffffffffffff"]);
});

Deno.test("line helpers reject values they cannot express", () => {
  assertThrows(() => moveImmediate32("x0", -1), RangeError, "32-bit");
  assertThrows(() => moveImmediate32("x0", 2 ** 32), RangeError, "32-bit");
  assertThrows(() => moveImmediate32("x0", 1.5), RangeError, "32-bit");
  assertThrows(() => pairTransfers("ldp", "x", 0, 3, "x20"), RangeError, "pair");
});

Deno.test("guestProgram frames the body: inputs/outputs pointers, prints, SYSTEM_OFF, data", () => {
  const src = guestProgram({
    body: ["  nop // BODY"],
    inputs: ["  .quad 0x5"],
    outputQuads: 3,
    alsoPrint: [{ label: "extra", quads: 2 }],
    routines: ["helper:", "  ret"],
    data: ["extra:", "  .quad 1, 2"],
  });
  const lines = src.split("\n");
  assertEquals(lines.slice(0, 2), [".global _start", "_start:"]);
  const at = (l: string) => {
    const i = lines.indexOf(l);
    assert(i >= 0, `missing line ${JSON.stringify(l)}`);
    return i;
  };
  // X20/X21 are set before the body; outputs then extra are printed after it.
  assert(at(`  adrp x20, ${INPUTS}`) < at("  nop // BODY"));
  assert(at(`  adrp x21, ${OUTPUTS}`) < at("  nop // BODY"));
  const printOutputs = at(`  adrp x22, ${OUTPUTS}`), printExtra = at("  adrp x22, extra");
  assert(at("  nop // BODY") < printOutputs && printOutputs < printExtra);
  assertEquals(lines.slice(printOutputs + 2, printOutputs + 5), [
    "  movz x23, #0x3",
    "  movk x23, #0x0, lsl #16",
    "  bl print_quads",
  ]);
  // PSCI SYSTEM_OFF (0x84000008) through HVC, then the routines, then the data.
  assert(at("  movk x0, #0x8400, lsl #16") < at("  hvc #0"));
  assert(at("  hvc #0") < at("print_quads:") && at("print_quads:") < at("helper:"));
  assert(at(".data") < at(`${INPUTS}:`) && at(`${INPUTS}:`) < at("  .quad 0x5"));
  assertEquals(lines[at(`${OUTPUTS}:`) + 1], "  .space 24");
  assert(at(`${OUTPUTS}:`) < at("extra:"));
  // Without enableFp / faultMarkRegister there is no CPACR or VBAR set-up.
  assert(!src.includes("cpacr_el1") && !src.includes("vbar_el1") && !src.includes("vectors:"));
  assert(src.endsWith("\n"));
});

Deno.test("guestProgram with enableFp and a fault marker sets CPACR_EL1, VBAR_EL1 and vectors", () => {
  const src = guestProgram({
    enableFp: true,
    faultMarkRegister: "x1",
    body: [],
    inputs: [],
    outputQuads: 1,
  });
  for (
    const l of [
      "  movk x0, #0x30, lsl #16", // CPACR_EL1.FPEN = 0b11
      "  msr cpacr_el1, x0",
      "  msr vbar_el1, x0",
      "  isb",
      ".balign 2048",
      "  .space 0x200",
      "  mov x1, #0xdead",
      "  eret",
    ]
  ) assert(src.includes(`${l}\n`), `missing ${JSON.stringify(l)}`);
});

Deno.test("guestProgram refuses to print an empty area", () => {
  assertThrows(
    () => guestProgram({ body: [], inputs: [], outputQuads: 0 }),
    RangeError,
    "nothing to print at outputs",
  );
});
