/**
 * The fuzzer's counting, comparison, shrinking and reporting, driven by a
 * fake batch runner whose "gunyah-ts" side disagrees exactly on sequences
 * containing a marker instruction (no QEMU or cross compiler needed).
 */
import { assert, assertEquals, assertMatch } from "../../assert.ts";
import type { BatchRunner } from "./batch_runner.ts";
import { CLASSES } from "./classes.ts";
import type { InstructionClass, Sequence } from "./generator.ts";
import { differingFields, runFuzz } from "./fuzz.ts";

const MARKER = 0x9ac00c00; // sdiv w0, w0, w0: stands for "an instruction gunyah-ts gets wrong"

const marker: InstructionClass = {
  name: "marker",
  fp: false,
  weight: 1,
  generate: () => ({ cls: "marker", words: [MARKER] }),
};

function line(s: Sequence, i: number, wrong: boolean, full: boolean): string {
  const h = s.words.reduce((a, w) => (Math.imul(a, 31) + w) >>> 0, 7).toString(16);
  return full ? `${i} ${h} ${wrong ? "bad" : "good"}` : `${i} d${h}${wrong ? "!" : ""}`;
}

const fake: BatchRunner = (_name, sequences, _seeds, _fp, full) => {
  const qemu = sequences.map((s, i) => line(s, i, false, full));
  const gunyah = sequences.map((s, i) => line(s, i, s.words.includes(MARKER), full));
  return Promise.resolve({
    qemu: [...qemu, "[guest done]", ""],
    gunyah: [...gunyah, "[guest done]", ""],
    gunyahNote: "",
  });
};

Deno.test("fuzz pipeline: counts mismatches and shrinks each to the one wrong instruction", async () => {
  const classes = [...CLASSES.filter((c) => !c.fp && c.name !== "branch"), marker];
  const result = await runFuzz({
    seed: 9,
    instructions: 3000,
    fp: false,
    classes,
    runner: fake,
    sequencesPerBatch: 20,
    reportLimit: 2,
  });
  assert(result.instructions >= 3000);
  assert(result.mismatches > 0, "the marker class should have produced mismatches");
  assertMatch(
    result.summary,
    new RegExp(
      `^fuzz: ${result.sequences} sequences, ${result.instructions} instructions compared, ${result.mismatches} mismatches$`,
    ),
  );
  assertEquals(result.reports.length, 2);
  for (const r of result.reports) {
    assertMatch(r, /minimal failing sequence \(1 instructions/);
    assertMatch(r, /9ac00c00/);
  }
});

Deno.test("fuzz pipeline: no marker, no mismatches", async () => {
  const result = await runFuzz({
    seed: 10,
    instructions: 2000,
    fp: false,
    classes: ["addsub-imm", "logical-shift"],
    runner: fake,
  });
  assertEquals(result.mismatches, 0);
  assertEquals(result.reports, []);
});

Deno.test("differingFields names the registers that differ", () => {
  assertEquals(differingFields("0 aa bb cc", "0 aa bx cc"), ["x1: qemu bb gunyah-ts bx"]);
});
