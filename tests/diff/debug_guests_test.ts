/**
 * Issue 15 acceptance: the debug-architecture guests (tests/guests/src/
 * dbg_*.c: hardware breakpoints, watchpoints on every access path, software
 * step) print byte-identical output under QEMU (`-cpu cortex-a57`) and under
 * gunyah-ts with the translator off (`interp`) and on (`jit`, every block
 * translated at its first execution). guests_test.ts runs them too, in the
 * default mode; this test pins both modes.
 *
 * Skipped (with the tool named) when the cross compiler or QEMU is missing.
 * Run alone: `deno test --allow-all tests/diff/debug_guests_test.ts`
 */
import { createAarch64Plugin } from "@gunyah-ts/arch-aarch64";
import { buildAll } from "../guests/build.ts";
import { listGuests } from "../guests/catalogue.ts";
import { describeDifference, firstDifference } from "./compare.ts";
import { runGunyah } from "./gunyah.ts";
import { runQemu } from "./qemu.ts";
import { missingDiffTools } from "./tools.ts";

const GUEST_DONE = "[guest done]\n";

const missing = await missingDiffTools();
if (missing) console.warn(`debug_guests_test: skipped — ${missing}`);

const MODES = [
  { label: "interp", arch: createAarch64Plugin({ cpuMode: "interp" }) },
  { label: "jit", arch: createAarch64Plugin({ cpuMode: "jit", jitThreshold: 0 }) },
] as const;

Deno.test({
  name: "debug guests: QEMU and gunyah-ts (translator off and on) print identical output",
  ignore: missing !== null,
  sanitizeResources: false,
  async fn(t) {
    const names = listGuests().map((g) => g.name).filter((n) => n.startsWith("dbg_"));
    if (names.length < 3) throw new Error(`expected the dbg_* guests, found ${names.join(", ")}`);
    const built = await buildAll(names, () => {});
    for (const g of built) {
      const ref = await runQemu(g.elf, {});
      if (!ref.exited || !ref.output.endsWith(GUEST_DONE)) {
        throw new Error(`the QEMU reference run of ${g.name} did not finish`);
      }
      for (const mode of MODES) {
        await t.step(`${g.name} (${mode.label})`, async () => {
          const run = await runGunyah(g.elf, { maxInstructions: 50_000_000, arch: mode.arch });
          const diff = firstDifference(ref.output, run.output);
          if (diff) {
            throw new Error(
              `${g.name} (${mode.label}): output differs (stopped: ${run.reason} ${run.message})\n` +
                describeDifference(diff),
            );
          }
        });
      }
    }
  },
});
