/**
 * Issue 3 acceptance: every test guest prints byte-identical console output
 * under `qemu-system-aarch64 -M virt,gic-version=3 -cpu cortex-a57` and under
 * gunyah-ts. Each guest is one test step; a summary line
 * `guests: N passed, M failed` follows. Both transcripts of every guest are
 * left in tests/guests/build/<name>.{qemu,gunyah}.out for inspection.
 *
 * Skipped (with the tool named) when the cross compiler or QEMU is missing.
 * Run alone: `deno test --allow-all tests/diff/guests_test.ts`
 * (`-- --filter` on the step name selects guests).
 */
import { join } from "node:path";
import { buildAll } from "../guests/build.ts";
import { BUILD_DIR, listGuests } from "../guests/catalogue.ts";
import { describeDifference, firstDifference } from "./compare.ts";
import { runGunyah } from "./gunyah.ts";
import { runQemu } from "./qemu.ts";
import { missingDiffTools } from "./tools.ts";

/** Far above what any guest needs (the largest retires ~3 million): a runaway guest fails quickly. */
const GUEST_INSTRUCTION_LIMIT = 50_000_000;

/** Every guest ends its output with this line (tests/guests/runtime/power.c). */
const GUEST_DONE = "[guest done]\n";

const missing = await missingDiffTools();
if (missing) console.warn(`guests_test: skipped — ${missing}`);

Deno.test({
  name: "guests: QEMU and gunyah-ts print identical output",
  ignore: missing !== null,
  sanitizeResources: false,
  async fn(t) {
    const built = await buildAll([], (line) => console.error(line));
    const specs = new Map(listGuests().map((g) => [g.name, g]));
    // Reference runs first, two at a time (cached by binary hash after the first run).
    const qemu = new Map<string, Awaited<ReturnType<typeof runQemu>>>();
    let next = 0;
    await Promise.all([0, 1].map(async () => {
      while (next < built.length) {
        const g = built[next++];
        const spec = specs.get(g.name)!;
        qemu.set(g.name, await runQemu(g.elf, { cpu: spec.qemuCpu, smp: spec.smp }));
      }
    }));
    let passed = 0;
    const failed: string[] = [];
    for (const g of built) {
      const ok = await t.step(g.name, async () => {
        const ref = qemu.get(g.name)!;
        Deno.writeTextFileSync(join(BUILD_DIR, `${g.name}.qemu.out`), ref.output);
        if (!ref.exited || !ref.output.endsWith(GUEST_DONE)) {
          throw new Error(`the QEMU reference run of ${g.name} did not finish (guest bug?)`);
        }
        const logLines: string[] = [];
        const run = await runGunyah(g.elf, {
          vcpus: specs.get(g.name)!.smp,
          maxInstructions: GUEST_INSTRUCTION_LIMIT,
          log: (m) => logLines.length < 20 && logLines.push(m),
        });
        Deno.writeTextFileSync(join(BUILD_DIR, `${g.name}.gunyah.out`), run.output);
        const diff = firstDifference(ref.output, run.output);
        if (diff) {
          throw new Error(
            `${g.name}: output differs (gunyah-ts stopped: ${run.reason}${
              run.message ? `, ${run.message}` : ""
            })\n${describeDifference(diff)}${
              logLines.length ? `\nvCPU log:\n  ${logLines.join("\n  ")}` : ""
            }`,
          );
        }
      });
      if (ok) passed++;
      else failed.push(g.name);
    }
    console.log(`guests: ${passed} passed, ${failed.length} failed`);
    if (failed.length) console.log(`failed: ${failed.join(", ")}`);
  },
});
