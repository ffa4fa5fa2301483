/**
 * `gunyah doctor`: checks the external tools the test suite and `gunyah boot`
 * use, by running each the way the project does, and names every missing
 * piece with the Debian package that provides it.
 *
 * @module
 */
import type { Command } from "./commands.ts";
import { checkPrerequisites, type Purpose } from "./doctor/prerequisites.ts";

/** Exit status when a prerequisite is missing. */
export const EXIT_MISSING = 2;

const HELP = `Usage: deno task doctor [--boot]
       deno task gunyah doctor [--boot]

Checks what gunyah-ts needs from the machine, running each tool the way the
project runs it:
  qemu-system-aarch64   the reference machine of the tests and benchmarks,
                        started with the harnesses' flags on a tiny guest
  aarch64-linux-gnu-*   the cross compiler and binutils, on a one-line program
  dtc                   the devicetree compiler, on a one-line source
  Debian guest images   cached, or reachable with apt-get download
  chromium              optional: only the dashboard's browser test uses it

Options:
  --boot      check only what \`deno task boot\` needs (the guest images)
  -h, --help  this text

Prints one line per check ("ok", "missing" or "optional", with the package to
install). Exit status: 0 everything required is there, 2 something required is
missing (or a usage error).`;

/** The doctor command. */
export const doctorCommand: Command = {
  name: "doctor",
  summary: "check the machine for the tools the tests and boot need",
  help: HELP,
  async run(args: string[]): Promise<number> {
    const unknown = args.filter((a) => a !== "--boot");
    if (unknown.length > 0) {
      console.error(`gunyah doctor: unknown option ${unknown[0]}\n\n${HELP}`);
      return 2;
    }
    const purpose: Purpose = args.includes("--boot") ? "boot" : "tests";
    const findings = await checkPrerequisites(purpose);
    for (const f of findings) {
      if (f.ok) console.log(`ok       ${f.name}: ${f.detail}`);
      else if (f.optional) console.log(`optional ${f.name}: ${f.problem}; ${f.remedy}`);
      else console.log(`missing  ${f.name}: ${f.problem}; ${f.remedy}`);
    }
    const required = findings.filter((f) => f.ok || !f.optional);
    const missing = required.filter((f) => !f.ok).length;
    if (missing > 0) {
      console.error(`gunyah doctor: ${missing} of ${required.length} prerequisites missing`);
      return EXIT_MISSING;
    }
    return 0;
  },
};
